"""A joint handling as the case page, the API, the command line and the closure report show it:
each organ with its role, task, last day and where its part stands, the meetings, the disputes."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from cases.casework.reading import not_found, viewer
from cases.joint.tables import dispute_t, meeting_t, organ_t
from cases.runtime import Runtime
from cases.store.records import load_case, load_clocks
from cases.store.tables import case_t
from workflow import joint, read_scope, standing
from workflow.calendar import local_date
from workflow.confidentiality import hidden_from
from workflow.errors import PermissionDenied
from workflow.periods import LEVEL_LABELS


def _local(at: datetime | None, tz: Any) -> str | None:
    return at.astimezone(tz).isoformat() if at is not None else None


def joint_view(
    conn: Connection, rt: Runtime, *, case_id: int, case_no: str, now: datetime
) -> dict[str, Any]:
    """The joint handling of one case (``joint`` false, and empty lists, for a case that has none)."""
    tz = rt.tz
    ctx = rt.ctx(conn)
    organs = conn.execute(
        select(organ_t).where(organ_t.c.case_id == case_id).order_by(organ_t.c.position)
    ).all()
    clocks = {c.id: c for c in load_clocks(conn, case_id)} if organs else {}
    out_organs = []
    for row in sorted(organs, key=lambda o: (o.role != "lead", o.position)):
        clock = clocks[row.clock_id]
        at = standing.clock_standing(clock, now, ctx)
        if row.reported_at is not None:
            late = (local_date(row.reported_at, tz) - clock.due_date).days
            lateness = "按期报送" if row.on_time else f"超期{late}日报送"
        else:
            lateness = at.remaining_text
        level = at.level if clock.active else clock.level
        out_organs.append(
            {
                "id": row.id,
                "role": row.role,
                "role_label": joint.ROLE_LABELS[row.role],
                "organ": row.organ,
                "task": row.task,
                "days": row.days,
                "unit": row.unit,
                "clock": clock.name,
                "due_date": clock.due_date.isoformat(),
                "due_at": clock.due_at.astimezone(tz).isoformat(),
                "provisional": clock.provisional,
                "reckoning": clock.reckoning,
                "status": clock.status,
                "standing": at.standing,
                "level": level,
                "level_label": LEVEL_LABELS.get(level or ""),
                "overdue_days": at.overdue_days,
                "lateness": lateness,
                "reported_at": _local(row.reported_at, tz),
                "reported_by": row.reported_by,
                "report": row.report,
                "on_time": joint.part_on_time(clock.due_at, row.reported_at, now),
            }
        )
    meetings = conn.execute(
        select(meeting_t).where(meeting_t.c.case_id == case_id).order_by(meeting_t.c.id)
    ).all()
    disputes = conn.execute(
        select(dispute_t).where(dispute_t.c.case_id == case_id).order_by(dispute_t.c.id)
    ).all()
    lead = next((o for o in out_organs if o["role"] == "lead"), None)
    return {
        "case_no": case_no,
        "joint": bool(out_organs),
        "lead_organ": lead["organ"] if lead else None,
        "lead_reported": bool(lead and lead["reported_at"]),
        "organs": out_organs,
        "meetings": [
            {
                "id": m.id,
                "held_on": m.held_on.isoformat(),
                "place": m.place,
                "attendees": list(m.attendees),
                "agreed": m.agreed,
                "commitments": list(m.commitments),
                "recorded_by": m.recorded_by,
                "recorded_at": _local(m.recorded_at, tz),
            }
            for m in meetings
        ],
        "disputes": [
            {
                "id": d.id,
                "organs": list(d.organs),
                "claims": d.claims,
                "recorded_by": d.recorded_by,
                "recorded_at": _local(d.recorded_at, tz),
                "decided": d.decided_at is not None,
                "accepting_organ": d.accepting_organ,
                "reason": d.reason,
                "decided_by": d.decided_by,
                "decided_at": _local(d.decided_at, tz),
            }
            for d in disputes
        ],
    }


def case_id_of(conn: Connection, case_no: str) -> int | None:
    """The id of the case with this number, if any."""
    return conn.execute(select(case_t.c.id).where(case_t.c.case_no == case_no)).scalar()


def joint_of(
    conn: Connection, rt: Runtime, *, case_no: str, now: datetime
) -> dict[str, Any] | None:
    """The joint handling of the case with this number, or None when it has none."""
    case_id = case_id_of(conn, case_no)
    view = joint_view(conn, rt, case_id=case_id, case_no=case_no, now=now) if case_id else None
    return view if view and view["joint"] else None


def show(
    conn: Connection, rt: Runtime, *, case_no: str, viewer_staff_no: str | None, now: datetime
) -> dict[str, Any]:
    """A case's joint handling, for a viewer who may read the case's content."""
    record = load_case(conn, case_no, for_update=False)
    if record is None:
        raise not_found(case_no)
    actor, row = viewer(conn, viewer_staff_no)
    if actor is not None and (
        # The one read scope (workflow/read_scope.py): the organs' tasks are the case's content.
        not read_scope.reads_in_full(actor, record.owner_staff_no, record.state)
        or hidden_from(actor, row.unit if row is not None else None, record)
    ):
        raise PermissionDenied("permission.denied", "无权查看该信访事项的联合会办情况")
    return joint_view(conn, rt, case_id=record.id, case_no=case_no, now=now)
