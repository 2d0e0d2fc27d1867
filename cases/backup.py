"""Backups of an office that are consistent while it works, and a restore that refuses the wrong keys.

A backup is one tar file: ``manifest.json`` (format, backend, the keys' fingerprint, when) and
``data`` — on SQLite a copy made with SQLite's online backup API (one consistent snapshot, writers
carry on), on PostgreSQL a ``pg_dump`` in custom format (one snapshot too). The keys are not in it:
without them the identity numbers and the audit chain are unreadable, so they are exported apart
(``shoujie keys export``) and a restore under keys of another fingerprint is refused.
"""

import glob
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from cases import keys
from workflow.errors import InvalidInput

FORMAT = "shoujie-backup/1"


class BackupError(InvalidInput):
    """A backup that cannot be made or restored here (exit 2, with the reason in Chinese)."""


def backup(database_url: str, target: Path, *, key_fingerprint: str, now: datetime) -> dict:
    """Write a consistent backup of the database to ``target`` (never over a file); its manifest."""
    if target.exists():
        raise BackupError("backup.file_exists", f"文件已存在，不覆盖：{target}")
    url = make_url(database_url)
    backend = url.get_backend_name()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "backend": backend,
        "key_fingerprint": key_fingerprint,
        "created_at": now.isoformat(),
        "database": keys.database_identity(database_url),
    }
    with tempfile.TemporaryDirectory(prefix="shoujie-backup-") as work:
        data = Path(work) / "data"
        if backend == "sqlite":
            _sqlite_copy(_sqlite_path(url), data)
        elif backend == "postgresql":
            _run(_pg_tool("pg_dump"), "-Fc", "--no-owner", "--no-acl", "-f", str(data), _libpq(url))
        else:
            raise BackupError("backup.backend", f"不支持备份该数据库：{backend}")
        manifest["bytes"] = data.stat().st_size
        partial = target.with_name(f".{target.name}.partial")
        with tarfile.open(partial, "w") as tar:
            raw = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
            tar.add(data, arcname="data")
        # Renamed only when whole: a backup cut short never looks like a good one.
        os.replace(partial, target)
    return manifest


def read_manifest(source: Path) -> dict:
    """The manifest of a backup file, refusing a file that is not one."""
    try:
        with tarfile.open(source, "r") as tar:
            member = tar.extractfile("manifest.json")
            manifest = json.loads(member.read()) if member else {}
    except (OSError, tarfile.TarError, KeyError, ValueError):
        manifest = {}
    if manifest.get("format") != FORMAT:
        raise BackupError("backup.bad_file", f"不是有效的首接备份文件：{source}")
    return manifest


def restore(database_url: str, source: Path, *, key_fingerprint: str) -> dict:
    """Replace the database's contents by the backup; refused under keys of another fingerprint."""
    manifest = read_manifest(source)
    if manifest["key_fingerprint"] != key_fingerprint:
        raise BackupError(
            "backup.wrong_key",
            f"备份所用密钥（指纹 {manifest['key_fingerprint']}）与当前密钥（指纹 {key_fingerprint}）"
            "不一致，恢复后数据将无法解密：请先用 shoujie keys import 导入该备份的密钥",
        )
    url = make_url(database_url)
    backend = url.get_backend_name()
    if manifest["backend"] != backend:
        raise BackupError(
            "backup.other_backend",
            f"该备份来自 {manifest['backend']} 数据库，不能恢复到 {backend} 数据库",
        )
    with tempfile.TemporaryDirectory(prefix="shoujie-restore-") as work:
        with tarfile.open(source, "r") as tar:
            tar.extract("data", work, filter="data")
        data = Path(work) / "data"
        if backend == "sqlite":
            _sqlite_copy(data, _sqlite_path(url))
        else:
            _run(
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "-d",
                _libpq(url),
                str(data),
            )
    return manifest


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("backup.memory", "内存数据库无法备份或恢复")
    return url.database


def _sqlite_copy(source: Path | str, target: Path | str) -> None:
    """Copy one SQLite database into another through the online backup API: the source is read as
    one snapshot while its writers go on, and the target's readers never see a half-copied file."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def _libpq(url: URL) -> str:
    """The URL as libpq reads it (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    """The newest ``pg_dump``/``pg_restore``: Debian's versioned folders first, then PATH."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    tool = found[-1] if found else shutil.which(name)
    if not tool:
        raise BackupError("backup.no_tool", f"找不到 {name}：请安装 PostgreSQL 客户端")
    return tool


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tool = Path(argv[0]).name
        detail = (done.stderr.strip().splitlines() or ["?"])[-1][:300]
        raise BackupError("backup.tool_failed", f"{tool} 失败：{detail}")
