"""The steps of a joint handling, each one unit of work with its audit event: set up the organs,
record a meeting, record an organ's report (closing its part), record a dispute, decide it."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from cases.casework.reading import not_found
from cases.joint.tables import dispute_t, meeting_t, organ_t
from cases.joint.view import joint_view
from cases.runtime import Runtime
from cases.store.chain import append_event
from cases.store.records import load_case, load_clocks, write_clocks
from cases.store.staff import get_actor
from cases.store.tables import clock_t
from workflow import joint, sla
from workflow.calendar import local_date
from workflow.errors import ActionNotAllowed, InvalidInput, NotFound


def _open_case(conn: Connection, case_no: str) -> Any:
    # The case row first (the one lock order, cases/store/locking.py), then its clocks and rows.
    record = load_case(conn, case_no, for_update=True)
    if record is None:
        raise not_found(case_no)
    return record


def _body(payload: Any) -> Mapping[str, Any]:
    if payload is None:
        return {}
    if not isinstance(payload, Mapping):
        raise InvalidInput("joint.bad_body", "请求内容应为 JSON 对象", field=None)
    return payload


def _organs(conn: Connection, case_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(organ_t).where(organ_t.c.case_id == case_id).order_by(organ_t.c.position)
        )
    )


def _event(
    conn: Connection,
    rt: Runtime,
    record: Any,
    action: str,
    actor_no: str,
    now: datetime,
    payload: Mapping[str, Any],
) -> None:
    append_event(
        conn,
        rt,
        case=record,
        action=action,
        actor_staff_no=actor_no,
        now=now,
        to_state=record.state,
        payload=payload,
        public=False,
    )


def set_up(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Mark a case 联合会办 and name its organs, each part a clock on the case."""
    actor, _ = get_actor(conn, actor_staff_no)
    record = _open_case(conn, case_no)
    joint.check_setup(record.state, bool(_organs(conn, record.id)), actor.role)
    parts = joint.validate_setup(_body(payload), record)
    ctx = rt.ctx(conn)
    clocks = [joint.part_clock(p, now, ctx) for p in parts]
    started = write_clocks(conn, record.id, [], clocks)
    for position, (part, clock) in enumerate(zip(parts, started, strict=True)):
        conn.execute(
            insert(organ_t).values(
                case_id=record.id,
                position=position,
                role=part.role,
                organ=part.organ,
                task=part.task,
                days=part.days,
                unit=clock.unit,
                clock_id=clock.id,
                set_up_at=now,
                set_up_by=actor.staff_no,
            )
        )
    due = {c.name: c.due_date for c in started}
    _event(
        conn,
        rt,
        record,
        "joint_setup",
        actor.staff_no,
        now,
        {
            "text": joint.setup_text(parts, due),
            "organs": [
                {
                    "role": p.role,
                    "organ": p.organ,
                    "task": p.task,
                    "days": p.days,
                    "unit": "working" if p.working else "calendar",
                    "due_date": due[p.clock_name].isoformat(),
                }
                for p in parts
            ],
        },
    )
    return joint_view(conn, rt, case_id=record.id, case_no=case_no, now=now)


def _recording(conn: Connection, case_no: str, actor_staff_no: str) -> tuple[Any, Any, list[Any]]:
    actor, _ = get_actor(conn, actor_staff_no)
    record = _open_case(conn, case_no)
    organs = _organs(conn, record.id)
    joint.check_recording(
        record.state, actor.role, actor.staff_no, record.owner_staff_no, is_joint=bool(organs)
    )
    return actor, record, organs


def record_meeting(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Record a joint meeting (会办记录)."""
    actor, record, organs = _recording(conn, case_no, actor_staff_no)
    meeting = joint.validate_meeting(
        _body(payload),
        [o.organ for o in organs],
        today=local_date(now, rt.tz),
        set_up_on=local_date(organs[0].set_up_at, rt.tz),
    )
    conn.execute(
        insert(meeting_t).values(
            case_id=record.id, recorded_by=actor.staff_no, recorded_at=now, **meeting
        )
    )
    _event(
        conn,
        rt,
        record,
        "joint_meeting",
        actor.staff_no,
        now,
        {
            "text": joint.meeting_text(meeting),
            **meeting,
            "held_on": meeting["held_on"].isoformat(),
        },
    )
    return joint_view(conn, rt, case_id=record.id, case_no=case_no, now=now)


def record_report(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Record an organ's report of its part; its clock stops (on time or late)."""
    actor, record, organs = _recording(conn, case_no, actor_staff_no)
    data = joint.validate_report(_body(payload), [o.organ for o in organs])
    row = next(o for o in organs if o.organ == data["organ"])
    if row.reported_at is not None:
        raise ActionNotAllowed(
            "joint.already_reported", f"「{row.organ}」已经报送过办理结果", organ=row.organ
        )
    clocks = load_clocks(conn, record.id)
    clock = next(c for c in clocks if c.id == row.clock_id)
    on_time = now <= clock.due_at
    write_clocks(conn, record.id, [sla.stop_clock(clock, now)], [], before=clocks)
    conn.execute(
        update(organ_t)
        .where(organ_t.c.id == row.id)
        .values(
            reported_at=now, reported_by=actor.staff_no, report=data["summary"], on_time=on_time
        )
    )
    _event(
        conn,
        rt,
        record,
        "joint_report",
        actor.staff_no,
        now,
        {
            "organ": row.organ,
            "role": row.role,
            "summary": data["summary"],
            "text": f"{joint.ROLE_LABELS[row.role]}{row.organ}报送办理结果"
            + ("（按期）" if on_time else f"（超过{clock.due_date.isoformat()}的期限）"),
        },
    )
    return joint_view(conn, rt, case_id=record.id, case_no=case_no, now=now)


def record_dispute(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Record a dispute between organs over who accepts the matter (条例第二十四条)."""
    actor, record, organs = _recording(conn, case_no, actor_staff_no)
    pending = conn.execute(
        select(dispute_t.c.id).where(
            dispute_t.c.case_id == record.id, dispute_t.c.decided_at.is_(None)
        )
    ).first()
    if pending is not None:
        raise ActionNotAllowed("joint.dispute_pending", "已有尚未决定的受理争议，请先作出决定")
    data = joint.validate_dispute(_body(payload), [o.organ for o in organs])
    conn.execute(
        insert(dispute_t).values(
            case_id=record.id, recorded_by=actor.staff_no, recorded_at=now, **data
        )
    )
    _event(
        conn,
        rt,
        record,
        "joint_dispute",
        actor.staff_no,
        now,
        {**data, "text": f"{'、'.join(data['organs'])}对受理存在争议：{data['claims']}"},
    )
    return joint_view(conn, rt, case_id=record.id, case_no=case_no, now=now)


def decide_dispute(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    dispute_id: int,
    payload: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The common superior's decision: the accepting organ, which from now on leads."""
    actor, record, organs = _recording(conn, case_no, actor_staff_no)
    joint.check_deciding(actor.role)
    dispute = conn.execute(
        select(dispute_t).where(dispute_t.c.id == dispute_id, dispute_t.c.case_id == record.id)
    ).first()
    if dispute is None:
        raise NotFound("joint.dispute_not_found", f"该事项没有编号为 {dispute_id} 的受理争议")
    if dispute.decided_at is not None:
        raise ActionNotAllowed(
            "joint.dispute_decided", f"该受理争议已于决定由「{dispute.accepting_organ}」受理"
        )
    data = joint.validate_decision(_body(payload), dispute.organs)
    conn.execute(
        update(dispute_t)
        .where(dispute_t.c.id == dispute.id)
        .values(decided_by=actor.staff_no, decided_at=now, **data)
    )
    new_lead = next(o for o in organs if o.organ == data["accepting_organ"])
    old_lead = next(o for o in organs if o.role == "lead")
    if new_lead.id != old_lead.id:
        _swap_lead(conn, new_lead, old_lead)
    _event(
        conn,
        rt,
        record,
        "joint_decision",
        actor.staff_no,
        now,
        {
            **data,
            "text": f"决定由{data['accepting_organ']}受理并牵头办理（{joint.ARTICLE}）",
            "previous_lead": old_lead.organ,
        },
    )
    return joint_view(conn, rt, case_id=record.id, case_no=case_no, now=now)


def _swap_lead(conn: Connection, new_lead: Any, old_lead: Any) -> None:
    """The accepting organ takes the lead: roles and clock names change places; each organ keeps
    its own task and period, and the reply now waits for the new lead's report."""
    names = dict(
        conn.execute(
            select(clock_t.c.id, clock_t.c.name).where(
                clock_t.c.id.in_([new_lead.clock_id, old_lead.clock_id])
            )
        ).all()
    )
    conn.execute(
        update(clock_t)
        .where(clock_t.c.id == new_lead.clock_id)
        .values(name=names[old_lead.clock_id])
    )
    conn.execute(
        update(clock_t)
        .where(clock_t.c.id == old_lead.clock_id)
        .values(name=names[new_lead.clock_id])
    )
    conn.execute(update(organ_t).where(organ_t.c.id == new_lead.id).values(role="lead"))
    conn.execute(update(organ_t).where(organ_t.c.id == old_lead.id).values(role="co"))
