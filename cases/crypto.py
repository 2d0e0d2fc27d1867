"""Field encryption, blind index and 查询码 hashing for petitioners' identity and phone numbers.

Identity and phone numbers are stored encrypted (AES-256-GCM) and found through a keyed hash
(HMAC-SHA256 blind index), so a copy of the database alone reveals neither (domain.md,
"Confidentiality"). Both keys are derived from SHOUJIE_DATA_KEY with HKDF, so one secret is
configured but a leaked index key cannot decrypt and the encryption key is never reused for MACs.

The 查询码 (query code) is stored as a salted SHA-256 rather than a slow password hash: it is
not chosen by a person but drawn by `secrets` from 32 symbols, 10 of them (50 bits), so there is
no dictionary to try first and online guessing through /track (case number + code) is hopeless.
Offline, with a stolen database, finding one code takes about 2**49 hashes (hours to days on a
GPU) and the random per-code salt makes that cost apply to each case separately; the prize is
the public tracking view of that case, which the stolen database already shows, and the right
to rate it. A slow hash would add little and make every /track request costly.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "QUERY_CODE_ALPHABET",
    "QUERY_CODE_LENGTH",
    "FieldCipher",
    "generate_query_code",
    "hash_query_code",
    "normalise_query_code",
    "verify_query_code",
]

_MIN_KEY_BYTES = 32
_NONCE_BYTES = 12  # the size AES-GCM is specified for; random nonces are safe well past 2**32 uses
_TAG_BYTES = 16
_VERSION = "v1"
# Bound into every ciphertext as associated data, so a token cannot be replayed under another
# format version once keys are rotated (v2 would use different associated data).
_AAD = b"shoujie-field-v1"

# Uppercase letters and digits without 0/O and 1/I, which are confused when read aloud or
# copied from a text message: 32 symbols, exactly 5 bits each.
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 10
_QUERY_HASH_SCHEME = "sha256"


class FieldCipher:
    """Encrypts fields with AES-GCM and computes their blind index, from one data key."""

    __slots__ = ("_aead", "_index_key")

    def __init__(self, data_key: bytes) -> None:
        """Derive separate encryption and index keys from a secret of at least 32 bytes."""
        if not isinstance(data_key, bytes | bytearray):
            raise TypeError("data_key must be bytes")
        if len(data_key) < _MIN_KEY_BYTES:
            raise ValueError(f"data_key must be at least {_MIN_KEY_BYTES} bytes")
        self._aead = AESGCM(_derive(data_key, b"shoujie/field-encryption/v1"))
        self._index_key = _derive(data_key, b"shoujie/blind-index/v1")

    def __repr__(self) -> str:
        return "FieldCipher(<key hidden>)"

    def encrypt(self, plaintext: str) -> str:
        """Encrypt text to a "v1:<urlsafe base64>" token; a fresh nonce makes each token differ."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), _AAD)
        return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str) -> str:
        """Decrypt a token from `encrypt`; raise ValueError if it is malformed or was altered."""
        version, sep, body = token.partition(":")
        if not sep or version != _VERSION:
            raise ValueError("unknown ciphertext format")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise ValueError("malformed ciphertext") from exc
        if len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise ValueError("malformed ciphertext")
        try:
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _AAD)
        except InvalidTag as exc:
            raise ValueError("ciphertext was altered or encrypted under another key") from exc
        return plain.decode("utf-8")

    def blind_index(self, value: str) -> str:
        """HMAC-SHA256 (hex) of the normalised value: equal inputs give equal indexes."""
        return hmac.new(self._index_key, _normalise(value).encode("utf-8"), "sha256").hexdigest()


def _derive(data_key: bytes, info: bytes) -> bytes:
    # The data key is already high-entropy, so HKDF needs no salt; `info` separates the uses.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(bytes(data_key))


def _normalise(value: str) -> str:
    # Callers store normalised forms (18-char ID with uppercase X, E.164 phone); this also
    # makes a full-width or lowercase search term find the same row.
    return unicodedata.normalize("NFKC", value).strip().upper()


def generate_query_code() -> str:
    """A new random 10-character 查询码 from QUERY_CODE_ALPHABET (50 bits)."""
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def normalise_query_code(code: str) -> str:
    """Uppercase a typed 查询码 and drop spaces and dashes people add when copying it."""
    folded = unicodedata.normalize("NFKC", code).upper()
    return "".join(ch for ch in folded if not ch.isspace() and ch != "-")


def hash_query_code(code: str) -> str:
    """Salted SHA-256 of the normalised 查询码 as "sha256$<salt>$<hex>"; check with verify_query_code."""
    salt = secrets.token_hex(16)
    return f"{_QUERY_HASH_SCHEME}${salt}${_query_digest(salt, code)}"


def verify_query_code(code: str, stored: str) -> bool:
    """True when `code` matches a hash from hash_query_code; compared in constant time."""
    scheme, _, rest = stored.partition("$")
    salt, _, digest = rest.partition("$")
    if scheme != _QUERY_HASH_SCHEME or not salt or not digest:
        return False
    return hmac.compare_digest(_query_digest(salt, code).encode(), digest.encode("utf-8"))


def _query_digest(salt: str, code: str) -> str:
    data = f"shoujie-query-code:{salt}:{normalise_query_code(code)}".encode()
    return hashlib.sha256(data).hexdigest()
