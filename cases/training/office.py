"""The training office: the same application over a database of its own, with its own keys and a
clock that the scenarios move (time jumps), so nothing of it can reach the real office.

The training database is ``SHOUJIE_TRAINING_DATABASE_URL``, or beside the real SQLite file
(``shoujie.db`` → ``shoujie-training.db``). On PostgreSQL it must be named: a database (or a
schema through ``options=-csearch_path=…``) of its own; the real office's URL is refused.
"""

import dataclasses
import os
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from cases import keys
from cases.db import reader, upgrade
from cases.demo import organisation
from cases.demo.records import DEMO_PASSWORD, OFFICE, STAFF
from cases.models import TrainingRun
from cases.settings import Clock, Settings
from workflow.errors import InvalidInput

run_t = TrainingRun.__table__


def training_database_url(main_url: str) -> str:
    """Where the training office lives: never the real office's database."""
    url = os.environ.get("SHOUJIE_TRAINING_DATABASE_URL", "").strip()
    if not url:
        if not main_url.startswith("sqlite:///") or ":memory:" in main_url:
            raise InvalidInput(
                "training.database_required",
                "请设置 SHOUJIE_TRAINING_DATABASE_URL（演练办公室须使用单独的数据库）",
                field="SHOUJIE_TRAINING_DATABASE_URL",
            )
        path = main_url.removeprefix("sqlite:///")
        stem, dot, ext = path.rpartition(".")
        named = f"{stem}-training.{ext}" if dot and "/" not in ext else f"{path}-training"
        url = f"sqlite:///{named}"
    if url == main_url:
        raise InvalidInput(
            "training.same_database",
            "演练办公室不能使用正式办公室的数据库",
            field="SHOUJIE_TRAINING_DATABASE_URL",
        )
    return url


def training_settings(real: Settings) -> Settings:
    """The training office's settings: its database, and keys of its own unless set outright."""
    url = training_database_url(real.database_url)

    def key(name: str) -> bytes:
        value = os.environ.get(name)
        return value.encode() if value else keys.kept_key(name, url)

    return dataclasses.replace(
        real,
        database_url=url,
        secret_key=key("SHOUJIE_SECRET_KEY"),
        data_key=key("SHOUJIE_DATA_KEY"),
        fixed_now=None,
    )


def prepare(engine: Engine, url: str | None, *, now: datetime) -> None:
    """Migrate the training database (when ``url`` is given) and set up the demo organisation:
    the office, its party branch and groups, and the demo logins (password ``shoujie-demo``)."""
    if url is not None:
        upgrade(url)
    with engine.begin() as conn:
        organisation.add_office(conn, OFFICE)
        organisation.add_staff(conn, STAFF, password=DEMO_PASSWORD, now=now)


def office_now(engine: Engine, real: datetime | None = None) -> datetime:
    """The training office's time: the latest a run has moved it to, or the real time if later.
    It only ever moves forward, so every run's trail stays in order."""
    real = real or datetime.now(UTC)
    # A reader: asked for inside a writer's transaction (a page's unit of work asks the clock),
    # it must not wait for that writer's lock (SQLite's BEGIN IMMEDIATE).
    with reader(engine).connect() as conn:
        latest = conn.execute(select(func.max(run_t.c.sim_now))).scalar()
    if latest is None:
        return real
    if latest.tzinfo is None:  # SQLite gives naive UTC back
        latest = latest.replace(tzinfo=UTC)
    return max(latest, real)


class TrainingClock(Clock):
    """ "Now" of the training office: moved by the scenarios' time jumps (``office_now``)."""

    def __init__(self, engine: Engine, real: Clock | None = None) -> None:
        super().__init__(None)
        self.engine = engine
        #: The real time underneath (a fixed one in tests).
        self.real = real or Clock()

    def now(self) -> datetime:
        """The training office's time."""
        return office_now(self.engine, self.real.now())
