"""Unanswered supervision notices climb: at its reply date a notice goes once to the next post up.

``sweep_notices`` (called by the sweeper) passes each notice unanswered at its reply date to the next
post up the party organisation (``workflow.escalation.recipients``); ``notice_escalation``'s primary
key makes "once" hold with several sweepers, or a sweeper killed mid-pass.
"""

from datetime import datetime
from functools import partial

from sqlalchemy import Connection, Engine, select, update

from cases.runtime import Runtime
from cases.store import chain, outbox, staff, upsert
from cases.store.locking import lock_cases
from cases.store.retry import retrying
from cases.store.tables import case_t, staff_t
from cases.supervision.tables import notice_esc_t, notice_t
from workflow.escalation import level_reached, recipients
from workflow.periods import LEVEL_LABELS, LEVELS


def next_levels(level: str) -> list[str]:
    """The levels above a notice's, at least 督办: an unanswered notice goes to the branch first."""
    start = max(LEVELS.index(level) + 1, LEVELS.index("supervision"))
    return list(LEVELS[min(start, len(LEVELS) - 1) :])


def sweep_notices(
    target: Engine | Connection, rt: Runtime, now: datetime, *, batch_size: int = 500
) -> dict[str, int]:
    """Pass every notice unanswered at its reply date once to the next post up."""
    total = {"examined": 0, "escalated": 0}
    while True:
        if isinstance(target, Engine):
            done = retrying(
                partial(_in_transaction, target, rt, now, batch_size), what="notice sweep batch"
            )
        else:
            done = _sweep_notice_batch(target, rt, now, batch_size)
        total["examined"] += done["examined"]
        total["escalated"] += done["escalated"]
        if done["candidates"] < batch_size:
            return total


def _in_transaction(engine: Engine, rt: Runtime, now: datetime, batch_size: int) -> dict[str, int]:
    with engine.begin() as conn:
        return _sweep_notice_batch(conn, rt, now, batch_size)


def _sweep_notice_batch(
    conn: Connection, rt: Runtime, now: datetime, batch_size: int
) -> dict[str, int]:
    """One batch of due notices, in the caller's transaction, each passed up at most once."""
    due = (notice_t.c.next_fire_at <= now, notice_t.c.answered_at.is_(None))
    candidates = conn.execute(
        select(notice_t.c.id, notice_t.c.case_id)
        .where(*due)
        .order_by(notice_t.c.case_id, notice_t.c.id)
        .limit(batch_size)
    ).all()
    if not candidates:
        return {"examined": 0, "escalated": 0, "candidates": 0}
    # The system's one lock order (cases.store.locking): the cases first, then their notices,
    # re-read under the lock in case another sweeper passed them up meanwhile.
    lock_cases(conn, [c.case_id for c in candidates])
    stmt = (
        select(
            notice_t,
            case_t.c.case_no,
            case_t.c.owner_id,
            staff_t.c.staff_no.label("owner_staff_no"),
            staff_t.c.name.label("owner_name"),
        )
        .join(case_t, case_t.c.id == notice_t.c.case_id)
        .join(staff_t, staff_t.c.id == case_t.c.owner_id)
        .where(notice_t.c.id.in_([c.id for c in candidates]), *due)
        .order_by(notice_t.c.case_id, notice_t.c.id)
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=notice_t)
    rows = conn.execute(stmt).all()
    escalated = 0
    for row in rows:
        conn.execute(update(notice_t).where(notice_t.c.id == row.id).values(next_fire_at=None))
        ladder = staff.org_chain(conn, row.owner_id)
        # The next level up, to the posts above the owner held by someone other than whoever
        # issued the notice (they know it is unanswered; it must reach someone above them).
        wanted = next_levels(row.level)[0]
        people = recipients(wanted, ladder, skip=[row.issued_by])
        level = level_reached(wanted, people[-1], ladder)
        inserted = upsert.insert_ignore(
            conn,
            notice_esc_t,
            {"notice_id": row.id, "level": level, "recipients": people, "fired_at": now},
            ["notice_id"],
        )
        if inserted != 1:
            continue
        escalated += 1
        payload = {
            "notice_id": row.id,
            "reply_by": row.reply_by.isoformat(),
            "owner": row.owner_staff_no,
            "owner_name": row.owner_name,
            "issued_by": row.issued_by,
            "level": level,
            "level_label": LEVEL_LABELS[level],
        }
        # The owner is reminded too: the notice still waits for their answer.
        for person in dict.fromkeys([*people, row.owner_staff_no]):
            outbox.notify(
                conn,
                dedup_key=f"notice:{row.id}:overdue:{person}",
                topic="notice_overdue",
                recipient=person,
                case_no=row.case_no,
                payload=payload,
                now=now,
            )
        chain.system_event(
            conn,
            rt,
            case_no=row.case_no,
            action="notice_escalated",
            payload={
                "notice_id": row.id,
                "reply_by": row.reply_by.isoformat(),
                "level_label": LEVEL_LABELS[level],
                "recipients": people,
            },
            now=now,
        )
    return {"examined": len(rows), "escalated": escalated, "candidates": len(candidates)}
