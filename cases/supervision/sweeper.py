"""The SLA sweeper: fires due escalation levels and closes cases whose petitioner window lapsed.

It reads only clocks whose indexed ``next_fire_at`` has come (work grows with what is due, not
with what is open). Each batch is one transaction; a level is written once per clock by a unique
constraint, so a sweeper killed mid-pass, or several at once (PostgreSQL ``FOR UPDATE SKIP
LOCKED``), still fire each level exactly once.
"""

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from cases.casework.actions import act
from cases.runtime import Runtime
from cases.store.chain import system_event
from cases.store.outbox import notify
from cases.store.records import clock_from_row
from cases.store.staff import org_chain
from cases.store.tables import case_t, clock_t, escalation_t
from cases.store.upsert import insert_ignore
from cases.supervision.notice_sweep import sweep_notices
from workflow.errors import DomainError
from workflow.escalation import Chain, levels_due, next_fire_at, recipients
from workflow.lifecycle import SYSTEM_ACTOR
from workflow.periods import LEVEL_LABELS, LEVELS, PERIODS


def sweep(engine: Engine, rt: Runtime, *, now: datetime, batch_size: int = 500) -> dict[str, Any]:
    """One pass: every level due by ``now`` fires once; lapsed windows close their cases."""
    fired = dict.fromkeys(LEVELS, 0)
    examined = 0
    closed = 0
    while True:
        with engine.begin() as conn:
            stmt = (
                select(clock_t, case_t.c.case_no, case_t.c.owner_id)
                .join(case_t, case_t.c.id == clock_t.c.case_id)
                .where(clock_t.c.next_fire_at <= now, clock_t.c.status == "running")
                .order_by(clock_t.c.next_fire_at)
                .limit(batch_size)
            )
            if conn.dialect.name == "postgresql":
                stmt = stmt.with_for_update(of=clock_t, skip_locked=True)
            rows = conn.execute(stmt).all()
            if not rows:
                break
            ctx = rt.ctx(conn)
            chains: dict[int, Chain] = {}
            if conn.dialect.name == "postgresql":
                # Take the batch's case rows up front, in one order, before any row that refers to
                # them is written: concurrent sweepers (and users) then queue instead of deadlocking.
                conn.execute(
                    select(case_t.c.id)
                    .where(case_t.c.id.in_(sorted({r.case_id for r in rows})))
                    .order_by(case_t.c.id)
                    .with_for_update()
                ).all()
            for row in sorted(rows, key=lambda r: (r.case_id, r.id)):
                examined += 1
                clock = clock_from_row(row)
                if PERIODS[clock.name].kind == "petitioner":
                    if _lapse(conn, rt, row.case_no, now):
                        closed += 1
                    continue
                due = levels_due(clock, now, calendar=ctx.calendar, tz=ctx.tz, policy=ctx.policy)
                if row.owner_id not in chains:
                    chains[row.owner_id] = org_chain(conn, row.owner_id)
                for level in due:
                    if _fire(conn, rt, row, clock, level, chains[row.owner_id], now):
                        fired[level] += 1
                top = due[-1] if due else clock.level
                after = replace(clock, level=top)
                conn.execute(
                    update(clock_t)
                    .where(clock_t.c.id == clock.id)
                    .values(
                        level=top,
                        next_fire_at=next_fire_at(
                            after, calendar=ctx.calendar, tz=ctx.tz, policy=ctx.policy
                        ),
                    )
                )
        if len(rows) < batch_size:
            break
    # Supervision notices unanswered at their reply date go up one post (notice_sweep).
    notices = sweep_notices(engine, rt, now, batch_size=batch_size)
    return {
        "now": now.isoformat(),
        "examined": examined,
        "fired": fired,
        "closed_on_lapse": closed,
        "notices": notices,
    }


def _lapse(conn: Any, rt: Runtime, case_no: str, now: datetime) -> bool:
    """Close a case whose petitioner did not ask for review or re-examination in time."""
    savepoint = conn.begin_nested()
    try:
        act(
            conn,
            rt,
            case_no=case_no,
            action="lapse",
            actor_staff_no=SYSTEM_ACTOR.staff_no,
            payload={},
            now=now,
            actor=SYSTEM_ACTOR,
        )
    except DomainError:
        # The petitioner asked in the same instant: their action won; nothing to close.
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _fire(
    conn: Any, rt: Runtime, row: Any, clock: Any, level: str, chain: Chain, now: datetime
) -> bool:
    """Write one level's escalation row, its notifications and its event on the case, once."""
    people = recipients(level, chain)
    inserted = insert_ignore(
        conn,
        escalation_t,
        {
            "case_id": row.case_id,
            "clock_id": clock.id,
            "level": level,
            "fired_at": now,
            "due_at": clock.due_at,
            "recipients": people,
            "status": "open",
        },
        ["clock_id", "level"],
    )
    if inserted != 1:
        return False
    # A lower level still open on this clock is superseded by the one that climbs over it.
    conn.execute(
        update(escalation_t)
        .where(
            # By (clock_id, level), the unique index: the open rows of other clocks are never read.
            escalation_t.c.clock_id == clock.id,
            escalation_t.c.level.in_(LEVELS[: LEVELS.index(level)]),
            escalation_t.c.status == "open",
        )
        .values(status="superseded", resolved_at=now)
    )
    payload = {
        "clock": clock.name,
        "clock_label": PERIODS[clock.name].label,
        "level": level,
        "level_label": LEVEL_LABELS[level],
        "due_date": clock.due_date.isoformat(),
        "recipients": people,
    }
    for person in people:
        notify(
            conn,
            dedup_key=f"escalation:{clock.id}:{level}:{person}",
            topic="escalation",
            recipient=person,
            case_no=row.case_no,
            payload=payload,
            now=now,
        )
    system_event(conn, rt, case_no=row.case_no, action="escalated", payload=payload, now=now)
    return True
