"""The demo office (``shoujie demo``): 省信访局接访处, its party branch of 13 members, and cases.

Everything is built through the service layer, at instants in the past relative to ``now``, so the
clocks, escalations and audit chain are those a real office would have after four months of work:
the case scripts of ``cases.toml`` are played step by step (``script.play``), then the sweeper runs
once. Staff, the office row and the party organisation are written in the same transaction as the
cases, so a failed load leaves nothing behind.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from cases.accounts import admin_log
from cases.casework import reading
from cases.demo import organisation, script
from cases.demo.records import CASES, DEMO_PASSWORD, OFFICE, STAFF, DemoCase, Step
from cases.demo.schedule import schedule
from cases.demo.summary import summary
from cases.runtime import Runtime
from cases.supervision.sweeper import sweep


def load_demo(engine: Engine, rt: Runtime, *, now: datetime) -> str:
    """Build the demo office and its cases as of ``now``; return a Chinese summary with the logins.

    Safe to call twice: on a database that already holds cases it changes nothing.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    with engine.begin() as conn:
        if reading.case_count(conn) > 0:
            return "数据库中已有信访件，未载入演示数据 / database not empty, demo not loaded"
        cal = rt.calendar(conn)
        # Every step of every case on one timeline; at the same instant, the file's order decides.
        timed: list[tuple[datetime, int, int, DemoCase, Step]] = [
            (when, ci, si, case, step)
            for ci, case in enumerate(CASES)
            for si, (when, step) in enumerate(schedule(case, now, cal, rt.tz))
        ]
        timed.sort(key=lambda t: t[:3])
        setup_at = timed[0][0] - timedelta(days=1)

        organisation.add_office(conn, OFFICE)
        organisation.add_staff(conn, STAFF, password=DEMO_PASSWORD, now=setup_at)
        # The administrative log starts with the staff as loaded: ``audit verify`` holds the
        # staff's roles and posts to it from here on.
        admin_log.record(
            conn,
            rt.audit_key,
            actor="SYSTEM",
            action="office.seeded",
            subject=OFFICE.name,
            now=setup_at,
            details={"staff": len(STAFF)},
        )
        script.play(conn, rt, cal, OFFICE, [(when, case, step) for when, _, _, case, step in timed])

    swept = sweep(engine, rt, now=now)

    with engine.begin() as conn:
        return summary(conn, OFFICE, STAFF, swept, now=now, tz=rt.tz)
