"""Engines and sessions: SQLite with WAL and foreign keys, or PostgreSQL, behaving the same."""

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text

from cases.store import fastsql

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Python's sqlite3 opens transactions lazily; take the write lock at BEGIN so two
            # writers never deadlock upgrading a read lock (SQLite's "database is locked").
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Straight to the driver: every transaction sends it, and through exec_driver_sql it
            # costs more Python than SQLite spends on it (cases/store/fastsql.py).
            fastsql.send(conn, "BEGIN IMMEDIATE")

        return engine
    # No pre-ping: it costs a round trip per transaction; a dropped connection fails one request.
    return create_engine(url, pool_recycle=3600, **kwargs)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """The process's shared engine for a URL."""
    return make_engine(url)


def alembic_config(url: str) -> Config:
    """Alembic's configuration for this project's migrations and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Apply every migration to the database at ``url``."""
    command.upgrade(alembic_config(url), "heads")


def ping(engine: Engine) -> bool:
    """Whether the database answers."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar() == 1
