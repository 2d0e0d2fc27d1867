"""The supervisor queue (督办队列): escalations to work, the highest level and longest overdue first.

Reading only: acknowledging is in ``acks``, 督办单 in ``notices`` (and ``notice_sweep``), extension
requests in ``extensions``, 不满意 follow-ups in ``followups``. Reassigning from the queue is the
case's own ``reassign`` action, on the case ``escalation_case_no`` names.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from cases.runtime import Runtime
from cases.store.tables import case_t, clock_t, escalation_t, group_t, staff_t
from cases.supervision import acks, notices
from cases.supervision.labels import ESCALATION_STATUS_LABELS
from workflow.errors import InvalidInput, NotFound
from workflow.lifecycle import CATEGORY_LABELS, STATE_LABELS
from workflow.periods import LEVEL_LABELS, LEVELS, PERIODS

#: ``active`` is what still needs someone: open or acknowledged (the page's default).
QUEUE_STATUSES = ("active", "open", "acknowledged", "superseded", "resolved", "all")

_RANK = {level: i + 1 for i, level in enumerate(LEVELS)}


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
    acked = acks.acknowledgements(conn, [r.id for r in rows])
    latest = notices.latest_notices(conn, rt, [r.clock_id for r in rows], now)
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
                "acknowledged": acked.get(r.id),
                "notice": latest.get(r.clock_id),
                "_late": late,
            }
        )
    items.sort(key=lambda e: (-_RANK.get(e["level"], 0), -e["_late"].total_seconds(), e["id"]))
    for e in items:
        del e["_late"]
    return items, counts


def group_names(conn: Connection) -> list[str]:
    """The party groups, for the queue's filter."""
    return list(conn.execute(select(group_t.c.name).order_by(group_t.c.name)).scalars())


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
