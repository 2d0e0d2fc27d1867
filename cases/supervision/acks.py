"""Acknowledging (签收) an escalation in the queue: who took it on, and when.

The acknowledgement and its event on the case are one unit of work in the caller's transaction.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from cases.runtime import Runtime
from cases.store import chain, upsert
from cases.store.locking import lock_case_of
from cases.store.tables import case_t, clock_t, escalation_t, staff_t
from cases.supervision.guards import locked, named, require_supervisor
from cases.supervision.labels import ESCALATION_STATUS_LABELS
from cases.supervision.tables import ack_t
from workflow.errors import ActionNotAllowed, NotFound
from workflow.lifecycle import Actor
from workflow.periods import LEVEL_LABELS, PERIODS


def load_escalation(conn: Connection, escalation_id: int) -> Any:
    """The escalation with its case, clock and owner, locked for the action (else not found)."""
    stmt = (
        select(
            escalation_t,
            case_t.c.case_no,
            case_t.c.owner_id,
            clock_t.c.name.label("clock_name"),
            staff_t.c.staff_no.label("owner_staff_no"),
        )
        .join(case_t, case_t.c.id == escalation_t.c.case_id)
        .join(clock_t, clock_t.c.id == escalation_t.c.clock_id)
        .join(staff_t, staff_t.c.id == case_t.c.owner_id)
        .where(escalation_t.c.id == escalation_id)
    )
    lock_case_of(conn, escalation_t, escalation_id)  # the case first (cases.store.locking)
    row = conn.execute(locked(stmt, conn, escalation_t)).first()
    if row is None:
        raise NotFound("escalation.not_found", f"没有编号为 {escalation_id} 的督办事项")
    return row


def mark_acknowledged(conn: Connection, row: Any, actor: Actor, now: datetime, note: str) -> None:
    """Set an open escalation acknowledged and record the first who did (idempotent)."""
    conn.execute(
        update(escalation_t)
        .where(escalation_t.c.id == row.id, escalation_t.c.status == "open")
        .values(status="acknowledged")
    )
    upsert.insert_ignore(
        conn,
        ack_t,
        {"escalation_id": row.id, "staff_no": actor.staff_no, "at": now, "note": note},
        ["escalation_id"],
    )


def acknowledge(
    conn: Connection,
    rt: Runtime,
    *,
    escalation_id: int,
    actor_staff_no: str,
    now: datetime,
    note: str = "",
) -> None:
    """A supervisor acknowledges (签收) an open escalation; the case records who and when."""
    actor, _ = require_supervisor(conn, actor_staff_no, "签收督办事项")
    row = load_escalation(conn, escalation_id)
    if row.status != "open":
        raise ActionNotAllowed(
            "escalation.not_open",
            f"该督办事项{ESCALATION_STATUS_LABELS.get(row.status, row.status)}，不需要再签收",
        )
    note = (note or "").strip()[:1000]
    mark_acknowledged(conn, row, actor, now, note)
    payload = {
        "clock": row.clock_name,
        "clock_label": PERIODS[row.clock_name].label,
        "level": row.level,
        "level_label": LEVEL_LABELS[row.level],
        "by": named(actor),
        **({"note": note} if note else {}),
    }
    chain.system_event(
        conn, rt, case_no=row.case_no, action="escalation_acknowledged", payload=payload, now=now
    )


def acknowledgements(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Who acknowledged each of these escalations, and when (the unacknowledged are absent)."""
    if not ids:
        return {}
    rows = conn.execute(
        select(ack_t, staff_t.c.name)
        .outerjoin(staff_t, staff_t.c.staff_no == ack_t.c.staff_no)
        .where(ack_t.c.escalation_id.in_(ids))
    )
    return {
        r.escalation_id: {"staff_no": r.staff_no, "name": r.name, "at": r.at.isoformat()}
        for r in rows
    }
