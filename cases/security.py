"""Password hashing (argon2 through pwdlib): the one place staff passwords are hashed and checked.

Signing in (``api.auth``), adding a staff member (``shoujie user add``), the demo's logins and the
benchmarks' accounts all hash here, so one change of parameters reaches every one of them.
"""

from functools import lru_cache

from pwdlib import PasswordHash


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    """An argon2 hash of the password."""
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether the password matches the stored hash (False when there is none)."""
    if not password_hash:
        return False
    return _hasher().verify(password, password_hash)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash of no one's password: verified when there is no account to check, so that answer
    takes as long as a wrong password does and timing does not tell which 工号 exist."""
    return hash_password("shoujie-dummy-password-for-timing")
