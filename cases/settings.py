"""Settings from the environment (contract.md), and the one injectable clock."""

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from workflow.errors import InvalidInput

DEFAULT_DATABASE_URL = "sqlite:///./shoujie.db"


@dataclass(frozen=True)
class Settings:
    """The process's configuration, read once from ``SHOUJIE_*`` variables."""

    database_url: str
    secret_key: bytes
    data_key: bytes
    timezone: tzinfo
    env: str
    fixed_now: datetime | None
    #: Proxies whose ``X-Forwarded-For`` is believed (``SHOUJIE_TRUSTED_PROXIES``: addresses or
    #: networks, comma-separated); from anyone else the header is ignored.
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    #: Sessions and tokens end after this long unused (``SHOUJIE_SESSION_IDLE_MINUTES``, 30) …
    session_idle_minutes: int = 30
    #: … and at the latest this long after sign-in (``SHOUJIE_SESSION_MAX_HOURS``, 12; tokens 8).
    session_max_hours: int = 12
    token_max_hours: int = 8


def _key_dir(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent
    return Path.cwd()


def _kept_key(name: str, env: str, database_url: str) -> bytes:
    value = os.environ.get(name)
    if value:
        return value.encode()
    if env == "prod":
        raise InvalidInput("settings.key_required", f"生产环境必须设置 {name}", field=name)
    # dev/test: generated once and kept beside the SQLite file, so restarts can still decrypt.
    path = _key_dir(database_url) / f".shoujie-{name.lower()}"
    if not path.exists():
        _write_private_once(path, secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


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


def load_settings() -> Settings:
    """Read the environment; refuse ``SHOUJIE_NOW`` outside the test environment."""
    env = os.environ.get("SHOUJIE_ENV", "dev")
    if env not in ("dev", "test", "prod"):
        raise InvalidInput(
            "settings.bad_env", "SHOUJIE_ENV 应为 dev、test 或 prod", field="SHOUJIE_ENV"
        )
    url = os.environ.get("SHOUJIE_DATABASE_URL", DEFAULT_DATABASE_URL)
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
        trusted_proxies=trusted_proxies(os.environ.get("SHOUJIE_TRUSTED_PROXIES", "")),
        session_idle_minutes=_positive("SHOUJIE_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_positive("SHOUJIE_SESSION_MAX_HOURS", 12),
        token_max_hours=_positive("SHOUJIE_TOKEN_MAX_HOURS", 8),
    )


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
