"""What the petitioner sees on the public tracking page with case number and 查询码."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from cases.crypto import verify_query_code
from cases.organisation import roster
from cases.runtime import Runtime
from cases.store import records
from cases.store.tables import case_t, event_t
from workflow import glossary, lifecycle
from workflow.errors import NotFound
from workflow.next_steps import next_steps
from workflow.periods import PERIODS
from workflow.standing import clock_standing
from workflow.waiver import waiver_text


def check_query_code(conn: Connection, case_no: str, code: str) -> bool:
    """Whether the 查询码 opens this case (a missing case and a wrong code look the same)."""
    stored = conn.execute(
        select(case_t.c.query_code_hash).where(case_t.c.case_no == case_no)
    ).scalar()
    return stored is not None and verify_query_code(code, stored)


#: The steps whose contents are written for the petitioner, and what of each they read.
REPLIES: dict[str, tuple[str, str]] = {
    "reply": ("处理意见书", "opinion"),
    "reply_review": ("复查意见书", "opinion"),
    "reply_reexamination": ("复核意见书", "opinion"),
}
#: Steps that are notices to the petitioner even when recorded before they were marked public.
NOTICES_TO_PETITIONER = frozenset({"extension_notice"})


def public_view(conn: Connection, rt: Runtime, *, case_no: str, now: datetime) -> dict[str, Any]:
    """What the petitioner sees with the 查询码: public steps with dates, the replies written for
    them in full, the extension notice, what they may do next and until when, deadlines, owner.

    No names other than the owner's (whose 工号 and name are on the public staff wall), no notes,
    no internal steps, no other person's details (not even the group's representatives).
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
            event_t.c.payload,
        )
        .where(
            event_t.c.case_id == record.id,
            or_(event_t.c.public.is_(True), event_t.c.action.in_(NOTICES_TO_PETITIONER)),
        )
        .order_by(event_t.c.seq)
    ).all()
    ctx = rt.ctx(conn)
    clocks = []
    due: dict[str, date] = {}
    for c in records.load_clocks(conn, record.id):
        # The owner's tracking cadence is the office's internal rule, not the petitioner's business.
        if not c.active or c.name == "tracking":
            continue
        due[c.name] = c.due_date
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
    office = roster.office(conn)
    office_name = office.name if office is not None else "本机关"
    details = record.details or {}
    handling = (details.get("transfer") or details.get("assign") or {}).get("organ") or office_name
    steps = [_public_step(e, rt) for e in events]
    return {
        "case_no": record.case_no,
        "state": record.state,
        "state_label": lifecycle.STATE_LABELS[record.state],
        "received_at": record.received_at.astimezone(rt.tz).isoformat(),
        "owner": {"staff_no": record.owner_staff_no, "name": record.owner_name},
        "office_name": office_name,
        "steps": steps,
        "replies": [s for s in steps if s.get("kind") == "reply"],
        "extension": next((s for s in steps if s.get("kind") == "extension"), None),
        "next_steps": [
            {"text": n.text, "article": n.article, "due_date": n.due_date}
            for n in next_steps(
                state=record.state,
                handling_organ=handling,
                due=due,
                policy=(office.policy if office is not None else None) or {},
            )
        ],
        "clocks": clocks,
        # The written notices (告知书) the petitioner may download, listed by the notices module.
        "notices": [],
        "rating": record.rating,
        "rating_label": lifecycle.RATINGS.get(record.rating or "", None),
        "can_rate": can_rate,
    }


def _public_step(e: Any, rt: Runtime) -> dict[str, Any]:
    """One step as the petitioner reads it: its name and date, and what it tells them."""
    payload = e.payload or {}
    step: dict[str, Any] = {
        "label": glossary.event_label(e.action),
        "at": e.at.astimezone(rt.tz).isoformat(),
        # Only a step that moved the case says where it went.
        "state_label": lifecycle.STATE_LABELS.get(e.to_state or "", "")
        if e.to_state != e.from_state
        else "",
        "lines": [],
    }
    if e.action in REPLIES:
        title, key = REPLIES[e.action]
        step.update(kind="reply", title=title, text=str(payload.get(key) or ""))
        if e.action == "reply" and payload.get("outcome"):
            step["outcome"] = lifecycle.OUTCOMES.get(payload["outcome"], "")
    elif e.action == "extension_notice":
        step.update(
            kind="extension",
            text=str(payload.get("notice") or ""),
            reason=str(payload.get("reason") or ""),
            new_due_date=str(payload.get("new_due_date") or ""),
            days=payload.get("days"),
        )
    elif e.action == "reject":
        reason = lifecycle.REJECT_REASONS.get(str(payload.get("reason_code")), ("", ""))[0]
        step["lines"] = [("不予受理理由", reason), ("告知", str(payload.get("guidance") or ""))]
    elif e.action in ("transfer", "assign") and payload.get("organ"):
        step["lines"] = [("转送机关" if e.action == "transfer" else "交办机关", payload["organ"])]
    elif e.action == "close" and isinstance(payload.get("waiver"), dict):
        step["lines"] = [("办结", waiver_text(payload["waiver"]))]
    step["lines"] = [(k, v) for k, v in step["lines"] if v]
    return step
