"""SQLite: reads never take the write lock. ``audit verify`` walks the chain in a deferred
transaction (a WAL snapshot), so a writer commits while a verify is in the middle of its walk."""

import threading
from typing import Any

from sqlalchemy import Engine, event

from cases.audit import verify
from cases.casework import actions, intake
from cases.db import make_engine, reader
from cases.runtime import Runtime
from cases.store.retry import in_transaction
from conftest import at
from tests.factories import intake_body, make_office

NOW = at("2026-11-26 10:00")
CASES = 30
NOTES = 4


def _traced(url: str, statements: list[str], hook: Any = None) -> Engine:
    """An engine whose connections report every statement SQLite runs, BEGIN included."""
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _trace(dbapi_conn: Any, _record: Any) -> None:
        def seen(sql: str) -> None:
            statements.append(sql)
            if hook:
                hook(sql)

        dbapi_conn.set_trace_callback(seen)

    return engine


def _office_with_history(engine: Engine, rt: Runtime) -> None:
    make_office(engine, NOW)
    for _ in range(CASES):
        with engine.begin() as conn:
            case_no = intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW)[
                "case_no"
            ]
        for _ in range(NOTES):
            with engine.begin() as conn:
                actions.act(
                    conn,
                    rt,
                    case_no=case_no,
                    action="note",
                    actor_staff_no="A001",
                    payload={"text": "电话回访信访人"},
                    now=NOW,
                )


def test_a_writer_commits_while_audit_verify_is_walking(sqlite_engine: Engine, rt: Runtime) -> None:
    """The verify is held in the middle of its walk; an intake meanwhile is not blocked."""
    _office_with_history(sqlite_engine, rt)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    walking, resume = threading.Event(), threading.Event()

    def pause_in_the_walk(sql: str) -> None:
        if "FROM case_event" in sql and not walking.is_set():
            walking.set()
            resume.wait(timeout=120)

    verify_sql: list[str] = []
    verifier = _traced(url, verify_sql, pause_in_the_walk)
    outcome: list[Any] = []

    def run_verify() -> None:
        with reader(verifier).connect() as conn:
            outcome.append(verify(conn, rt.audit_key))

    thread = threading.Thread(target=run_verify)
    thread.start()
    assert walking.wait(timeout=120), "the verify never reached the events"

    write_sql: list[str] = []
    writer = _traced(url, write_sql)

    @event.listens_for(writer, "connect")
    def _short_busy_timeout(dbapi_conn: Any, _record: Any) -> None:
        # A writer blocked by the verify would fail here after 5 s instead of waiting 30 s.
        dbapi_conn.execute("PRAGMA busy_timeout = 5000")

    case = in_transaction(
        writer,
        lambda conn: intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW),
        attempts=1,
    )
    assert case["case_no"]
    assert thread.is_alive(), "the verify was still walking while the writer committed"
    resume.set()
    thread.join(timeout=120)

    assert outcome and outcome[0].broken is None
    assert outcome[0].events == CASES * (NOTES + 1)  # its snapshot: the new case came after
    begins = [s for s in verify_sql if s.upper().startswith("BEGIN")]
    assert begins == ["BEGIN"]
    assert "BEGIN IMMEDIATE" in write_sql
    verifier.dispose()
    writer.dispose()


def test_api_reads_take_no_write_lock(sqlite_engine: Engine, rt: Runtime) -> None:
    """Reading a case over the API opens only deferred transactions on SQLite."""
    from tests.web import bearer, client, make_app, make_web_office

    make_web_office(sqlite_engine)
    app = make_app(sqlite_engine, rt)
    c = client(app)
    case_no = c.post("/api/v1/cases", json=intake_body(), headers=bearer(app, "A001")).json()[
        "case_no"
    ]
    seen: list[str] = []
    engine = _traced(sqlite_engine.url.render_as_string(hide_password=False), seen)
    app = make_app(engine, rt)
    c = client(app)
    headers = bearer(app, "A001")  # a token is a row now: issuing it writes
    seen.clear()
    assert c.get(f"/api/v1/cases/{case_no}", headers=headers).status_code == 200
    assert c.get("/api/v1/cases", headers=headers).status_code == 200
    assert c.get(f"/api/v1/cases/{case_no}/events", headers=headers).status_code == 200
    begins = {s for s in seen if s.upper().startswith("BEGIN")}
    assert begins == {"BEGIN"}
    engine.dispose()
