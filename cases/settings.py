"""Settings from the environment (contract.md), and the one injectable clock."""

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Any
from zoneinfo import ZoneInfo

from cases import keys
from workflow.errors import InvalidInput

DEFAULT_DATABASE_URL = "sqlite:///./shoujie.db"


@dataclass(frozen=True)
class PoolSettings:
    """The database connection pool, per process (README, "Faults, retries and 503").

    Every server worker and every CLI run keeps up to ``size + max_overflow`` connections: size
    ``workers × (size + max_overflow)`` (plus sweepers and CLI runs) below PostgreSQL's
    ``max_connections``.
    """

    size: int = 5
    max_overflow: int = 5
    #: Seconds a request waits for a free connection before it is answered 503.
    timeout: float = 10.0
    #: Milliseconds a statement may run on PostgreSQL before it is cancelled (503); 0 means none.
    statement_timeout_ms: int = 30_000


DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Settings:
    """The process's configuration, read once from ``SHOUJIE_*`` variables."""

    database_url: str
    secret_key: bytes
    data_key: bytes
    timezone: tzinfo
    env: str
    fixed_now: datetime | None
    db_pool: PoolSettings = field(default_factory=PoolSettings)
    #: Attachments (材料): the largest file, and the most a case may hold, in bytes.
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachment_case_max_bytes: int = 50 * 1024 * 1024

    @property
    def key_fingerprint(self) -> str:
        """The public name of this office's key pair, carried by its backups."""
        return keys.fingerprint(self.secret_key, self.data_key)

    #: Proxies whose ``X-Forwarded-For`` is believed (``SHOUJIE_TRUSTED_PROXIES``: addresses or
    #: networks, comma-separated); from anyone else the header is ignored.
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    #: Sessions and tokens end after this long unused (``SHOUJIE_SESSION_IDLE_MINUTES``, 30) …
    session_idle_minutes: int = 30
    #: … and at the latest this long after sign-in (``SHOUJIE_SESSION_MAX_HOURS``, 12; tokens 8).
    session_max_hours: int = 12
    token_max_hours: int = 8
    #: The office's public address (``SHOUJIE_BASE_URL``): links on receipts and in messages are
    #: built from it, never from the request's ``Host`` header, which the client chooses.
    base_url: str = DEFAULT_BASE_URL
    #: The staff wall shows a member's 满意率 only over at least this many ratings
    #: (``SHOUJIE_WALL_MIN_RATINGS``, 5): fewer would say more about one petitioner than the member.
    wall_min_ratings: int = 5


def _int_env(name: str, default: float, *, cast: type = int, minimum: float = 0) -> Any:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = cast(raw)
    except ValueError:
        raise InvalidInput("settings.bad_number", f"{name} 应为数字：{raw}", field=name) from None
    if value < minimum:
        raise InvalidInput("settings.bad_number", f"{name} 不能小于 {minimum}", field=name)
    return value


def pool_settings() -> PoolSettings:
    """The pool's settings from ``SHOUJIE_DB_POOL_SIZE``, ``SHOUJIE_DB_MAX_OVERFLOW``,
    ``SHOUJIE_DB_POOL_TIMEOUT`` (seconds) and ``SHOUJIE_DB_STATEMENT_TIMEOUT_MS``."""
    d = PoolSettings()
    return PoolSettings(
        size=_int_env("SHOUJIE_DB_POOL_SIZE", d.size, minimum=1),
        max_overflow=_int_env("SHOUJIE_DB_MAX_OVERFLOW", d.max_overflow),
        timeout=_int_env("SHOUJIE_DB_POOL_TIMEOUT", d.timeout, cast=float, minimum=0.1),
        statement_timeout_ms=_int_env("SHOUJIE_DB_STATEMENT_TIMEOUT_MS", d.statement_timeout_ms),
    )


def _kept_key(name: str, env: str, database_url: str) -> bytes:
    value = os.environ.get(name)
    if value:
        return value.encode()
    if env == "prod":
        raise InvalidInput("settings.key_required", f"生产环境必须设置 {name}", field=name)
    # dev/test: generated once into the user's data directory, one folder per database, so every
    # directory the command line runs from finds the same keys (cases/keys.py).
    return keys.kept_key(name, database_url)


def configured_database_url() -> str:
    """``SHOUJIE_DATABASE_URL``, or the SQLite file in the current directory."""
    return os.environ.get("SHOUJIE_DATABASE_URL", DEFAULT_DATABASE_URL)


def load_settings() -> Settings:
    """Read the environment; refuse ``SHOUJIE_NOW`` outside the test environment."""
    env = os.environ.get("SHOUJIE_ENV", "dev")
    if env not in ("dev", "test", "prod"):
        raise InvalidInput(
            "settings.bad_env", "SHOUJIE_ENV 应为 dev、test 或 prod", field="SHOUJIE_ENV"
        )
    url = configured_database_url()
    fixed_now = None
    raw_now = os.environ.get("SHOUJIE_NOW")
    if raw_now:
        if env != "test":
            raise InvalidInput(
                "settings.now_not_allowed",
                "只有在 SHOUJIE_ENV=test 时才能设置 SHOUJIE_NOW",
                field="SHOUJIE_NOW",
            )
        fixed_now = parse_instant(raw_now)
    return Settings(
        database_url=url,
        secret_key=_kept_key("SHOUJIE_SECRET_KEY", env, url),
        data_key=_kept_key("SHOUJIE_DATA_KEY", env, url),
        timezone=ZoneInfo(os.environ.get("SHOUJIE_TIMEZONE", "Asia/Shanghai")),
        env=env,
        fixed_now=fixed_now,
        db_pool=pool_settings(),
        attachment_max_bytes=_megabytes("SHOUJIE_ATTACHMENT_MAX_MB", 10),
        attachment_case_max_bytes=_megabytes("SHOUJIE_ATTACHMENT_CASE_MAX_MB", 50),
        trusted_proxies=trusted_proxies(os.environ.get("SHOUJIE_TRUSTED_PROXIES", "")),
        session_idle_minutes=_positive("SHOUJIE_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_positive("SHOUJIE_SESSION_MAX_HOURS", 12),
        token_max_hours=_positive("SHOUJIE_TOKEN_MAX_HOURS", 8),
        base_url=base_url(os.environ.get("SHOUJIE_BASE_URL", "")),
        wall_min_ratings=_positive("SHOUJIE_WALL_MIN_RATINGS", 5),
    )


def base_url(text: str) -> str:
    """The public address, without its trailing slash: ``http(s)://host[:port][/path]`` only."""
    value = text.strip().rstrip("/") or DEFAULT_BASE_URL
    if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~/\-]*)?", value):
        raise InvalidInput(
            "settings.bad_base_url",
            f"SHOUJIE_BASE_URL 应为 http(s):// 开头的网址：{value[:80]}",
            field="SHOUJIE_BASE_URL",
        )
    return value


def _megabytes(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default * 1024 * 1024
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value <= 0:
        raise InvalidInput("settings.bad_size", f"{name} 应为正数（单位：MB）", field=name)
    return int(value * 1024 * 1024)


def trusted_proxies(text: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """The trusted proxies' addresses or networks, from a comma-separated list."""
    nets = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            nets.append(ip_network(part, strict=False))
        except ValueError:
            raise InvalidInput(
                "settings.bad_proxy",
                f"SHOUJIE_TRUSTED_PROXIES 中的「{part}」不是IP地址或网段",
                field="SHOUJIE_TRUSTED_PROXIES",
            ) from None
    return tuple(nets)


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput("settings.bad_number", f"{name} 应为正整数", field=name)
    return int(raw)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings."""
    return load_settings()


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; one without an offset is refused rather than guessed."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("time.bad_instant", f"无法识别的时间：{text}", field="now") from None
    if value.tzinfo is None:
        raise InvalidInput("time.naive_instant", f"时间必须带时区：{text}", field="now")
    return value.astimezone(UTC)


class Clock:
    """The one source of "now": the real time, or a fixed instant in tests."""

    def __init__(self, fixed: datetime | None = None) -> None:
        self.fixed = fixed

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        return self.fixed if self.fixed is not None else datetime.now(UTC)
