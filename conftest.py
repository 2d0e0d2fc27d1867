"""Shared fixtures: a fresh migrated database per test, on SQLite and (when configured) PostgreSQL."""

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import SQLModel

from cases.db import make_engine, upgrade
from cases.runtime import Runtime
from cases.settings import Settings


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own PostgreSQL database beside the configured one
    (made on first use), so workers never truncate each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        admin.dispose()
    mine = base.set(database=name).render_as_string(hide_password=False)
    # Modules read the variable at import (the CLI's conftest, subprocess servers): they get this one.
    os.environ["SHOUJIE_TEST_DATABASE_URL"] = mine
    return mine


PG_URL = _worker_database(os.environ.get("SHOUJIE_TEST_DATABASE_URL"))
TZ = ZoneInfo("Asia/Shanghai")

_template: dict[str, Path] = {}


# Hypothesis's per-example deadline is a timed assertion: on a busy machine it fails correct code.
hypothesis_settings.register_profile("shoujie", deadline=None)
hypothesis_settings.load_profile("shoujie")


def pytest_configure(config: pytest.Config) -> None:
    """Keys generated in tests go to a throw-away data directory, never the user's real home."""
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="shoujie-test-data-")
    os.environ.pop("SHOUJIE_KEYS_DIR", None)


def _sqlite_template(tmp_root: Path) -> Path:
    """Migrate once per session; each test copies the migrated file (fast, and still via Alembic)."""
    if "path" not in _template:
        path = tmp_root / "template.db"
        upgrade(f"sqlite:///{path}")
        _template["path"] = path
    return _template["path"]


_pg_migrated: dict[str, bool] = {}


def _pg_engine() -> Engine:
    assert PG_URL
    # Tests need no durability across a crash of the server: skipping the fsync per commit makes the
    # PostgreSQL half of the suite several times faster on this machine's disk.
    engine = make_engine(PG_URL, connect_args={"options": "-c synchronous_commit=off"})
    if not _pg_migrated:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(PG_URL)
        _pg_migrated["done"] = True
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return engine


def _backends() -> list[Any]:
    params: list[Any] = ["sqlite"]
    params.append(
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not PG_URL, reason="SHOUJIE_TEST_DATABASE_URL unset"),
        )
    )
    return params


def _fresh_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    if backend == "sqlite":
        template = _sqlite_template(tmp_path_factory.getbasetemp())
        path = tmp_path_factory.mktemp("db") / f"{uuid.uuid4().hex}.db"
        shutil.copy(template, path)
        return make_engine(f"sqlite:///{path}")
    return _pg_engine()


@pytest.fixture(params=_backends())
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A fresh, migrated database for one test."""
    eng = _fresh_engine(request.param, tmp_path_factory)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module", params=_backends())
def module_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One fresh, migrated database shared by a module's tests (for slow worlds that they only
    read, or that the module's last test alone changes)."""
    eng = _fresh_engine(request.param, tmp_path_factory)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A fresh SQLite database (for tests that need only one backend)."""
    template = _sqlite_template(tmp_path_factory.getbasetemp())
    path = tmp_path_factory.mktemp("db") / f"{uuid.uuid4().hex}.db"
    shutil.copy(template, path)
    eng = make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


@pytest.fixture
def rt() -> Runtime:
    """A runtime with test keys and the office's time zone."""
    return make_runtime()


def make_runtime() -> Runtime:
    """The runtime of the ``rt`` fixture, for fixtures of a wider scope."""
    s = Settings(
        database_url="unused",
        secret_key=b"test-secret-key-0123456789abcdef0123456789",
        data_key=b"test-data-key-0123456789abcdef0123456789ab",
        timezone=TZ,
        env="test",
        fixed_now=None,
    )
    return Runtime.from_settings(s)


def at(text_: str) -> datetime:
    """A Shanghai wall-clock time as an aware UTC instant: at('2026-11-26 09:30')."""
    return datetime.fromisoformat(text_).replace(tzinfo=TZ).astimezone(UTC)
