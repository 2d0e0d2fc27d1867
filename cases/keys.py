"""The office's two keys in dev and test: generated once into the user's data directory, one folder
per database, so the command line run from any directory finds the same keys; exported and imported
as one file to move an office; named by a fingerprint that backups carry.

In production the keys come from the environment only (``cases.settings``).
"""

import hashlib
import json
import os
import secrets
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url

from workflow.errors import InvalidInput

#: The environment variables holding the keys, and the file each is kept in.
KEY_NAMES = {"SHOUJIE_SECRET_KEY": "secret_key", "SHOUJIE_DATA_KEY": "data_key"}
EXPORT_FORMAT = "shoujie-keys/1"


def database_identity(database_url: str) -> str:
    """The database a URL names, without password or driver: the same office from any directory."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        name = url.database or ":memory:"
        path = name if name == ":memory:" else str(Path(name).resolve())
        return f"sqlite:{path}"
    return f"{backend}://{url.username or ''}@{url.host or ''}:{url.port or ''}/{url.database}"


def key_dir(database_url: str) -> Path:
    """The folder holding this database's keys: ``SHOUJIE_KEYS_DIR`` or the user's data directory."""
    base = os.environ.get("SHOUJIE_KEYS_DIR")
    root = Path(base) if base else platformdirs.user_data_path("shoujie", appauthor=False)
    digest = hashlib.sha256(database_identity(database_url).encode()).hexdigest()[:16]
    return root / "keys" / digest


def kept_key(name: str, database_url: str) -> bytes:
    """The key ``name`` for this database, generated on first use and kept private (mode 0600)."""
    folder = key_dir(database_url)
    path = folder / KEY_NAMES[name]
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        note = folder / "database.txt"
        if not note.exists():
            # Says which office the folder belongs to, for whoever finds it later.
            note.write_text(database_identity(database_url) + "\n", encoding="utf-8")
        _write_private_once(path, _legacy_key(name, database_url) or secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def _legacy_key(name: str, database_url: str) -> str | None:
    """A key an earlier version generated beside the SQLite file, adopted so old data stays readable."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    old = Path(url.database).resolve().parent / f".shoujie-{name.lower()}"
    return old.read_text().strip() if old.exists() else None


def fingerprint(secret_key: bytes, data_key: bytes) -> str:
    """A short public name of the key pair (never enough to recover either key)."""
    digest = hashlib.sha256(b"shoujie-key-fingerprint\0" + secret_key + b"\0" + data_key)
    return digest.hexdigest()[:16]


def export_keys(secret_key: bytes, data_key: bytes, target: Path) -> str:
    """Write both keys to ``target`` (mode 0600, never over an existing file); the fingerprint."""
    fp = fingerprint(secret_key, data_key)
    body = {
        "format": EXPORT_FORMAT,
        "fingerprint": fp,
        "SHOUJIE_SECRET_KEY": secret_key.decode(),
        "SHOUJIE_DATA_KEY": data_key.decode(),
    }
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInput("keys.file_exists", f"文件已存在，不覆盖：{target}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(body, out, indent=2)
        out.write("\n")
    return fp


def read_export(source: Path) -> tuple[bytes, bytes]:
    """The (secret, data) keys of an exported file, refusing one altered or of another format."""
    try:
        body = json.loads(source.read_text(encoding="utf-8"))
        secret, data = body["SHOUJIE_SECRET_KEY"].encode(), body["SHOUJIE_DATA_KEY"].encode()
        ok = (
            body.get("format") == EXPORT_FORMAT and fingerprint(secret, data) == body["fingerprint"]
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise InvalidInput("keys.bad_file", f"不是有效的密钥导出文件：{source}")
    return secret, data


def import_keys(source: Path, database_url: str, *, replace: bool = False) -> str:
    """Keep the keys of ``source`` for this database; refuse to replace different keys unless
    ``replace`` (the data stored under the old keys would become unreadable). The fingerprint."""
    secret, data = read_export(source)
    folder = key_dir(database_url)
    current = {
        f: (folder / f).read_bytes().strip() for f in KEY_NAMES.values() if (folder / f).exists()
    }
    wanted = {"secret_key": secret, "data_key": data}
    if current and current != wanted and not replace:
        raise InvalidInput(
            "keys.would_replace",
            "该数据库已有不同的密钥；用旧密钥保存的数据将无法读取。确需替换请加 --replace",
        )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    (folder / "database.txt").write_text(database_identity(database_url) + "\n", encoding="utf-8")
    for filename, value in wanted.items():
        path = folder / filename
        path.unlink(missing_ok=True)
        _write_private_once(path, value.decode())
    return fingerprint(secret, data)


def _write_private_once(path: Path, value: str) -> None:
    """Create ``path`` holding ``value``, readable by its owner only from the first byte; if
    another process created it first, keep theirs (the link is atomic: never a half-written key)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
