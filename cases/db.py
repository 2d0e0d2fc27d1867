"""Engines and sessions: SQLite with WAL and foreign keys, or PostgreSQL, behaving the same."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text

from cases.settings import PoolSettings, pool_settings
from cases.store import fastsql

MIGRATIONS = Path(__file__).parent / "migrations"


#: Execution option of an engine whose transactions only read (``reader``).
READ_ONLY = "shoujie_read_only"


def pool_options(pool: PoolSettings, *, memory: bool = False) -> dict[str, Any]:
    """``create_engine`` arguments for the pool settings (none for an in-memory SQLite)."""
    if memory:
        return {}
    return {
        "pool_size": pool.size,
        "max_overflow": pool.max_overflow,
        "pool_timeout": pool.timeout,
    }


def private_sqlite_file(url: str) -> None:
    """Create an SQLite database file readable by its owner only (0600), and take group and
    others' access from one made before: it holds the office's cases. SQLite gives its WAL and
    shared-memory files the database file's mode."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        if not path.parent.is_dir():
            return  # SQLite itself says why it cannot open it
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except (FileNotFoundError, PermissionError):
            pass


def make_engine(url: str, pool: PoolSettings | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL a
    statement timeout. ``pool`` sizes the connection pool (``SHOUJIE_DB_POOL_*``)."""
    pool = pool or PoolSettings()
    if url.startswith("sqlite"):
        memory = ":memory:" in url or url.rstrip("/") in ("sqlite:", "sqlite:/")
        if not memory:
            private_sqlite_file(url)
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            **pool_options(pool, memory=memory),
            **kwargs,
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
            # costs more Python than SQLite spends on it (cases/store/fastsql.py). A reader's
            # transaction is deferred: in WAL it reads a snapshot and never takes the write lock.
            read_only = conn.get_execution_options().get(READ_ONLY)
            fastsql.send(conn, "BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    connect_args = dict(kwargs.pop("connect_args", {}))
    if pool.statement_timeout_ms:
        # A statement running longer is cancelled (SQLSTATE 57014) and the request answered 503.
        options = connect_args.get("options", "")
        connect_args["options"] = (
            f"{options} -c statement_timeout={pool.statement_timeout_ms}".strip()
        )
    # No pre-ping: it costs a round trip per transaction; a dropped connection fails one request
    # with 503 and the pool replaces it.
    return create_engine(
        url, pool_recycle=3600, connect_args=connect_args, **pool_options(pool), **kwargs
    )


def reader(engine: Engine) -> Engine:
    """The same engine for work that only reads: on SQLite its transactions are deferred
    (``BEGIN``), so a long read such as ``audit verify`` never holds up a writer."""
    return engine.execution_options(**{READ_ONLY: True})


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """The process's shared engine for a URL, its pool sized from the environment."""
    return make_engine(url, pool_settings())


def alembic_config(url: str) -> Config:
    """Alembic's configuration for this project's migrations and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Apply every migration to the database at ``url``."""
    if url.startswith("sqlite") and ":memory:" not in url:
        private_sqlite_file(url)
    command.upgrade(alembic_config(url), "heads")


def ping(engine: Engine) -> bool:
    """Whether the database answers."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar() == 1
