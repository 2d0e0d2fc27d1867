"""Field encryption, blind index and 查询码 hashing."""

from __future__ import annotations

import base64

import pytest

from cases.crypto import (
    QUERY_CODE_ALPHABET,
    FieldCipher,
    generate_query_code,
    hash_query_code,
    verify_query_code,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(KEY)


def test_round_trip(cipher: FieldCipher) -> None:
    for text in ["11010519491231002X", "+8613800138000", "", "南京市玄武区北京东路41号"]:
        token = cipher.encrypt(text)
        assert token.startswith("v1:")
        assert cipher.decrypt(token) == text


def test_ciphertext_differs_each_time_and_hides_plaintext(cipher: FieldCipher) -> None:
    a, b = cipher.encrypt("+8613800138000"), cipher.encrypt("+8613800138000")
    assert a != b
    assert "13800138000" not in a
    assert cipher.decrypt(a) == cipher.decrypt(b)


def test_token_is_urlsafe_text(cipher: FieldCipher) -> None:
    body = cipher.encrypt("x" * 100).removeprefix("v1:")
    assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def test_tampering_is_detected(cipher: FieldCipher) -> None:
    token = cipher.encrypt("11010519491231002X")
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    for i in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
        flipped = raw.copy()
        flipped[i] ^= 1
        with pytest.raises(ValueError):
            cipher.decrypt("v1:" + base64.urlsafe_b64encode(bytes(flipped)).decode())


@pytest.mark.parametrize("token", ["", "v1:", "v1:!!!", "v2:AAAA", "plain", "v1:" + "A" * 20])
def test_malformed_tokens_raise_value_error(cipher: FieldCipher, token: str) -> None:
    with pytest.raises(ValueError):
        cipher.decrypt(token)


def test_other_key_cannot_decrypt(cipher: FieldCipher) -> None:
    with pytest.raises(ValueError):
        FieldCipher(OTHER_KEY).decrypt(cipher.encrypt("secret"))


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError):
        FieldCipher(b"k" * 31)
    with pytest.raises(TypeError):
        FieldCipher("k" * 32)  # type: ignore[arg-type]


def test_key_not_in_repr(cipher: FieldCipher) -> None:
    assert KEY.hex() not in repr(cipher) and str(KEY) not in repr(cipher)


def test_blind_index_is_stable_and_key_dependent(cipher: FieldCipher) -> None:
    idx = cipher.blind_index("11010519491231002X")
    assert idx == FieldCipher(KEY).blind_index("11010519491231002X")
    assert len(idx) == 64 and set(idx) <= set("0123456789abcdef")  # an HMAC-SHA256, in hex
    assert idx != FieldCipher(b"another-key-".ljust(32, b"!")).blind_index("11010519491231002X")
    assert idx != cipher.blind_index("110105194912310029")  # another number, another index
    assert idx != FieldCipher(OTHER_KEY).blind_index("11010519491231002X")
    assert idx != cipher.blind_index("320102199001011232")


def test_blind_index_normalises(cipher: FieldCipher) -> None:
    assert cipher.blind_index(" 11010519491231002x ") == cipher.blind_index("11010519491231002X")
    assert cipher.blind_index("１３８００１３８０００") == cipher.blind_index("13800138000")


def test_blind_index_is_not_a_plain_hash(cipher: FieldCipher) -> None:
    import hashlib

    value = "+8613800138000"
    assert cipher.blind_index(value) != hashlib.sha256(value.encode()).hexdigest()


def test_query_code_shape() -> None:
    codes = {generate_query_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 10
        assert set(code) <= set(QUERY_CODE_ALPHABET)
    assert not set("0O1I") & set(QUERY_CODE_ALPHABET)
    assert len(QUERY_CODE_ALPHABET) == 32


def test_query_code_verification() -> None:
    code = generate_query_code()
    stored = hash_query_code(code)
    assert code not in stored
    assert verify_query_code(code, stored)
    # people type it in lowercase, with spaces or dashes
    assert verify_query_code(f" {code[:5].lower()}-{code[5:]} ", stored)
    other = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert not verify_query_code(other, stored)


def test_query_code_hash_is_salted() -> None:
    a, b = hash_query_code("ABCDEFGHJK"), hash_query_code("ABCDEFGHJK")
    assert a != b
    assert verify_query_code("ABCDEFGHJK", a) and verify_query_code("ABCDEFGHJK", b)


@pytest.mark.parametrize(
    "stored", ["", "garbage", "sha256$", "sha256$salt$", "md5$a$b", "sha256$a$é"]
)
def test_verify_rejects_malformed_stored_hash(stored: str) -> None:
    assert verify_query_code("ABCDEFGHJK", stored) is False
