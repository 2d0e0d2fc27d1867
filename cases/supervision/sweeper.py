"""The SLA sweeper: fires due escalation levels and closes cases whose petitioner window lapsed.

It reads only clocks whose indexed ``next_fire_at`` has come (work grows with what is due, not
with what is open). Each batch is one transaction; a level is written once per clock by a unique
constraint, so a sweeper killed mid-pass, or several at once, still fire each level exactly once.
A batch locks its cases before their clocks, in the system's one lock order (``cases.store.locking``).
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import DBAPIError

from cases.casework.actions import act
from cases.db import reader
from cases.runtime import Runtime
from cases.store.chain import system_event
from cases.store.locking import lock_cases
from cases.store.outbox import notify
from cases.store.records import clock_from_row
from cases.store.retry import retrying
from cases.store.staff import org_chain
from cases.store.tables import case_t, clock_t, escalation_t
from cases.store.upsert import insert_ignore
from cases.supervision.notice_sweep import sweep_notices
from workflow.errors import DomainError
from workflow.escalation import Chain, levels_due, next_fire_at, recipients
from workflow.lifecycle import SYSTEM_ACTOR
from workflow.periods import LEVEL_LABELS, LEVELS, PERIODS

log = logging.getLogger("shoujie")


def sweep(engine: Engine, rt: Runtime, *, now: datetime, batch_size: int = 500) -> dict[str, Any]:
    """One pass: every level due by ``now`` fires once; lapsed windows close their cases.

    Each batch is one transaction, retried on a deadlock or a busy database
    (``cases.store.retry``); a batch that still fails is logged and its cases are left for the next
    pass while this one goes on with the next batch.
    """
    tally = Tally()
    skipped: set[int] = set()
    while True:
        candidates = _due_cases(engine, now, batch_size, skipped)
        if not candidates:
            break
        try:
            done = retrying(partial(sweep_batch, engine, rt, now, candidates), what="sweep batch")
        except DBAPIError:
            log.exception(
                "sweep: batch of %d cases failed; left for the next pass", len(candidates)
            )
            skipped.update(candidates)
            continue
        tally.add(done)
        if len(candidates) < batch_size:
            break
    # Supervision notices unanswered at their reply date go up one post (notice_sweep).
    notices = sweep_notices(engine, rt, now, batch_size=batch_size)
    return {
        "now": now.isoformat(),
        "examined": tally.examined,
        "fired": tally.fired,
        "closed_on_lapse": tally.closed,
        "notices": notices,
    }


@dataclass
class Tally:
    """What a pass (or one batch) did."""

    examined: int = 0
    closed: int = 0
    fired: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    def add(self, other: "Tally") -> None:
        """Add a batch's counts to the pass's."""
        self.examined += other.examined
        self.closed += other.closed
        for level, n in other.fired.items():
            self.fired[level] += n


def _due_cases(engine: Engine, now: datetime, limit: int, skipped: set[int]) -> list[int]:
    """The cases of the next clocks due, oldest first, read without locking anything."""
    stmt = (
        select(clock_t.c.case_id)
        .where(clock_t.c.next_fire_at <= now, clock_t.c.status == "running")
        .order_by(clock_t.c.next_fire_at, clock_t.c.id)
        .limit(limit)
    )
    if skipped:
        stmt = stmt.where(clock_t.c.case_id.not_in(sorted(skipped)))
    with reader(engine).begin() as conn:
        return list(dict.fromkeys(conn.execute(stmt).scalars()))


def sweep_batch(engine: Engine, rt: Runtime, now: datetime, case_ids: list[int]) -> Tally:
    """Fire what is due on these cases in one transaction, case rows locked first (locking.py)."""
    tally = Tally()
    with engine.begin() as conn:
        # The system's one lock order: the cases, in id order, then their clocks; a user acting
        # on one of them meanwhile is waited for, never deadlocked with.
        lock_cases(conn, case_ids)
        stmt = (
            select(clock_t, case_t.c.case_no, case_t.c.owner_id)
            .join(case_t, case_t.c.id == clock_t.c.case_id)
            .where(
                clock_t.c.case_id.in_(case_ids),
                clock_t.c.next_fire_at <= now,
                clock_t.c.status == "running",
            )
            .order_by(clock_t.c.case_id, clock_t.c.id)
        )
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=clock_t)
        # Re-read under the locks: another sweeper may have fired them while this one waited.
        rows = conn.execute(stmt).all()
        ctx = rt.ctx(conn)
        chains: dict[int, Chain] = {}
        for row in rows:
            tally.examined += 1
            clock = clock_from_row(row)
            if PERIODS[clock.name].kind == "petitioner":
                if _lapse(conn, rt, row.case_no, now):
                    tally.closed += 1
                continue
            due = levels_due(clock, now, calendar=ctx.calendar, tz=ctx.tz, policy=ctx.policy)
            if row.owner_id not in chains:
                chains[row.owner_id] = org_chain(conn, row.owner_id)
            top = due[-1] if due else clock.level
            after = replace(clock, level=top)
            # The clock's level first: each level's event commits to what the pass left.
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
            for level in due:
                if _fire(conn, rt, row, clock, level, chains[row.owner_id], now):
                    tally.fired[level] += 1
    return tally


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
