"""The supervisor queue (督办队列): escalations, supervision notices, extension requests, 不满意 follow-up.

Every action here is one unit of work in the caller's transaction, like ``cases.service``: its rows,
its audit event on the case (``chain.system_event``, or ``actions.act`` for an extension) and its
notifications (``outbox.notify``, the outbox) commit together or not at all. The person who acted
is named in the event's payload (``by``); system events are chained like every other step.

A supervision notice (督办单) orders the owner to report on a late clock by a date. Unanswered by
then, ``sweep_notices`` (called by the sweeper) passes it once to the next post up the party
organisation (``workflow.escalation.recipients``); ``notice_escalation``'s primary key makes "once"
hold with several sweepers, or a sweeper killed mid-pass.
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from cases.casework import actions, view
from cases.models import (
    EscalationAck,
    ExtensionRequest,
    NoticeEscalation,
    RatingFollowup,
    SupervisionNotice,
)
from cases.runtime import Runtime
from cases.store import chain, outbox, records, staff, upsert
from cases.store.tables import case_t, clock_t, escalation_t, group_t, staff_t
from workflow import lifecycle
from workflow.calendar import end_of_day, local_date
from workflow.errors import ActionNotAllowed, Conflict, InvalidInput, NotFound, PermissionDenied
from workflow.escalation import Chain, recipients
from workflow.lifecycle import CATEGORY_LABELS, STATE_LABELS, Actor
from workflow.periods import LEVEL_LABELS, LEVELS, PERIODS

ack_t = EscalationAck.__table__
notice_t = SupervisionNotice.__table__
notice_esc_t = NoticeEscalation.__table__
extension_t = ExtensionRequest.__table__
followup_t = RatingFollowup.__table__

#: Who works the queue: acknowledges, issues notices, reassigns, decides extensions.
SUPERVISING_ROLES = frozenset({"supervisor", "leader"})
#: ``active`` is what still needs someone: open or acknowledged (the page's default).
QUEUE_STATUSES = ("active", "open", "acknowledged", "superseded", "resolved", "all")
ESCALATION_STATUS_LABELS = {
    "open": "待签收",
    "acknowledged": "已签收",
    "superseded": "已升级",
    "resolved": "已解决",
}
NOTICE_STATUS_LABELS = {"open": "待答复", "overdue": "逾期未答复", "answered": "已答复"}
EXTENSION_STATUS_LABELS = {"pending": "待审批", "approved": "已批准", "refused": "未批准"}
#: A notice's reply date: from today up to this many days ahead.
NOTICE_MAX_DAYS = 30

#: The Chinese names of this module's case events (the timeline shows them).
EVENT_LABELS = lifecycle.EVENT_LABELS
#: The Chinese names of their payload fields.
PAYLOAD_LABELS: dict[str, str] = {
    "by": "经办人",
    "reply_by": "答复期限",
    "instruction": "督办要求",
    "answer": "答复内容",
    "note": "说明",
    "notice": "告知内容",
    "new_due_date": "延长后届满日",
}

_RANK = {level: i + 1 for i, level in enumerate(LEVELS)}


# --- who ----------------------------------------------------------------------------------------------


def _supervisor(conn: Connection, staff_no: str, what: str) -> tuple[Actor, Any]:
    actor, row = staff.get_actor(conn, staff_no)
    if actor.role not in SUPERVISING_ROLES:
        raise PermissionDenied(
            "permission.denied",
            f"{lifecycle.ROLE_LABELS.get(actor.role, actor.role)}无权{what}",
            role=actor.role,
        )
    return actor, row


def _who(actor: Actor) -> str:
    return f"{actor.name}（{actor.staff_no}）"


def _approver(conn: Connection, chain: Chain) -> str | None:
    """The first post above the owner held by someone who may decide (a supervisor or leader)."""
    posts = [p for p in (chain.group_leader, chain.branch_secretary, chain.office_leader) if p]
    if posts:
        roles = dict(
            conn.execute(
                select(staff_t.c.staff_no, staff_t.c.role).where(staff_t.c.staff_no.in_(posts))
            ).all()
        )
        for post in posts:
            if roles.get(post) in SUPERVISING_ROLES:
                return post
    return conn.execute(
        select(staff_t.c.staff_no)
        .where(staff_t.c.role == "supervisor", staff_t.c.active.is_(True))
        .order_by(staff_t.c.staff_no)
        .limit(1)
    ).scalar()


def _text(value: Any, field: str, label: str, max_len: int = 2000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field}.required", f"请填写{label}", field=field)
    value = value.strip()
    if len(value) > max_len:
        raise InvalidInput(f"{field}.too_long", f"{label}不能超过{max_len}个字", field=field)
    return value


def _lock(stmt: Any, conn: Connection, table: Any) -> Any:
    return stmt.with_for_update(of=table) if conn.dialect.name == "postgresql" else stmt


# --- the queue ----------------------------------------------------------------------------------------


def queue_items(
    conn: Connection,
    rt: Runtime,
    *,
    now: datetime,
    status: str = "open",
    level: str | None = None,
    group: str | None = None,
    owner: str | None = None,
    clock: str | None = None,
    category: str | None = None,
    escalation_id: int | None = None,
    limit: int = 2000,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Escalations, the highest level first, then the longest overdue; and how many per level.

    The counts ignore the level filter (they label the level tabs). ``active`` shows one row per
    clock: its highest level still open or acknowledged.
    """
    if status not in QUEUE_STATUSES:
        raise InvalidInput(
            "escalation.bad_status",
            "状态应为 active、open、acknowledged、superseded、resolved 或 all",
            field="status",
        )
    for value, allowed, name, label in (
        (level, LEVELS, "level", "级别"),
        (clock, tuple(PERIODS), "clock", "期限"),
        (category, tuple(CATEGORY_LABELS), "category", "类别"),
    ):
        if value and value not in allowed:
            raise InvalidInput(
                f"escalation.bad_{name}",
                f"{label}应为以下之一：{'、'.join(allowed)}",
                field=name,
            )
    owner_t = staff_t.alias("owner")
    stmt = (
        select(
            escalation_t,
            case_t.c.case_no,
            case_t.c.subject,
            case_t.c.state,
            case_t.c.category,
            clock_t.c.name.label("clock_name"),
            clock_t.c.due_date,
            clock_t.c.status.label("clock_status"),
            owner_t.c.staff_no.label("owner_staff_no"),
            owner_t.c.name.label("owner_name"),
            group_t.c.name.label("group_name"),
        )
        .join(case_t, case_t.c.id == escalation_t.c.case_id)
        .join(clock_t, clock_t.c.id == escalation_t.c.clock_id)
        .join(owner_t, owner_t.c.id == case_t.c.owner_id)
        .outerjoin(group_t, group_t.c.id == owner_t.c.group_id)
        .order_by(escalation_t.c.id)
        .limit(limit)
    )
    if status == "active":
        stmt = stmt.where(escalation_t.c.status.in_(["open", "acknowledged"]))
    elif status != "all":
        stmt = stmt.where(escalation_t.c.status == status)
    if group:
        stmt = stmt.where(group_t.c.name == group)
    if owner:
        stmt = stmt.where(owner_t.c.staff_no == owner)
    if clock:
        stmt = stmt.where(clock_t.c.name == clock)
    if category:
        stmt = stmt.where(case_t.c.category == category)
    if escalation_id is not None:
        stmt = stmt.where(escalation_t.c.id == escalation_id)
    rows = list(conn.execute(stmt))
    if status == "active":
        # An acknowledged lower level is not superseded by the sweeper: show the clock's top one.
        top: dict[int, Any] = {}
        for r in rows:
            if r.clock_id not in top or _RANK[r.level] > _RANK[top[r.clock_id].level]:
                top[r.clock_id] = r
        rows = list(top.values())
    counts = dict.fromkeys(LEVELS, 0)
    for r in rows:
        counts[r.level] = counts.get(r.level, 0) + 1
    if level:
        rows = [r for r in rows if r.level == level]
    acks = _acks(conn, [r.id for r in rows])
    notices = _latest_notices(conn, rt, [r.clock_id for r in rows], now)
    items = []
    for r in rows:
        late = now - r.due_at
        items.append(
            {
                "id": r.id,
                "case_no": r.case_no,
                "subject": r.subject,
                "state": r.state,
                "state_label": STATE_LABELS[r.state],
                "category": r.category,
                "category_label": CATEGORY_LABELS.get(r.category, r.category),
                "owner": {"staff_no": r.owner_staff_no, "name": r.owner_name},
                "group": r.group_name,
                "clock": r.clock_name,
                "clock_label": PERIODS[r.clock_name].label,
                "clock_status": r.clock_status,
                "due_date": r.due_date.isoformat(),
                "due_at": r.due_at.astimezone(rt.tz).isoformat(),
                "level": r.level,
                "level_label": LEVEL_LABELS.get(r.level, r.level),
                "status": r.status,
                "status_label": ESCALATION_STATUS_LABELS.get(r.status, r.status),
                "fired_at": r.fired_at.astimezone(rt.tz).isoformat(),
                "recipients": list(r.recipients or []),
                # Whole days past the deadline (negative: still before it, e.g. a warning).
                "days_late": late.days if late >= timedelta(0) else -((-late).days),
                "acknowledged": acks.get(r.id),
                "notice": notices.get(r.clock_id),
                "_late": late,
            }
        )
    items.sort(key=lambda e: (-_RANK.get(e["level"], 0), -e["_late"].total_seconds(), e["id"]))
    for e in items:
        del e["_late"]
    return items, counts


def _acks(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
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


def _notice_view(r: Any, rt: Runtime, now: datetime) -> dict[str, Any]:
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


def _latest_notices(
    conn: Connection, rt: Runtime, clock_ids: list[int], now: datetime
) -> dict[int, dict[str, Any]]:
    if not clock_ids:
        return {}
    out: dict[int, dict[str, Any]] = {}
    rows = conn.execute(
        select(notice_t)
        .where(notice_t.c.clock_id.in_(sorted(set(clock_ids))))
        .order_by(notice_t.c.id)
    )
    for r in rows:
        out[r.clock_id] = _notice_view(r, rt, now)  # the latest wins
    return out


def group_names(conn: Connection) -> list[str]:
    """The party groups, for the queue's filter."""
    return list(conn.execute(select(group_t.c.name).order_by(group_t.c.name)).scalars())


# --- acknowledging and notices ------------------------------------------------------------------------


def _escalation(conn: Connection, escalation_id: int) -> Any:
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
    row = conn.execute(_lock(stmt, conn, escalation_t)).first()
    if row is None:
        raise NotFound("escalation.not_found", f"没有编号为 {escalation_id} 的督办事项")
    return row


def escalation_case_no(conn: Connection, escalation_id: int) -> str:
    """The case number an escalation is on."""
    case_no = conn.execute(
        select(case_t.c.case_no)
        .join(escalation_t, escalation_t.c.case_id == case_t.c.id)
        .where(escalation_t.c.id == escalation_id)
    ).scalar()
    if case_no is None:
        raise NotFound("escalation.not_found", f"没有编号为 {escalation_id} 的督办事项")
    return case_no


def _acknowledge_row(conn: Connection, row: Any, actor: Actor, now: datetime, note: str) -> None:
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
    actor, _ = _supervisor(conn, actor_staff_no, "签收督办事项")
    row = _escalation(conn, escalation_id)
    if row.status != "open":
        raise ActionNotAllowed(
            "escalation.not_open",
            f"该督办事项{ESCALATION_STATUS_LABELS.get(row.status, row.status)}，不需要再签收",
        )
    note = (note or "").strip()[:1000]
    _acknowledge_row(conn, row, actor, now, note)
    payload = {
        "clock": row.clock_name,
        "clock_label": PERIODS[row.clock_name].label,
        "level": row.level,
        "level_label": LEVEL_LABELS[row.level],
        "by": _who(actor),
        **({"note": note} if note else {}),
    }
    chain.system_event(
        conn, rt, case_no=row.case_no, action="escalation_acknowledged", payload=payload, now=now
    )


def parse_day(value: Any, field: str, label: str) -> date:
    """A date from a form or JSON (``2026-12-01``)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(
            f"{field}.invalid", f"{label}应为日期，格式如2026-12-31", field=field
        ) from None


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
    actor, _ = _supervisor(conn, actor_staff_no, "下达督办单")
    row = _escalation(conn, escalation_id)
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
    instruction = _text(text, "text", "督办要求")
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
    _acknowledge_row(conn, row, actor, now, "")
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
            "by": _who(actor),
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
    return _notice_view(row, rt, now)


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
    row = conn.execute(_lock(stmt, conn, notice_t)).first()
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
    text = _text(answer, "answer", "答复内容", max_len=5000)
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
            "by": _who(actor),
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
    return [{**_notice_view(r, rt, now), "subject": r.subject} for r in rows]


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
    return [_notice_view(r, rt, now) for r in rows]


# --- unanswered notices climb --------------------------------------------------------------------------


def _next_levels(level: str) -> list[str]:
    """The levels above a notice's, at least 督办: an unanswered notice goes to the branch first."""
    start = max(LEVELS.index(level) + 1, LEVELS.index("supervision"))
    return list(LEVELS[min(start, len(LEVELS) - 1) :])


def sweep_notices(
    target: Engine | Connection, rt: Runtime, now: datetime, *, batch_size: int = 500
) -> dict[str, int]:
    """Pass every notice unanswered at its reply date once to the next post up."""
    if isinstance(target, Engine):
        total = {"examined": 0, "escalated": 0}
        while True:
            with target.begin() as conn:
                done = _sweep_notice_batch(conn, rt, now, batch_size)
            total["examined"] += done["examined"]
            total["escalated"] += done["escalated"]
            if done["examined"] < batch_size:
                return total
    total = {"examined": 0, "escalated": 0}
    while True:
        done = _sweep_notice_batch(target, rt, now, batch_size)
        total["examined"] += done["examined"]
        total["escalated"] += done["escalated"]
        if done["examined"] < batch_size:
            return total


def _sweep_notice_batch(
    conn: Connection, rt: Runtime, now: datetime, batch_size: int
) -> dict[str, int]:
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
        .where(notice_t.c.next_fire_at <= now, notice_t.c.answered_at.is_(None))
        .order_by(notice_t.c.case_id, notice_t.c.id)
        .limit(batch_size)
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=notice_t, skip_locked=True)
    rows = conn.execute(stmt).all()
    escalated = 0
    for row in rows:
        conn.execute(update(notice_t).where(notice_t.c.id == row.id).values(next_fire_at=None))
        ladder = staff.org_chain(conn, row.owner_id)
        level, people = "flagged", recipients("flagged", ladder)
        for candidate in _next_levels(row.level):
            found = [p for p in recipients(candidate, ladder) if p != row.issued_by]
            if found:
                level, people = candidate, found
                break
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
    return {"examined": len(rows), "escalated": escalated}


# --- extensions ---------------------------------------------------------------------------------------


def _extendable(conn: Connection, rt: Runtime, record: Any, now: datetime) -> Any:
    """The case's facts, if the handling period may be extended now (else the precise refusal)."""
    facts = view.case_facts(record, records.load_clocks(conn, record.id), now, rt.tz)
    # Asked as a supervisor would be: the owner only asks, the rule is the extension's own.
    lifecycle.check("extend", facts, Actor(staff_no="-", role="supervisor", name="-"))
    return facts


def request_extension(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    days: Any,
    reason: Any,
    now: datetime,
) -> dict[str, Any]:
    """The owner asks to extend the handling period (延期, 条例第三十四条); a supervisor decides."""
    actor, _ = staff.get_actor(conn, actor_staff_no)
    record = records.load_case(conn, case_no, for_update=True)
    if record is None:
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    if actor.staff_no != record.owner_staff_no:
        if actor.role in SUPERVISING_ROLES:
            # They decide extensions: they extend directly rather than ask themselves.
            raise ActionNotAllowed(
                "extension.extend_directly",
                "督办、领导可以直接办理延期，无需申请",
                allowed_actions=["extend"],
            )
        raise PermissionDenied("permission.denied", "只有首接责任人可以申请延期", role=actor.role)
    facts = _extendable(conn, rt, record, now)
    data = lifecycle.validate_payload(
        "extend", {"days": days, "reason": reason}, facts, local_date(now, rt.tz)
    )
    pending = conn.execute(
        select(extension_t.c.id).where(
            extension_t.c.case_id == record.id, extension_t.c.status == "pending"
        )
    ).first()
    if pending is not None:
        raise Conflict("extension.pending", "该事项已有待审批的延期申请")
    request_id = conn.execute(
        insert(extension_t).returning(extension_t.c.id),
        {
            "case_id": record.id,
            "requested_by": actor.staff_no,
            "requested_at": now,
            "days": data["days"],
            "reason": data["reason"],
            "status": "pending",
        },
    ).scalar_one()
    chain.system_event(
        conn,
        rt,
        case_no=case_no,
        action="extension_requested",
        payload={
            "request_id": request_id,
            "days": data["days"],
            "reason": data["reason"],
            "by": _who(actor),
        },
        now=now,
    )
    approver = _approver(conn, staff.org_chain(conn, record.owner_id))
    if approver:
        outbox.notify(
            conn,
            dedup_key=f"extension:{request_id}:requested:{approver}",
            topic="extension_requested",
            recipient=approver,
            case_no=case_no,
            payload={"request_id": request_id, "days": data["days"], "reason": data["reason"]},
            now=now,
        )
    return extension_request(conn, rt, request_id=request_id)


def extension_request(conn: Connection, rt: Runtime, *, request_id: int) -> dict[str, Any]:
    """One extension request."""
    rows = _extension_rows(conn, rt, extension_t.c.id == request_id)
    if not rows:
        raise NotFound("extension.not_found", f"没有编号为 {request_id} 的延期申请")
    return rows[0]


def _extension_rows(conn: Connection, rt: Runtime, *where: Any) -> list[dict[str, Any]]:
    owner_t = staff_t.alias("owner")
    stmt = (
        select(
            extension_t,
            case_t.c.case_no,
            case_t.c.subject,
            owner_t.c.staff_no.label("owner_staff_no"),
            owner_t.c.name.label("owner_name"),
        )
        .join(case_t, case_t.c.id == extension_t.c.case_id)
        .join(owner_t, owner_t.c.id == case_t.c.owner_id)
        .where(*where)
        .order_by(extension_t.c.requested_at, extension_t.c.id)
    )
    handling = {
        r.case_id: r.due_date
        for r in conn.execute(
            select(clock_t.c.case_id, clock_t.c.due_date).where(
                clock_t.c.name == "handling", clock_t.c.status.in_(["running", "paused"])
            )
        )
    }
    return [
        {
            "id": r.id,
            "case_no": r.case_no,
            "subject": r.subject,
            "owner": {"staff_no": r.owner_staff_no, "name": r.owner_name},
            "requested_by": r.requested_by,
            "requested_at": r.requested_at.astimezone(rt.tz).isoformat(),
            "days": r.days,
            "reason": r.reason,
            "status": r.status,
            "status_label": EXTENSION_STATUS_LABELS.get(r.status, r.status),
            "decided_by": r.decided_by,
            "decided_at": r.decided_at.astimezone(rt.tz).isoformat() if r.decided_at else None,
            "decision_note": r.decision_note,
            "handling_due_date": handling[r.case_id].isoformat() if r.case_id in handling else None,
        }
        for r in conn.execute(stmt)
    ]


def pending_extensions(
    conn: Connection, rt: Runtime, *, requested_by: str | None = None
) -> list[dict[str, Any]]:
    """Extension requests waiting for a decision, the oldest first."""
    where = [extension_t.c.status == "pending"]
    if requested_by:
        where.append(extension_t.c.requested_by == requested_by)
    return _extension_rows(conn, rt, *where)


def case_extensions(conn: Connection, rt: Runtime, case_no: str) -> list[dict[str, Any]]:
    """Every extension request of a case, the oldest first."""
    return _extension_rows(conn, rt, case_t.c.case_no == case_no)


def decide_extension(
    conn: Connection,
    rt: Runtime,
    *,
    request_id: int,
    actor_staff_no: str,
    approve: bool,
    note: Any,
    now: datetime,
) -> dict[str, Any]:
    """A supervisor approves (performing ``extend``, and recording the notice to the petitioner)
    or refuses (with a reason) an extension request; the owner is told either way."""
    actor, _ = _supervisor(conn, actor_staff_no, "审批延期申请")
    stmt = (
        select(extension_t, case_t.c.case_no, case_t.c.subject)
        .join(case_t, case_t.c.id == extension_t.c.case_id)
        .where(extension_t.c.id == request_id)
    )
    row = conn.execute(_lock(stmt, conn, extension_t)).first()
    if row is None:
        raise NotFound("extension.not_found", f"没有编号为 {request_id} 的延期申请")
    if row.status != "pending":
        raise Conflict(
            "extension.decided",
            f"该延期申请已处理（{EXTENSION_STATUS_LABELS.get(row.status, row.status)}）",
        )
    note_text = note.strip()[:1000] if isinstance(note, str) else ""
    if approve:
        case = actions.act(
            conn,
            rt,
            case_no=row.case_no,
            action="extend",
            actor_staff_no=actor.staff_no,
            payload={"days": row.days, "reason": row.reason},
            now=now,
        )
        due = next(
            (
                c["due_date"]
                for c in case["clocks"]
                if c["name"] == "handling" and c["status"] == "running"
            ),
            "",
        )
        # 条例第三十四条: the petitioner is told of the extension and why, in writing.
        told = (
            f"您反映的「{row.subject}」（{row.case_no}）因{row.reason}，经批准办理期限延长"
            f"{row.days}日，延长后的办理期限届满日为{due}（《信访工作条例》第三十四条）。"
        )
        chain.system_event(
            conn,
            rt,
            case_no=row.case_no,
            action="extension_notice",
            payload={
                "request_id": request_id,
                "days": row.days,
                "new_due_date": due,
                "notice": told,
                "by": _who(actor),
            },
            now=now,
        )
    else:
        note_text = _text(note, "note", "不予批准的理由", max_len=1000)
        chain.system_event(
            conn,
            rt,
            case_no=row.case_no,
            action="extension_refused",
            payload={"request_id": request_id, "note": note_text, "by": _who(actor)},
            now=now,
        )
    conn.execute(
        update(extension_t)
        .where(extension_t.c.id == request_id)
        .values(
            status="approved" if approve else "refused",
            decided_by=actor.staff_no,
            decided_at=now,
            decision_note=note_text or None,
        )
    )
    outbox.notify(
        conn,
        dedup_key=f"extension:{request_id}:decided:{row.requested_by}",
        topic="extension_decided",
        recipient=row.requested_by,
        case_no=row.case_no,
        payload={
            "request_id": request_id,
            "approved": approve,
            "days": row.days,
            "note": note_text,
        },
        now=now,
    )
    return extension_request(conn, rt, request_id=request_id)


def can_request_extension(
    conn: Connection, rt: Runtime, case_no: str, staff_no: str, now: datetime
) -> bool:
    """Whether this person may ask to extend this case now (its owner, extendable, none pending)."""
    record = records.load_case(conn, case_no, for_update=False)
    if record is None or record.owner_staff_no != staff_no:
        return False
    try:
        _extendable(conn, rt, record, now)
    except ActionNotAllowed:
        return False
    return (
        conn.execute(
            select(extension_t.c.id).where(
                extension_t.c.case_id == record.id, extension_t.c.status == "pending"
            )
        ).first()
        is None
    )


# --- 不满意 ------------------------------------------------------------------------------------------


def dissatisfied(
    conn: Connection, rt: Runtime, *, include_followed: bool = False
) -> list[dict[str, Any]]:
    """Cases the petitioner rated 不满意, not yet followed up (or all), the latest rating first."""
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
        .limit(500)
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
    actor, _ = _supervisor(conn, actor_staff_no, "登记不满意评价的跟进")
    record = records.load_case(conn, case_no, for_update=True)
    if record is None:
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    if record.rating != "dissatisfied":
        raise ActionNotAllowed("followup.not_dissatisfied", "信访人的评价不是「不满意」，无需跟进")
    text = _text(note, "note", "跟进情况", max_len=2000)
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
        payload={"note": text, "by": _who(actor)},
        now=now,
    )


# --- the desk and the case page ---------------------------------------------------------------------


def desk_extras(
    conn: Connection, rt: Runtime, *, staff_no: str, role: str, now: datetime
) -> dict[str, Any]:
    """What the desk adds: notices to answer, my extension requests, and (for supervisors) theirs."""
    return {
        "notices": open_notices_for(conn, rt, staff_no, now),
        "my_extensions": pending_extensions(conn, rt, requested_by=staff_no),
        "extensions_to_decide": pending_extensions(conn, rt) if role in SUPERVISING_ROLES else [],
    }


def case_extras(
    conn: Connection, rt: Runtime, *, case_no: str, staff_no: str, role: str, now: datetime
) -> dict[str, Any]:
    """What the case page adds: notices, extension requests, and what this person may do."""
    notices = case_notices(conn, rt, case_no, now)
    owner = conn.execute(
        select(staff_t.c.staff_no)
        .join(case_t, case_t.c.owner_id == staff_t.c.id)
        .where(case_t.c.case_no == case_no)
    ).scalar()
    for n in notices:
        n["can_answer"] = n["status"] != "answered" and staff_no in (owner, n["to_staff_no"])
    return {
        "notices": notices,
        "extensions": case_extensions(conn, rt, case_no),
        "can_request_extension": can_request_extension(conn, rt, case_no, staff_no, now),
        "can_decide": role in SUPERVISING_ROLES,
    }


def labels() -> Mapping[str, Mapping[str, str]]:
    """The label tables the pages read."""
    return {
        "events": EVENT_LABELS,
        "payload": PAYLOAD_LABELS,
        "escalation_status": ESCALATION_STATUS_LABELS,
        "notice_status": NOTICE_STATUS_LABELS,
        "extension_status": EXTENSION_STATUS_LABELS,
    }
