"""What the petitioner sees on the public tracking page with case number and 查询码."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from cases.crypto import verify_query_code
from cases.runtime import Runtime
from cases.store import records
from cases.store.tables import case_t, event_t
from workflow import lifecycle
from workflow.errors import NotFound
from workflow.periods import PERIODS
from workflow.standing import clock_standing


def check_query_code(conn: Connection, case_no: str, code: str) -> bool:
    """Whether the 查询码 opens this case (a missing case and a wrong code look the same)."""
    stored = conn.execute(
        select(case_t.c.query_code_hash).where(case_t.c.case_no == case_no)
    ).scalar()
    return stored is not None and verify_query_code(code, stored)


def public_view(conn: Connection, rt: Runtime, *, case_no: str, now: datetime) -> dict[str, Any]:
    """What the petitioner sees with the 查询码: state, public steps with dates, deadlines, owner.

    No names other than the owner's (whose 工号 and name are on the public staff wall), no notes,
    no opinions or payloads, no petitioner details.
    """
    record = records.load_case(conn, case_no, for_update=False)
    if record is None:
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    events = conn.execute(
        select(
            event_t.c.seq,
            event_t.c.action,
            event_t.c.at,
            event_t.c.from_state,
            event_t.c.to_state,
        )
        .where(event_t.c.case_id == record.id, event_t.c.public.is_(True))
        .order_by(event_t.c.seq)
    ).all()
    ctx = rt.ctx(conn)
    clocks = []
    for c in records.load_clocks(conn, record.id):
        # The owner's tracking cadence is the office's internal rule, not the petitioner's business.
        if not c.active or c.name == "tracking":
            continue
        at = clock_standing(c, now, ctx)
        clocks.append(
            {
                "label": PERIODS[c.name].label,
                "due_date": c.due_date.isoformat(),
                "provisional": c.provisional,
                "status": c.status,
                "petitioner": PERIODS[c.name].kind == "petitioner",
                "standing": at.standing,
                "time": at.public_text,
            }
        )
    can_rate = record.rating is None and "record_evaluation" in lifecycle.MACHINE.get_triggers(
        record.state
    )
    return {
        "case_no": record.case_no,
        "state": record.state,
        "state_label": lifecycle.STATE_LABELS[record.state],
        "received_at": record.received_at.astimezone(rt.tz).isoformat(),
        "owner": {"staff_no": record.owner_staff_no, "name": record.owner_name},
        "steps": [
            {
                "label": "登记" if e.action == "intake" else lifecycle.ACTION_LABELS[e.action],
                "at": e.at.astimezone(rt.tz).isoformat(),
                # Only a step that moved the case says where it went.
                "state_label": lifecycle.STATE_LABELS.get(e.to_state or "", "")
                if e.to_state != e.from_state
                else "",
            }
            for e in events
        ],
        "clocks": clocks,
        "rating": record.rating,
        "rating_label": lifecycle.RATINGS.get(record.rating or "", None),
        "can_rate": can_rate,
    }
