"""Settings from the environment (contract.md), and the one injectable clock."""

import os
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from cases import keys
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

    @property
    def key_fingerprint(self) -> str:
        """The public name of this office's key pair, carried by its backups."""
        return keys.fingerprint(self.secret_key, self.data_key)


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
    )


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
