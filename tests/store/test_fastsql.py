"""cases.store.fastsql: every hot statement (``cases.store.statements``), compiled by SQLAlchemy and
run on the DBAPI cursor, writes what the ORM reads back and reads what the ORM reads, on both
backends; it belongs to the caller's transaction and fails with SQLAlchemy's exceptions."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session
from sqlmodel import select as orm_select

from cases.casework import intake, reading
from cases.models import (
    Case,
    CaseClock,
    CaseCounter,
    CaseEvent,
    CaseKeyword,
    Office,
    Petitioner,
    Staff,
)
from cases.runtime import Runtime
from cases.store import fastsql, records, statements, tables
from conftest import TZ, at
from tests.factories import case_in_state, intake_body, make_office
from workflow import sla

NOW = at("2026-11-05 10:00")
EAST8 = timezone(timedelta(hours=8))
#: Not UTC, with microseconds: stored as the same instant in UTC, read back in UTC.
LOCAL = datetime(2026, 11, 5, 18, 0, 1, 250, tzinfo=EAST8)
#: A literal ? and % (and what looks like a placeholder) in text: values, never SQL.
TRICKY = "为什么?100% 的 %s 与 %(x)s 和 ?"
PAYLOAD = {"说明": "跟踪?", "n": [1, 2.5, None], "ok": True, "比例": "50%"}

#: The hot statements and the test below that runs each of them on both backends.
CHECKED = {
    "ACTOR": "test_reads_return_what_the_orm_reads",
    "CASE": "test_reads_return_what_the_orm_reads",
    "CASE_FOR_UPDATE": "test_reads_return_what_the_orm_reads",
    "CLOCKS": "test_reads_return_what_the_orm_reads",
    "OFFICE": "test_reads_return_what_the_orm_reads",
    "INSERT_PERSON": "test_inserts_write_what_the_orm_reads",
    "INSERT_CASE": "test_inserts_write_what_the_orm_reads",
    "INSERT_EVENT": "test_inserts_write_what_the_orm_reads",
    "TAKE_NUMBER": "test_updates_write_what_the_orm_reads",
    "SET_CHAIN_HEAD": "test_updates_write_what_the_orm_reads",
    "update_clock": "test_updates_write_what_the_orm_reads",
    "update_case": "test_updates_write_what_the_orm_reads",
}


@pytest.fixture
def office(engine: Engine) -> Engine:
    """The engine with the test office's staff."""
    make_office(engine, NOW)
    return engine


def _register(engine: Engine, rt: Runtime) -> dict[str, Any]:
    with engine.begin() as conn:
        return intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW)


def _orm(engine: Engine, model: Any, key: Any) -> dict[str, Any]:
    """A row as the ORM reads it: every column of the model's table, by name."""
    with Session(engine) as session:
        obj = session.get(model, key)
        assert obj is not None, (model.__name__, key)
        return {c.name: getattr(obj, c.name) for c in model.__table__.columns}


def _person(**overrides: Any) -> dict[str, Any]:
    values = {
        "name": TRICKY,
        "address": None,
        "created_at": LOCAL,
        "id_number_enc": None,
        "id_number_index": None,
        "id_number_masked": "3201**********123X",
        "phone_enc": "enc?%",
        "phone_index": "idx",
        "phone_masked": None,
    }
    return {**values, **overrides}


def _case(owner_id: int, petitioner_id: int, seq: int) -> dict[str, Any]:
    return {
        "case_no": f"2026-{seq:06d}",
        "year": 2026,
        "seq": seq,
        "state": "registered",
        "category": "appeal",
        "channel": "visit",
        "subject": TRICKY,
        "content": "LIKE '%?%' -- 不是 SQL",
        "requests": "",
        "region_code": "320102",
        "group_size": 3,
        "confidential": True,
        "accused_name": None,
        "accused_unit": None,
        "skip_level": False,
        "repeat_of_id": None,
        "owner_id": owner_id,
        "petitioner_id": petitioner_id,
        "received_at": LOCAL,
        "query_code_hash": "q" * 64,
        "extended": False,
        "hearing_open": True,
        "partner_accepted": False,
        "details": PAYLOAD,
        "chain_hash": "c" * 64,
        "last_event_hash": "e" * 64,
        "event_count": 1,
        "created_at": NOW,
        "updated_at": LOCAL,
        "version": 1,
        "acceptance_due": date(2026, 11, 26),
        "handling_due": None,
    }


def _event(case_id: int, seq: int, **overrides: Any) -> dict[str, Any]:
    values = {
        "case_id": case_id,
        "seq": seq,
        "action": "note",
        "actor_staff_no": "A001",
        "at": LOCAL,
        "from_state": None,
        "to_state": "accepted",
        "payload": PAYLOAD,
        "public": False,
        "prev_hash": "a" * 64,
        "hash": "b" * 64,
        "on_time": True,
        "request_id": "req-1",
        "state_digest": {"case": "c" * 32},
    }
    return {**values, **overrides}


def _clock(case_id: int, name: str, **overrides: Any) -> dict[str, Any]:
    values = {
        "case_id": case_id,
        "name": name,
        "status": "running",
        "started_at": LOCAL,
        "start_on": date(2026, 11, 6),
        "days": 15,
        "unit": "calendar",
        "extra_days": 0,
        "due_date": date(2026, 11, 20),
        "due_at": datetime(2026, 11, 20, 15, 59, 59, 999999, tzinfo=UTC),
        "provisional": True,
        "reckoning": "calendar",
        "level": None,
        "paused_on": None,
        "fixed_due": False,
        "stopped_at": None,
        "next_fire_at": datetime(2026, 11, 17, 1, 0, tzinfo=UTC),
    }
    return {**values, **overrides}


def _ids(engine: Engine) -> tuple[int, int]:
    """The owner's id and a petitioner's id (written through SQLAlchemy)."""
    with engine.begin() as conn:
        owner = conn.execute(
            select(tables.staff_t.c.id).where(tables.staff_t.c.staff_no == "A001")
        ).scalar_one()
        person = conn.execute(
            insert(tables.petitioner_t).returning(tables.petitioner_t.c.id), _person()
        ).scalar_one()
    return owner, person


def _utc(value: Any) -> Any:
    """An aware datetime's instant must come back in UTC, as UTCDateTime reads it."""
    if isinstance(value, datetime):
        assert value.utcoffset() == timedelta(0), value
    return value


def test_every_hot_statement_is_checked_here() -> None:
    found = {
        name
        for name, v in vars(statements).items()
        if isinstance(v, fastsql.Statement)
        or (callable(v) and getattr(v, "__module__", None) == statements.__name__)
    }
    assert found == set(CHECKED)
    assert all(name in globals() for name in CHECKED.values())


def test_inserts_write_what_the_orm_reads(office: Engine) -> None:
    owner, _ = _ids(office)
    with office.begin() as conn:
        person = fastsql.first(conn, statements.INSERT_PERSON, _person())
        written = _case(owner, person.id, 1)
        row = fastsql.first(conn, statements.INSERT_CASE, written)
        fastsql.run(conn, statements.INSERT_EVENT, _event(row.id, 1))
        fastsql.run(conn, statements.INSERT_EVENT, _event(row.id, 2, payload=None, on_time=None))
        clocks = [_clock(row.id, "acceptance"), _clock(row.id, "tracking", provisional=False)]
        clock_ids = fastsql.insert_returning_ids(conn, tables.clock_t, clocks)
        keywords = [
            {
                "case_id": row.id,
                "term": t,
                "weight": w,
                "region_code": "320102",
                "received_at": LOCAL,
            }
            for t, w in (("工资?", 0.5), ("100%", 1.25))
        ]
        fastsql.insert_rows(conn, CaseKeyword.__table__, keywords)

    assert _orm(office, Petitioner, person.id) == {"id": person.id, **_person()}
    case = _orm(office, Case, row.id)
    assert case == {**dict.fromkeys(case), **written, "id": row.id}
    # The INSERT's RETURNING row is the row as read: what the intake answers with.
    assert row._mapping == case
    assert all(_utc(v) is not None for v in (row.received_at, row.updated_at, row.created_at))
    with Session(office) as session:
        events = session.exec(orm_select(CaseEvent).order_by(CaseEvent.seq)).all()
        assert [e.payload for e in events] == [PAYLOAD, None]
        assert [e.on_time for e in events] == [True, None]
        assert [_utc(e.at) for e in events] == [LOCAL, LOCAL]
        assert events[0].from_state is None and events[0].public is False
        stored = session.exec(orm_select(CaseKeyword).order_by(CaseKeyword.term)).all()
        assert [(k.term, k.weight, _utc(k.received_at)) for k in stored] == [
            ("100%", 1.25, LOCAL),
            ("工资?", 0.5, LOCAL),
        ]
    for clock_id, clock in zip(clock_ids, clocks, strict=True):
        assert _orm(office, CaseClock, clock_id) == {"id": clock_id, **clock}


def test_reads_return_what_the_orm_reads(office: Engine) -> None:
    owner, person = _ids(office)
    with office.begin() as conn:
        # Written through SQLAlchemy, not through fastsql: the reads are checked on their own.
        case_id = conn.execute(
            insert(tables.case_t).returning(tables.case_t.c.id),
            {**_case(owner, person, 1), "transferred_on": date(2026, 11, 7), "rated_at": LOCAL},
        ).scalar_one()
        conn.execute(
            insert(tables.clock_t),
            [
                _clock(case_id, "acceptance", status="stopped", stopped_at=LOCAL, level="warning"),
                _clock(case_id, "tracking", paused_on=date(2026, 11, 8), fixed_due=True),
            ],
        )
        conn.execute(
            insert(tables.office_t),
            {"name": TRICKY, "level": "city", "region_code": "320100", "policy": PAYLOAD},
        )
    case = _orm(office, Case, case_id)
    with Session(office) as session:
        staff = session.get(Staff, owner)
        petitioner = session.get(Petitioner, person)
        orm_clocks = session.exec(
            orm_select(CaseClock).where(CaseClock.case_id == case_id).order_by(CaseClock.id)
        )
        clocks = [{c.name: getattr(o, c.name) for c in tables.clock_t.columns} for o in orm_clocks]
        office_row = session.exec(orm_select(Office)).one()
        assert staff is not None and petitioner is not None
        joined = {
            "owner_staff_no": staff.staff_no,
            "owner_name": staff.name,
            "p_name": petitioner.name,
            "p_id_masked": petitioner.id_number_masked,
            "p_phone_masked": petitioner.phone_masked,
            "p_address": petitioner.address,
        }
        actor = {n: getattr(staff, n) for n in ("id", "staff_no", "name", "role", "unit")}
        actor["group_id"] = staff.group_id
        office_values = (office_row.level, office_row.region_code, office_row.policy)

    with office.begin() as conn:
        for stmt in (statements.CASE, statements.CASE_FOR_UPDATE):
            fast = fastsql.first(conn, stmt, {"case_no": "2026-000001"})
            assert fast._mapping == {**case, **joined}
            assert _utc(fast.rated_at) == LOCAL and fast.transferred_on == date(2026, 11, 7)
        fast_clocks = fastsql.all_rows(conn, statements.CLOCKS, {"case_id": case_id})
        assert [c._mapping for c in fast_clocks] == clocks
        assert fastsql.first(conn, statements.ACTOR, {"staff_no": "A001"})._mapping == actor
        assert tuple(fastsql.first(conn, statements.OFFICE)) == office_values
        assert fastsql.first(conn, statements.CASE, {"case_no": "2026-999999"}) is None


def test_updates_write_what_the_orm_reads(office: Engine, rt: Runtime) -> None:
    case_no = _register(office, rt)["case_no"]
    with office.begin() as conn:
        record = records.load_case(conn, case_no, for_update=True)
        clocks = records.load_clocks(conn, record.id)
        taken = fastsql.first(conn, statements.TAKE_NUMBER, {"year": 2026})
        fastsql.run(conn, statements.SET_CHAIN_HEAD, {"chain_head": TRICKY, "year": 2026})
        assert fastsql.first(conn, statements.TAKE_NUMBER, {"year": 2027}) is None
        changed = {
            **records.clock_values(clocks[0]),
            "status": "stopped",
            "stopped_at": LOCAL,
            "next_fire_at": None,
            "level": "overdue",
            "paused_on": date(2026, 11, 9),
            "provisional": False,
            "fixed_due": True,
        }
        fastsql.executemany(
            conn,
            statements.update_clock(tuple(statements.CLOCK_COLUMNS)),
            [{**changed, "clock_id": clocks[0].id}],
        )
        extra = {"outcome": TRICKY, "details": PAYLOAD, "rated_at": LOCAL}
        moved = fastsql.run(
            conn,
            statements.update_case(tuple(sorted(extra))),
            {
                **extra,
                "state": "accepted",
                "event_count": 2,
                "last_event_hash": "f" * 64,
                "updated_at": LOCAL,
                "version": 2,
                "case_id": record.id,
                "expected_version": 1,
            },
        )
        stale = fastsql.run(
            conn,
            statements.update_case(()),
            {
                "state": "closed",
                "event_count": 3,
                "last_event_hash": "0" * 64,
                "updated_at": NOW,
                "version": 3,
                "case_id": record.id,
                "expected_version": 1,
            },
        )
    assert (taken.last_seq, moved, stale) == (2, 1, 0)
    assert _orm(office, CaseCounter, 2026)["chain_head"] == TRICKY
    assert _orm(office, CaseCounter, 2026)["last_seq"] == 2
    assert _orm(office, CaseClock, clocks[0].id) == {
        "id": clocks[0].id,
        "case_id": record.id,
        **changed,
    }
    case = _orm(office, Case, record.id)
    assert {k: case[k] for k in (*extra, "state", "version", "updated_at")} == {
        **extra,
        "state": "accepted",
        "version": 2,
        "updated_at": LOCAL,
    }


class Reversed(TypeDecorator[str]):
    """A stand-in for an encrypting column type: stores the text reversed."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        """Reverse on the way in."""
        return None if value is None else value[::-1]

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        """Reverse on the way out."""
        return None if value is None else value[::-1]


def test_sqlite_keeps_sqlalchemys_datetime_text(sqlite_engine: Engine) -> None:
    # UTCDateTime writes SQLite's DATETIME text itself (faster): the same text as SQLAlchemy's.
    standard = sqlite_dialect.DATETIME().bind_processor(sqlite_engine.dialect)
    with sqlite_engine.begin() as conn:
        fastsql.first(conn, statements.INSERT_PERSON, _person())
        stored = conn.execute(text("SELECT created_at FROM petitioner")).scalar_one()
    assert stored == standard(LOCAL.astimezone(UTC).replace(tzinfo=None))
    assert stored == "2026-11-05 10:00:01.000250"


def test_a_type_decorator_is_applied_both_ways(engine: Engine) -> None:
    meta = MetaData()
    secret = Table(
        "fastsql_secret",
        meta,
        Column("id", Integer, primary_key=True),
        Column("body", Reversed),
        Column("note", String(40)),
    )
    meta.create_all(engine)
    try:
        with engine.begin() as conn:
            ids = fastsql.insert_returning_ids(
                conn, secret, [{"body": "明文?%", "note": "a"}, {"body": None, "note": "b"}]
            )
            read = fastsql.Statement(select(secret.c.body, secret.c.note).order_by(secret.c.id))
            fast = [tuple(r) for r in fastsql.all_rows(conn, read)]
            raw = conn.execute(text("SELECT body FROM fastsql_secret ORDER BY id")).scalars().all()
            core = conn.execute(select(secret.c.body).order_by(secret.c.id)).scalars().all()
        assert fast == [("明文?%", "a"), (None, "b")]
        assert raw == ["%?文明", None] and core == ["明文?%", None]
        assert len(set(ids)) == 2
    finally:
        meta.drop_all(engine)


@pytest.mark.parametrize(
    "names",
    [
        ["acceptance", "tracking", "handling"],  # told apart by their names
        ["tracking", "tracking", "acceptance"],  # by their names and the rest of their values
    ],
)
def test_ids_come_back_in_the_rows_order_whatever_order_returning_gives(
    office: Engine, rt: Runtime, monkeypatch: pytest.MonkeyPatch, names: list[str]
) -> None:
    _register(office, rt)
    days = [15, 30, 60]
    rows = [_clock(1, name, days=d) for name, d in zip(names, days, strict=True)]
    real = fastsql.all_rows
    monkeypatch.setattr(fastsql, "all_rows", lambda *a, **k: real(*a, **k)[::-1])
    with office.begin() as conn:
        ids = fastsql.insert_returning_ids(conn, tables.clock_t, rows)
        same = fastsql.insert_returning_ids(conn, tables.clock_t, [rows[0], rows[0]])
        written = {
            r.id: (r.name, r.days)
            for r in conn.execute(
                select(tables.clock_t.c.id, tables.clock_t.c.name, tables.clock_t.c.days)
            )
        }
    assert [written[i] for i in ids] == list(zip(names, days, strict=True))
    assert len(set(ids + same)) == 5 and written[same[0]] == written[same[1]]


def test_parameters_are_placed_as_the_compiled_statement_says(engine: Engine) -> None:
    values = _event(7, 3)
    with engine.connect() as conn:
        dialect = conn.dialect
        compiled = statements.INSERT_EVENT.statement.compile(
            dialect=dialect, column_keys=statements.EVENT_COLUMNS
        )
        bound = statements.INSERT_EVENT.plan(dialect).bound(values)

    def adapted(name: str) -> Any:
        process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        return values[name] if process is None else process(values[name])

    def plain(value: Any) -> Any:
        return getattr(value, "obj", value)  # psycopg's Json wrapper has no equality

    if compiled.positional:  # SQLite's qmark: in the compiled statement's order
        assert bound == [adapted(name) for name in compiled.positiontup or ()]
    else:  # psycopg's pyformat: by the compiled statement's names
        expected = {name: plain(adapted(name)) for name in compiled.bind_names.values()}
        assert {k: plain(v) for k, v in bound.items()} == expected
    assert set(statements.EVENT_COLUMNS) <= set(compiled.binds)


def test_a_changed_clock_has_only_its_changed_columns_written(office: Engine, rt: Runtime) -> None:
    case_no = _register(office, rt)["case_no"]
    with office.begin() as conn:
        record = records.load_case(conn, case_no, for_update=True)
        before = records.load_clocks(conn, record.id)
        # Changed behind the loaded copy's back: a column the write does not touch keeps it.
        conn.execute(
            update(tables.clock_t)
            .where(tables.clock_t.c.id == before[0].id)
            .values(reckoning="elsewhere")
        )
        stopped = sla.stop_clock(before[0], LOCAL)
        started = records.write_clocks(conn, record.id, [stopped], [], before=before)
        after = records.load_clocks(conn, record.id)
    assert started == []
    assert after[0] == replace(stopped, reckoning="elsewhere")
    assert after[1] == before[1]


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
        fastsql.run(conn, statements.INSERT_EVENT, _event(case_id, 100))
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
        fastsql.run(conn, statements.INSERT_EVENT, _event(case_id, 1))  # (case_id, seq) is taken


def test_naive_datetimes_are_refused(office: Engine) -> None:
    with pytest.raises(ValueError, match="naive"), office.begin() as conn:
        fastsql.run(conn, statements.INSERT_EVENT, _event(1, 1, at=datetime(2026, 11, 5, 10)))


def test_a_missing_parameter_is_named(office: Engine) -> None:
    values = _event(1, 1)
    del values["hash"]
    with pytest.raises(KeyError, match="'hash'"), office.begin() as conn:
        fastsql.run(conn, statements.INSERT_EVENT, values)


def test_a_column_left_out_gets_its_python_default(office: Engine, rt: Runtime) -> None:
    _register(office, rt)
    columns = [n for n in statements.EVENT_COLUMNS if n not in ("public", "payload")]
    stmt = fastsql.insert_statement(tables.event_t, columns)
    with office.begin() as conn:
        assert "public" in stmt.sql(conn.dialect) and "payload" in stmt.sql(conn.dialect)
        values = {k: v for k, v in _event(1, 2).items() if k in columns}
        fastsql.run(conn, stmt, values)
    with Session(office) as session:
        event = session.exec(orm_select(CaseEvent).where(CaseEvent.seq == 2)).one()
    assert (event.public, event.payload) == (False, {})


def test_local_times_keep_their_instant(office: Engine, rt: Runtime) -> None:
    case = _register(office, rt)
    with office.connect() as conn:
        record = records.load_case(conn, case["case_no"], for_update=False)
    assert record.created_at == NOW
    assert record.created_at.astimezone(TZ).isoformat() == "2026-11-05T10:00:00+08:00"
