"""The ``shoujie`` fixture: the command line run in-process, as an operator uses it, against a
database it migrates itself, on SQLite and (when configured) on PostgreSQL."""

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from api.cli.main import main
from cases import db as cases_db
from cases.settings import settings

PG_URL = os.environ.get("SHOUJIE_TEST_DATABASE_URL")


def empty_postgres() -> str:
    """The test PostgreSQL database with an empty schema, so ``db upgrade`` starts from nothing."""
    assert PG_URL
    engine = cases_db.make_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return PG_URL


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not PG_URL, reason="SHOUJIE_TEST_DATABASE_URL unset"),
        ),
    ]
)
def shoujie(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """Run `shoujie …` in-process against a fresh database at a fixed test instant."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.db'}"
    else:
        url = empty_postgres()
        # Keys set as production sets them (the SQLite half uses the generated ones).
        monkeypatch.setenv("SHOUJIE_SECRET_KEY", "cli-test-secret-key-0123456789abcdef01234567")
        monkeypatch.setenv("SHOUJIE_DATA_KEY", "cli-test-data-key-0123456789abcdef0123456789")
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", url)
    monkeypatch.setenv("SHOUJIE_ENV", "test")
    monkeypatch.setenv("SHOUJIE_NOW", "2026-11-26T09:30:00+08:00")
    settings.cache_clear()

    def run(*args: str, stdin: str | None = None) -> int:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return main(list(args))

    assert run("db", "upgrade") == 0
    for no, name, role, post in (
        ("A017", "张敏", "receptionist", None),
        ("A018", "李强", "receptionist", None),
        ("S002", "陈刚", "supervisor", "group_leader"),
    ):
        extra = ["--post", post] if post else []
        assert run("user", "add", "--staff-no", no, "--name", name, "--role", role, *extra) == 0
    run.url = url  # type: ignore[attr-defined]
    yield run
    cases_db.engine_for(url).dispose()
    settings.cache_clear()
    cases_db.engine_for.cache_clear()
