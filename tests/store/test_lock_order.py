"""One lock order for the whole system: the sweeper beside users writing on the same cases never
deadlocks, nobody sees a database error, and every escalation level fires exactly once."""

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from cases.audit import verify
from cases.casework import actions, intake
from cases.models import CaseClock, Escalation
from cases.runtime import Runtime
from cases.store.retry import in_transaction
from cases.supervision import sweeper
from conftest import at
from tests.factories import intake_body, make_office

RECEIVED = at("2026-11-02 10:00")
#: Every level of the acceptance clock is due by then (warning, overdue, 督办, 挂牌督办).
LATE = at("2026-12-10 10:00")
CASES = 24
WRITERS = 4
SWEEPERS = 2


def _register(engine: Engine, rt: Runtime) -> list[str]:
    out = []
    for _ in range(CASES):
        with engine.begin() as conn:
            case = intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=RECEIVED)
        out.append(case["case_no"])
    return out


def test_sweeper_beside_concurrent_writers_fires_each_level_once(
    engine: Engine, rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """Sweepers in small batches and users noting on the same cases in the opposite order."""
    make_office(engine, RECEIVED)
    case_nos = _register(engine, rt)
    errors: list[BaseException] = []
    results: list[dict[str, Any]] = []
    sweeping = threading.Event()
    sweepers_done = threading.Event()
    start = threading.Barrier(WRITERS + SWEEPERS)

    def writer(n: int) -> None:
        # Newest cases first: the sweeper goes oldest first, so the two meet in opposite orders.
        order = list(reversed(case_nos))[n::WRITERS] + list(reversed(case_nos))
        try:
            start.wait()
            for case_no in order:
                if sweepers_done.is_set() and sweeping.is_set():
                    break
                in_transaction(
                    engine,
                    lambda conn, case_no=case_no: actions.act(
                        conn,
                        rt,
                        case_no=case_no,
                        action="note",
                        actor_staff_no="A001",
                        payload={"text": "电话回访信访人"},
                        now=LATE,
                    ),
                )
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    def sweep(_: int) -> None:
        try:
            start.wait()
            sweeping.set()
            results.append(sweeper.sweep(engine, rt, now=LATE, batch_size=3))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    sweepers = [threading.Thread(target=sweep, args=(i,)) for i in range(SWEEPERS)]
    for t in threads + sweepers:
        t.start()
    for t in sweepers:
        t.join(timeout=300)
    sweepers_done.set()
    for t in threads:
        t.join(timeout=300)

    assert errors == []
    # Not even retried: with one lock order there is no deadlock to retry (the retry is a net).
    assert not [r for r in caplog.records if "40P01" in r.getMessage()]
    # Whatever a user's note left due (none: notes only restart tracking) is fired by a last pass.
    results.append(sweeper.sweep(engine, rt, now=LATE))
    e, c = Escalation.__table__, CaseClock.__table__
    with engine.connect() as conn:
        per_clock_level = conn.execute(
            select(c.c.case_id, e.c.level, func.count())
            .join(c, c.c.id == e.c.clock_id)
            .where(c.c.name == "acceptance")
            .group_by(c.c.case_id, e.c.level)
        ).all()
        assert verify(conn, rt.audit_key).broken is None
    assert len(per_clock_level) == CASES * 4
    assert {n for *_, n in per_clock_level} == {1}
    with engine.connect() as conn:
        written = conn.execute(select(func.count()).select_from(e)).scalar_one()
    # Each escalation written was counted by exactly one sweeper: none lost, none twice.
    assert sum(sum(r["fired"].values()) for r in results) == written


@pytest.mark.parametrize("state", ["40P01", "40001"])
def test_a_deadlock_is_retried_then_succeeds(state: str) -> None:
    """A transaction that lost a deadlock runs again from the start; the caller sees its answer."""
    from sqlalchemy.exc import OperationalError

    from cases.store import retry

    class Orig(Exception):
        sqlstate = state

    tries = []

    def work() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise OperationalError("UPDATE case …", {}, Orig("deadlock detected"))
        return "done"

    assert retry.retrying(work) == "done"
    assert len(tries) == 3


def test_retries_are_bounded_and_other_errors_pass_through() -> None:
    """A conflict that never clears reaches the caller after the last try; a bug is not retried."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    from cases.store import retry

    class Busy(Exception):
        pass

    tries = []

    def locked() -> None:
        tries.append(1)
        raise OperationalError("BEGIN IMMEDIATE", {}, Busy("database is locked"))

    with pytest.raises(OperationalError):
        retry.retrying(locked, attempts=3)
    assert len(tries) == 3
    assert retry.is_unavailable(OperationalError("x", {}, Busy("database is locked")))

    def broken() -> None:
        tries.append(1)
        raise IntegrityError("INSERT", {}, Busy("UNIQUE constraint failed"))

    tries.clear()
    with pytest.raises(IntegrityError):
        retry.retrying(broken)
    assert len(tries) == 1
    assert not retry.is_unavailable(IntegrityError("x", {}, Busy("UNIQUE constraint failed")))


def test_a_failing_batch_does_not_abort_the_pass(
    engine: Engine, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch that still fails after its retries is left for the next pass; the others fire."""
    from sqlalchemy.exc import OperationalError

    from cases.store import retry

    make_office(engine, RECEIVED)
    case_nos = _register(engine, rt)[:6]
    real = sweeper.sweep_batch
    calls: list[list[int]] = []

    class Busy(Exception):
        pass

    def first_batch_locked(engine: Engine, rt: Runtime, now: Any, case_ids: list[int]) -> Any:
        calls.append(case_ids)
        if case_ids == calls[0]:
            raise OperationalError("UPDATE case_clock …", {}, Busy("database is locked"))
        return real(engine, rt, now, case_ids)

    monkeypatch.setattr(sweeper, "sweep_batch", first_batch_locked)
    monkeypatch.setattr(retry, "BASE_DELAY", 0.001)
    result = sweeper.sweep(engine, rt, now=LATE, batch_size=2)
    skipped = len(calls[0])
    assert result["fired"]["flagged"] == CASES - skipped  # every other case went on
    monkeypatch.setattr(sweeper, "sweep_batch", real)
    again = sweeper.sweep(engine, rt, now=LATE, batch_size=2)
    assert again["fired"]["flagged"] == skipped  # and the next pass fired the ones left
    assert case_nos


def test_statement_timeout_is_a_503_kind_of_error() -> None:
    """A statement running past SHOUJIE_DB_STATEMENT_TIMEOUT_MS is cancelled, and is answered as
    "database unavailable" (503), not as a bug."""
    from sqlalchemy import text

    from cases.db import make_engine
    from cases.settings import PoolSettings
    from cases.store import retry
    from conftest import PG_URL

    if not PG_URL:
        pytest.skip("SHOUJIE_TEST_DATABASE_URL unset")
    slow = make_engine(PG_URL, PoolSettings(statement_timeout_ms=50))
    with pytest.raises(Exception) as caught, slow.connect() as conn:
        conn.execute(text("SELECT pg_sleep(2)"))
    assert retry.is_unavailable(caught.value)
    slow.dispose()


def test_pool_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """SHOUJIE_DB_POOL_SIZE, _MAX_OVERFLOW, _POOL_TIMEOUT and _STATEMENT_TIMEOUT_MS."""
    from cases.settings import pool_settings
    from workflow.errors import InvalidInput

    monkeypatch.setenv("SHOUJIE_DB_POOL_SIZE", "3")
    monkeypatch.setenv("SHOUJIE_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("SHOUJIE_DB_POOL_TIMEOUT", "2.5")
    monkeypatch.setenv("SHOUJIE_DB_STATEMENT_TIMEOUT_MS", "8000")
    pool = pool_settings()
    assert (pool.size, pool.max_overflow, pool.timeout, pool.statement_timeout_ms) == (
        3,
        0,
        2.5,
        8000,
    )
    monkeypatch.setenv("SHOUJIE_DB_POOL_SIZE", "很多")
    with pytest.raises(InvalidInput):
        pool_settings()
