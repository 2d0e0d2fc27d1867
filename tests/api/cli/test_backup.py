"""``shoujie backup`` and ``shoujie restore``: a backup taken while intakes go on restores to a
whole office (every case with its history, no gap in the numbers, the audit chain intact), into a
fresh database; a restore under other keys is refused in Chinese with exit 2."""

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from cases import db as cases_db
from cases.casework import intake
from cases.models import Case
from cases.runtime import Runtime
from cases.settings import settings
from tests.factories import intake_body

NOW = "2026-11-26T09:30:00+08:00"


class Writer(threading.Thread):
    """Registers cases one transaction after another until told to stop."""

    def __init__(self, engine: Engine, rt: Runtime) -> None:
        super().__init__(daemon=True)
        self.engine, self.rt = engine, rt
        self.stop = threading.Event()
        self.done: list[str] = []
        self.errors: list[BaseException] = []

    def run(self) -> None:
        from cases.settings import parse_instant

        now = parse_instant(NOW)
        while not self.stop.is_set():
            try:
                with self.engine.begin() as conn:
                    answer = intake.intake(
                        conn, self.rt, body=intake_body(), actor_staff_no="A017", now=now
                    )
                self.done.append(answer["case_no"])
            except BaseException as exc:  # noqa: BLE001  (reported by the test)
                self.errors.append(exc)
                return

    def wait_for(self, count: int) -> None:
        while len(self.done) < count and not self.errors and self.is_alive():
            self.stop.wait(0.05)


@pytest.fixture
def fresh_url(shoujie: Any, tmp_path: Path) -> Iterator[str]:
    """Another, empty database on the same backend, dropped afterwards."""
    url = make_url(shoujie.url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"shoujie_restore_{uuid.uuid4().hex[:8]}"
    # A plain engine, without the app's statement timeout: dropping a database on a busy machine
    # may take longer than a request is allowed to.
    admin = create_engine(shoujie.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        cases_db.engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", url)
    settings.cache_clear()
    cases_db.engine_for.cache_clear()


def test_a_backup_under_load_restores_a_whole_office(
    shoujie: Any,
    fresh_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Intakes keep committing during the backup; the restored copy verifies and has no gap."""
    engine = cases_db.make_engine(shoujie.url)
    writer = Writer(engine, Runtime.from_settings(settings()))
    writer.start()
    try:
        writer.wait_for(5)
        assert shoujie("backup", str(tmp_path / "office.bak")) == 0
        before = len(writer.done)
        writer.wait_for(before + 3)  # the writer was not held up by the backup
    finally:
        writer.stop.set()
        writer.join()
        engine.dispose()
    assert not writer.errors
    assert shoujie("keys", "export", str(tmp_path / "office.keys")) == 0
    assert shoujie("backup", str(tmp_path / "office.bak")) == 2  # never over a backup

    use_database(monkeypatch, fresh_url)
    assert shoujie("keys", "import", "--replace", str(tmp_path / "office.keys")) == 0
    capsys.readouterr()
    assert shoujie("restore", str(tmp_path / "office.bak")) == 0
    out = capsys.readouterr().out
    assert "审计链校验 / audit verify: OK" in out

    restored = cases_db.make_engine(fresh_url)
    with restored.connect() as conn:
        numbers = sorted(conn.execute(select(Case.__table__.c.case_no)).scalars())
    restored.dispose()
    # A snapshot: the cases committed before the backup began are all there, numbered without
    # a gap, and nothing the writer never committed.
    assert 5 <= len(numbers) <= len(writer.done)
    assert numbers == sorted(writer.done)[: len(numbers)]
    assert [int(n.split("-")[1]) for n in numbers] == list(range(1, len(numbers) + 1))


def test_a_restore_under_other_keys_is_refused(
    shoujie: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Restored under other keys, every identity number would be unreadable: refused, nothing done."""
    assert shoujie("backup", str(tmp_path / "office.bak")) == 0
    monkeypatch.setenv("SHOUJIE_SECRET_KEY", "another-secret-key-0123456789abcdef0123456789")
    monkeypatch.setenv("SHOUJIE_DATA_KEY", "another-data-key-0123456789abcdef0123456789ab")
    settings.cache_clear()
    capsys.readouterr()
    assert shoujie("restore", str(tmp_path / "office.bak")) == 2
    err = capsys.readouterr().err
    assert "密钥" in err and "backup.wrong_key" in err
    (tmp_path / "not-a-backup").write_text("hello")
    assert shoujie("restore", str(tmp_path / "not-a-backup")) == 2
