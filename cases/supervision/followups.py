"""不满意 follow-ups: cases the petitioner rated dissatisfied, and a supervisor's record of the 回访.

Recording a follow-up and its event on the case is one unit of work in the caller's transaction.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from cases.runtime import Runtime
from cases.store import chain, records, upsert
from cases.store.tables import case_t, staff_t
from cases.supervision.guards import named, require_supervisor, required_text
from cases.supervision.tables import followup_t
from workflow.errors import ActionNotAllowed, Conflict, NotFound
from workflow.lifecycle import STATE_LABELS


def dissatisfied(
    conn: Connection, rt: Runtime, *, include_followed: bool = False, limit: int = 500
) -> list[dict[str, Any]]:
    """Cases the petitioner rated 不满意, not yet followed up (or all), the latest ``limit``
    ratings first (read backwards on ix_case_report_rated's rated_at)."""
    owner_t = staff_t.alias("owner")
    stmt = (
        select(
            case_t.c.case_no,
            case_t.c.subject,
            case_t.c.rated_at,
            case_t.c.state,
            owner_t.c.staff_no.label("owner_staff_no"),
            owner_t.c.name.label("owner_name"),
            followup_t.c.staff_no.label("followed_by"),
            followup_t.c.at.label("followed_at"),
            followup_t.c.note.label("followup_note"),
        )
        .join(owner_t, owner_t.c.id == case_t.c.owner_id)
        .outerjoin(followup_t, followup_t.c.case_id == case_t.c.id)
        .where(case_t.c.rating == "dissatisfied")
        .order_by(case_t.c.rated_at.desc())
        .limit(limit)
    )
    if not include_followed:
        stmt = stmt.where(followup_t.c.case_id.is_(None))
    return [
        {
            "case_no": r.case_no,
            "subject": r.subject,
            "state": r.state,
            "state_label": STATE_LABELS[r.state],
            "owner": {"staff_no": r.owner_staff_no, "name": r.owner_name},
            "rated_at": r.rated_at.astimezone(rt.tz).isoformat() if r.rated_at else None,
            "followup": {
                "by": r.followed_by,
                "at": r.followed_at.astimezone(rt.tz).isoformat(),
                "note": r.followup_note,
            }
            if r.followed_by
            else None,
        }
        for r in conn.execute(stmt)
    ]


def record_followup(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    note: Any,
    now: datetime,
) -> None:
    """A supervisor records that a 不满意 rating was followed up (回访, what was done)."""
    actor, _ = require_supervisor(conn, actor_staff_no, "登记不满意评价的跟进")
    record = records.load_case(conn, case_no, for_update=True)
    if record is None:
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    if record.rating != "dissatisfied":
        raise ActionNotAllowed("followup.not_dissatisfied", "信访人的评价不是「不满意」，无需跟进")
    text = required_text(note, "note", "跟进情况", max_len=2000)
    inserted = upsert.insert_ignore(
        conn,
        followup_t,
        {"case_id": record.id, "staff_no": actor.staff_no, "at": now, "note": text},
        ["case_id"],
    )
    if inserted != 1:
        raise Conflict("followup.exists", "该不满意评价已登记跟进")
    chain.system_event(
        conn,
        rt,
        case_no=case_no,
        action="dissatisfaction_followed_up",
        payload={"note": text, "by": named(actor)},
        now=now,
    )
