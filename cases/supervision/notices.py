"""Supervision notices (督办单): issued on an escalated clock, answered by the owner by a date.

Each action is one unit of work in the caller's transaction: the notice row, its event on the case
(``chain.system_event``) and its notifications (``outbox.notify``) commit together or not at all.
An unanswered notice climbs the ladder in ``notice_sweep``.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from cases.runtime import Runtime
from cases.store import chain, outbox, staff
from cases.store.locking import lock_case_of
from cases.store.tables import case_t, staff_t
from cases.supervision.acks import load_escalation, mark_acknowledged
from cases.supervision.guards import locked, named, parse_day, require_supervisor, required_text
from cases.supervision.labels import ESCALATION_STATUS_LABELS, NOTICE_STATUS_LABELS
from cases.supervision.tables import notice_esc_t, notice_t
from workflow import lifecycle
from workflow.calendar import end_of_day, local_date
from workflow.errors import ActionNotAllowed, Conflict, InvalidInput, NotFound, PermissionDenied
from workflow.periods import LEVEL_LABELS, PERIODS

#: A notice's reply date: from today up to this many days ahead.
NOTICE_MAX_DAYS = 30


def notice_view(r: Any, rt: Runtime, now: datetime) -> dict[str, Any]:
    """A notice row as the queue, the desk and the API show it, its status as of ``now``."""
    if r.answered_at is not None:
        status = "answered"
    elif r.due_at <= now:
        status = "overdue"
    else:
        status = "open"
    return {
        "id": r.id,
        "case_no": getattr(r, "case_no", None),
        "status": status,
        "status_label": NOTICE_STATUS_LABELS[status],
        "level": r.level,
        "level_label": LEVEL_LABELS.get(r.level, r.level),
        "issued_by": r.issued_by,
        "issued_at": r.issued_at.astimezone(rt.tz).isoformat(),
        "to_staff_no": r.to_staff_no,
        "text": r.text,
        "reply_by": r.reply_by.isoformat(),
        "answered_at": r.answered_at.astimezone(rt.tz).isoformat() if r.answered_at else None,
        "answered_by": r.answered_by,
        "answer": r.answer,
        "late": bool(r.answered_at and r.answered_at > r.due_at),
    }


def latest_notices(
    conn: Connection, rt: Runtime, clock_ids: list[int], now: datetime
) -> dict[int, dict[str, Any]]:
    """The latest notice on each of these clocks (the clocks without one are absent)."""
    if not clock_ids:
        return {}
    out: dict[int, dict[str, Any]] = {}
    rows = conn.execute(
        select(notice_t)
        .where(notice_t.c.clock_id.in_(sorted(set(clock_ids))))
        .order_by(notice_t.c.id)
    )
    for r in rows:
        out[r.clock_id] = notice_view(r, rt, now)  # the latest wins
    return out


def issue_notice(
    conn: Connection,
    rt: Runtime,
    *,
    escalation_id: int,
    actor_staff_no: str,
    reply_by: Any,
    text: Any,
    now: datetime,
) -> dict[str, Any]:
    """Issue a supervision notice (督办单) on an escalated clock; the owner must answer by a date."""
    actor, _ = require_supervisor(conn, actor_staff_no, "下达督办单")
    row = load_escalation(conn, escalation_id)
    if row.status not in ("open", "acknowledged"):
        raise ActionNotAllowed(
            "escalation.not_active",
            f"该督办事项{ESCALATION_STATUS_LABELS.get(row.status, row.status)}，不能再下达督办单",
        )
    today = local_date(now, rt.tz)
    day = parse_day(reply_by, "reply_by", "答复期限")
    if day < today:
        raise InvalidInput("reply_by.past", "答复期限不能早于今天", field="reply_by")
    if day > today + timedelta(days=NOTICE_MAX_DAYS):
        raise InvalidInput(
            "reply_by.too_far", f"答复期限不能晚于{NOTICE_MAX_DAYS}日之后", field="reply_by"
        )
    instruction = required_text(text, "text", "督办要求")
    pending = conn.execute(
        select(notice_t.c.reply_by).where(
            notice_t.c.clock_id == row.clock_id, notice_t.c.answered_at.is_(None)
        )
    ).first()
    if pending is not None:
        raise Conflict(
            "notice.already_open",
            f"该期限已有未答复的督办单（应于{pending.reply_by.isoformat()}前答复）",
        )
    due_at = end_of_day(day, rt.tz)
    notice_id = conn.execute(
        insert(notice_t).returning(notice_t.c.id),
        {
            "case_id": row.case_id,
            "escalation_id": row.id,
            "clock_id": row.clock_id,
            "level": row.level,
            "issued_by": actor.staff_no,
            "issued_at": now,
            "to_staff_no": row.owner_staff_no,
            "text": instruction,
            "reply_by": day,
            "due_at": due_at,
            "next_fire_at": due_at,
        },
    ).scalar_one()
    # Issuing a notice is the strongest acknowledgement there is.
    mark_acknowledged(conn, row, actor, now, "")
    chain.system_event(
        conn,
        rt,
        case_no=row.case_no,
        action="supervision_notice",
        payload={
            "notice_id": notice_id,
            "clock_label": PERIODS[row.clock_name].label,
            "level_label": LEVEL_LABELS[row.level],
            "reply_by": day.isoformat(),
            "instruction": instruction,
            "by": named(actor),
        },
        now=now,
    )
    outbox.notify(
        conn,
        dedup_key=f"notice:{notice_id}:issued:{row.owner_staff_no}",
        topic="supervision_notice",
        recipient=row.owner_staff_no,
        case_no=row.case_no,
        payload={
            "notice_id": notice_id,
            "reply_by": day.isoformat(),
            "text": instruction,
            "by": actor.staff_no,
        },
        now=now,
    )
    return notice(conn, rt, notice_id=notice_id, now=now)


def notice(conn: Connection, rt: Runtime, *, notice_id: int, now: datetime) -> dict[str, Any]:
    """One supervision notice."""
    row = conn.execute(
        select(notice_t, case_t.c.case_no)
        .join(case_t, case_t.c.id == notice_t.c.case_id)
        .where(notice_t.c.id == notice_id)
    ).first()
    if row is None:
        raise NotFound("notice.not_found", f"没有编号为 {notice_id} 的督办单")
    return notice_view(row, rt, now)


def answer_notice(
    conn: Connection,
    rt: Runtime,
    *,
    notice_id: int,
    actor_staff_no: str,
    answer: Any,
    now: datetime,
) -> dict[str, Any]:
    """The owner answers a supervision notice; the issuer (and whoever it went up to) is told."""
    actor, _ = staff.get_actor(conn, actor_staff_no)
    stmt = (
        select(notice_t, case_t.c.case_no, staff_t.c.staff_no.label("owner_staff_no"))
        .join(case_t, case_t.c.id == notice_t.c.case_id)
        .join(staff_t, staff_t.c.id == case_t.c.owner_id)
        .where(notice_t.c.id == notice_id)
    )
    lock_case_of(conn, notice_t, notice_id)  # the case first (cases.store.locking)
    row = conn.execute(locked(stmt, conn, notice_t)).first()
    if row is None:
        raise NotFound("notice.not_found", f"没有编号为 {notice_id} 的督办单")
    # Who may write the case's tracking notes may answer: its owner, or a supervisor or leader
    # (the group leader answering for an owner on leave, say); the event names who did.
    if actor.staff_no != row.to_staff_no and not lifecycle.role_permits(
        "note", row.owner_staff_no, actor
    ):
        raise PermissionDenied(
            "permission.denied", "只有该信访事项的首接责任人可以答复督办单", role=actor.role
        )
    if row.answered_at is not None:
        raise Conflict("notice.answered", "该督办单已经答复")
    text = required_text(answer, "answer", "答复内容", max_len=5000)
    late = now > row.due_at
    conn.execute(
        update(notice_t)
        .where(notice_t.c.id == notice_id)
        .values(answered_at=now, answered_by=actor.staff_no, answer=text, next_fire_at=None)
    )
    chain.system_event(
        conn,
        rt,
        case_no=row.case_no,
        action="notice_answered",
        payload={
            "notice_id": notice_id,
            "reply_by": row.reply_by.isoformat(),
            "answer": text,
            "late": late,
            "by": named(actor),
        },
        now=now,
    )
    told = [row.issued_by]
    escalated = conn.execute(
        select(notice_esc_t.c.recipients).where(notice_esc_t.c.notice_id == notice_id)
    ).scalar()
    told += list(escalated or [])
    for who in dict.fromkeys(told):
        outbox.notify(
            conn,
            dedup_key=f"notice:{notice_id}:answered:{who}",
            topic="notice_answered",
            recipient=who,
            case_no=row.case_no,
            payload={"notice_id": notice_id, "answer": text, "late": late, "by": actor.staff_no},
            now=now,
        )
    return notice(conn, rt, notice_id=notice_id, now=now)


def open_notices_for(
    conn: Connection, rt: Runtime, staff_no: str, now: datetime
) -> list[dict[str, Any]]:
    """Unanswered notices on the cases this person owns (their desk), the earliest due first."""
    rows = conn.execute(
        select(notice_t, case_t.c.case_no, case_t.c.subject)
        .join(case_t, case_t.c.id == notice_t.c.case_id)
        .join(staff_t, staff_t.c.id == case_t.c.owner_id)
        .where(notice_t.c.answered_at.is_(None), staff_t.c.staff_no == staff_no)
        .order_by(notice_t.c.due_at, notice_t.c.id)
    )
    return [{**notice_view(r, rt, now), "subject": r.subject} for r in rows]


def case_notices(
    conn: Connection, rt: Runtime, case_no: str, now: datetime
) -> list[dict[str, Any]]:
    """Every notice on a case, the latest first."""
    rows = conn.execute(
        select(notice_t, case_t.c.case_no)
        .join(case_t, case_t.c.id == notice_t.c.case_id)
        .where(case_t.c.case_no == case_no)
        .order_by(notice_t.c.id.desc())
    )
    return [notice_view(r, rt, now) for r in rows]
