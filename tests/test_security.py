"""Password hashing: argon2 hashes that verify, salted, and a dummy hash for unknown accounts."""

from cases.security import dummy_hash, hash_password, verify_password


def test_a_hash_verifies_its_password_only() -> None:
    stored = hash_password("correct-horse-7")
    assert stored.startswith("$argon2id$")
    assert "correct-horse-7" not in stored
    assert verify_password("correct-horse-7", stored)
    assert not verify_password("correct-horse-8", stored)
    assert not verify_password("", stored)


def test_hashes_are_salted() -> None:
    assert hash_password("correct-horse-7") != hash_password("correct-horse-7")


def test_no_stored_hash_never_verifies() -> None:
    assert not verify_password("correct-horse-7", None)
    assert not verify_password("correct-horse-7", "")


def test_the_dummy_hash_is_a_real_hash_of_no_ones_password() -> None:
    # Verified for unknown 工号 so that the answer takes as long as for a wrong password.
    assert dummy_hash() is dummy_hash()
    assert dummy_hash().startswith("$argon2id$")
    assert not verify_password("correct-horse-7", dummy_hash())
