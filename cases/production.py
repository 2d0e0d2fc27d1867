"""Production refuses what is unsafe: demo data, an account on a demo or default password, short
or patterned keys, a fixed "now". ``shoujie serve`` and the app's start-up call ``refuse_unsafe``
when ``SHOUJIE_ENV=prod``; each finding is one Chinese line, and the refusal exits with code 2.

Keys (``SHOUJIE_SECRET_KEY``, ``SHOUJIE_DATA_KEY``) are written as hex (64 or more hex digits) or
base64 / base64url (43 or more characters, padding optional), and must decode to at least 32 bytes
that do not look made by hand (at least 16 distinct byte values). Make one with
``python -c 'import secrets; print(secrets.token_urlsafe(32))'``.
"""

import base64
import binascii
import os
import re
import string

from sqlalchemy import Connection, Engine, select

from cases.accounts.passwords import DEFAULT_PASSWORDS
from cases.demo.records import OFFICE, STAFF
from cases.security import verify_password
from cases.settings import Settings
from cases.store.tables import office_t, staff_t
from workflow.errors import InvalidInput

MIN_KEY_BYTES = 32
MIN_DISTINCT_BYTES = 16
_HEX = set(string.hexdigits)
_B64 = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")


class UnsafeProduction(InvalidInput):
    """Production refused to start: each finding in ``findings`` (exit 2)."""

    def __init__(self, findings: list[str]) -> None:
        super().__init__(
            "production.unsafe",
            "生产环境拒绝启动：" + "；".join(findings),
            findings=findings,
        )
        self.findings = findings


def decode_key(text: str) -> bytes | None:
    """The bytes a key's text stands for (hex or base64/base64url), or None when it is neither."""
    text = text.strip()
    if text and len(text) % 2 == 0 and set(text) <= _HEX:
        return bytes.fromhex(text)
    if not _B64.match(text or "!"):
        return None
    padded = text.replace("+", "-").replace("/", "_")
    padded += "=" * (-len(padded.rstrip("=")) % 4) if "=" not in padded else ""
    try:
        return base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        return None


def key_problem(name: str, value: bytes) -> str | None:
    """Why a key is unsafe for production, or None when it is fine."""
    raw = decode_key(value.decode("utf-8", "replace"))
    if raw is None:
        return f"{name} 应为十六进制或 base64 编码的随机字节"
    if len(raw) < MIN_KEY_BYTES:
        return f"{name} 解码后只有{len(raw)}字节，至少需要{MIN_KEY_BYTES}字节随机数"
    if len(set(raw)) < MIN_DISTINCT_BYTES:
        return f"{name} 不像随机生成的密钥（重复的字节太多）"
    return None


def settings_problems(s: Settings) -> list[str]:
    """What is unsafe in the settings themselves."""
    found = [
        p
        for p in (
            key_problem("SHOUJIE_SECRET_KEY", s.secret_key),
            key_problem("SHOUJIE_DATA_KEY", s.data_key),
        )
        if p
    ]
    if s.secret_key == s.data_key:
        found.append("SHOUJIE_SECRET_KEY 与 SHOUJIE_DATA_KEY 不能相同")
    if s.fixed_now is not None or os.environ.get("SHOUJIE_NOW"):
        found.append("生产环境不能设置 SHOUJIE_NOW")
    return found


def data_problems(conn: Connection) -> list[str]:
    """What is unsafe in the database: the demo office, and accounts on a published password."""
    found: list[str] = []
    demo_people = {(s.staff_no, s.name) for s in STAFF}
    rows = conn.execute(
        select(staff_t.c.staff_no, staff_t.c.name, staff_t.c.password_hash).where(
            staff_t.c.active.is_(True)
        )
    ).all()
    office_names = set(conn.execute(select(office_t.c.name)).scalars())
    if OFFICE.name in office_names or any((r.staff_no, r.name) in demo_people for r in rows):
        found.append("数据库中有演示数据（shoujie demo），生产环境须使用全新的数据库")
    weak = sorted(
        r.staff_no
        for r in rows
        if r.password_hash and any(verify_password(p, r.password_hash) for p in DEFAULT_PASSWORDS)
    )
    if weak:
        found.append(f"以下账号仍在使用演示或默认密码，请先重置：{'、'.join(weak[:20])}")
    return found


def refuse_unsafe(engine: Engine, s: Settings) -> None:
    """In production, refuse (exit 2, every finding listed) when anything above is unsafe."""
    if s.env != "prod":
        return
    found = settings_problems(s)
    with engine.connect() as conn:
        found += data_problems(conn)
    if found:
        raise UnsafeProduction(found)
