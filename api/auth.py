"""Passwords (argon2 through pwdlib)."""

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
