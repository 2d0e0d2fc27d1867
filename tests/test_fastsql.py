"""cases.fastsql: statements on the DBAPI cursor read and write exactly what SQLAlchemy's column
types do, inside the caller's transaction, and fail with SQLAlchemy's exceptions."""

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from cases.casework import intake, reading
from cases.runtime import Runtime
from cases.store import fastsql, records, statements, tables
from conftest import TZ, at
from tests.factories import case_in_state, intake_body, make_office

NOW = at("2026-11-05 10:00")
EVENT_COLUMNS = [c.name for c in tables.event_t.columns if c.name != "id"]


@pytest.fixture
def office(engine: Engine) -> Engine:
    """The engine with the test office's staff."""
    make_office(engine, NOW)
    return engine


def _register(engine: Engine, rt: Runtime) -> dict[str, Any]:
    with engine.begin() as conn:
        return intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW)


def _event(case_id: int, seq: int, **overrides: Any) -> dict[str, Any]:
    values = {
        "case_id": case_id,
        "seq": seq,
        "action": "note",
        "actor_staff_no": "A001",
        # Not UTC, with microseconds: stored as the same instant in UTC.
        "at": datetime(2026, 11, 5, 18, 0, 1, 250, tzinfo=timezone(timedelta(hours=8))),
        "from_state": None,
        "to_state": "accepted",
        "payload": {"说明": "跟踪", "n": [1, 2.5, None], "ok": True},
        "public": False,
        "prev_hash": "a" * 64,
        "hash": "b" * 64,
        "on_time": True,
    }
    return {**values, **overrides}


def _rows(conn: Any, seq: int) -> Any:
    et = tables.event_t
    return conn.execute(select(et).where(et.c.seq == seq)).one()


def test_rows_written_either_way_read_the_same(office: Engine, rt: Runtime) -> None:
    _register(office, rt)
    with office.begin() as conn:
        case_id = conn.execute(select(tables.case_t.c.id)).scalar_one()
        stmt = fastsql.Insert(tables.event_t, EVENT_COLUMNS)
        fastsql.run(conn, stmt, stmt.values(_event(case_id, 100)))
        conn.execute(insert(tables.event_t), _event(case_id, 200))
        direct, through = _rows(conn, 100), _rows(conn, 200)
        read = fastsql.Statement(
            "SELECT "
            + ", ".join(EVENT_COLUMNS)
            + " FROM case_event WHERE seq IN (?, ?) ORDER BY seq",
            [tables.event_t.c.seq, tables.event_t.c.seq],
            [tables.event_t.c[n] for n in EVENT_COLUMNS],
        )
        fast = fastsql.all_rows(conn, read, (100, 200))
    for name in EVENT_COLUMNS:
        if name != "seq":
            assert getattr(direct, name) == getattr(through, name), name
            assert getattr(fast[0], name) == getattr(fast[1], name) == getattr(direct, name), name
    assert direct.at.tzinfo is not None and direct.at.utcoffset() == timedelta(0)
    assert fast[0].at == direct.at and fast[0].at.utcoffset() == timedelta(0)
    assert fast[0]._mapping["payload"] == {"说明": "跟踪", "n": [1, 2.5, None], "ok": True}


def test_the_case_loader_reads_what_sqlalchemy_reads(office: Engine, rt: Runtime) -> None:
    case_no = case_in_state(office, rt, "accepted", now=NOW)
    with office.connect() as conn:
        case_t, clock_t = tables.case_t, tables.clock_t
        slow = conn.execute(statements.CASE_QUERY.where(case_t.c.case_no == case_no)).one()
        fast = records.load_case(conn, case_no, for_update=False)
        slow_clocks = conn.execute(
            select(clock_t).where(clock_t.c.case_id == slow.id).order_by(clock_t.c.id)
        ).all()
        fast_clocks = records.load_clocks(conn, slow.id)
    assert tuple(fast) == tuple(slow)
    assert fast._mapping == dict(slow._mapping)
    assert fast_clocks == [records.clock_from_row(r) for r in slow_clocks]
    assert isinstance(fast.received_at, datetime) and isinstance(fast.details, dict)
    assert all(isinstance(c.start_on, date) for c in fast_clocks)


def test_intake_answers_what_a_fresh_read_renders(office: Engine, rt: Runtime) -> None:
    case = _register(office, rt)
    with office.connect() as conn:
        shown = reading.show(conn, rt, case_no=case["case_no"], viewer_staff_no="A001", now=NOW)
    answered = {k: v for k, v in case.items() if k not in ("query_code", "jurisdiction")}
    assert answered == shown


def test_a_statement_belongs_to_the_callers_transaction(office: Engine, rt: Runtime) -> None:
    _register(office, rt)
    with pytest.raises(RuntimeError), office.begin() as conn:
        case_id = conn.execute(select(tables.case_t.c.id)).scalar_one()
        stmt = fastsql.Insert(tables.event_t, EVENT_COLUMNS)
        fastsql.run(conn, stmt, stmt.values(_event(case_id, 100)))
        raise RuntimeError("roll back")
    with office.connect() as conn:
        assert conn.execute(select(tables.event_t.c.seq)).scalars().all() == [1]
    with office.connect() as conn:
        # Nothing sent yet: the statement begins the transaction, as SQLAlchemy's autobegin would.
        assert not conn.in_transaction()
        assert records.load_case(conn, "2099-000001", for_update=False) is None
        assert conn.in_transaction()


def test_driver_errors_are_sqlalchemys(office: Engine, rt: Runtime) -> None:
    _register(office, rt)
    with pytest.raises(IntegrityError), office.begin() as conn:
        case_id = conn.execute(select(tables.case_t.c.id)).scalar_one()
        stmt = fastsql.Insert(tables.event_t, EVENT_COLUMNS)
        fastsql.run(conn, stmt, stmt.values(_event(case_id, 1)))  # (case_id, seq) is taken


def test_naive_datetimes_are_refused(office: Engine) -> None:
    stmt = fastsql.Insert(tables.event_t, EVENT_COLUMNS)
    with pytest.raises(ValueError, match="naive"), office.begin() as conn:
        fastsql.run(conn, stmt, stmt.values(_event(1, 1, at=datetime(2026, 11, 5, 10))))


def test_a_column_left_out_gets_its_python_default() -> None:
    stmt = fastsql.Insert(tables.event_t, [n for n in EVENT_COLUMNS if n not in ("public",)])
    assert stmt.sql.endswith('"public") VALUES (' + ", ".join("?" * len(EVENT_COLUMNS)) + ")")
    values = stmt.values(_event(1, 1))
    assert values[-1] is False and len(values) == len(EVENT_COLUMNS)


def test_local_times_keep_their_instant(office: Engine, rt: Runtime) -> None:
    case = _register(office, rt)
    with office.connect() as conn:
        record = records.load_case(conn, case["case_no"], for_update=False)
    assert record.created_at == NOW
    assert record.created_at.astimezone(TZ).isoformat() == "2026-11-05T10:00:00+08:00"
