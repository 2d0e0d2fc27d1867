"""A staff member's desk: the open cases they own, sorted into overdue, due soon and waiting for a
tracking note; for a handler, the office's cases waiting for a reply."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from cases.casework import view
from cases.casework.standing import LEVEL_RANK, live_level
from cases.organisation.directory import staff_account
from cases.runtime import Runtime
from cases.store import records, statements
from cases.store.tables import case_t, clock_t, escalation_t
from workflow import lifecycle, sla
from workflow.errors import NotFound
from workflow.periods import PERIODS


def clocks_by_case(conn: Connection, case_ids: Sequence[int]) -> dict[int, list[sla.Clock]]:
    out: dict[int, list[sla.Clock]] = {i: [] for i in case_ids}
    if case_ids:
        rows = conn.execute(
            select(clock_t).where(clock_t.c.case_id.in_(list(case_ids))).order_by(clock_t.c.id)
        )
        for row in rows:
            out[row.case_id].append(records.clock_from_row(row))
    return out


def render_rows(
    conn: Connection,
    rt: Runtime,
    rows: Sequence[Any],
    *,
    viewer: lifecycle.Actor | None,
    viewer_unit: str | None,
    now: datetime,
) -> tuple[list[dict[str, Any]], dict[int, list[sla.Clock]]]:
    clocks = clocks_by_case(conn, [r.id for r in rows])
    rendered = [
        view.render(r, clocks[r.id], viewer=viewer, now=now, rt=rt, viewer_unit=viewer_unit)
        for r in rows
    ]
    return rendered, clocks


def _attention(
    clocks: Sequence[sla.Clock], now: datetime, ctx: sla.Context
) -> tuple[dict[str, Any] | None, str | None, bool]:
    """The most pressing running office clock, its live level, and whether tracking is due."""
    pressing: tuple[int, datetime, sla.Clock, str | None] | None = None
    tracking_due = False
    for clock in clocks:
        if clock.status != "running" or PERIODS[clock.name].kind == "petitioner":
            continue
        level = live_level(clock, now, ctx)
        if clock.name == "tracking":
            tracking_due = level is not None
            continue
        key = (-LEVEL_RANK[level], clock.due_at, clock, level)
        if pressing is None or key[:2] < pressing[:2]:
            pressing = key
    if pressing is None:
        return None, None, tracking_due
    clock, level = pressing[2], pressing[3]
    return view.render_clock(clock, ctx.tz), level, tracking_due


def desk(
    conn: Connection, rt: Runtime, *, staff_no: str, role: str, now: datetime
) -> dict[str, Any]:
    """A staff member's desk: the open cases they own, sorted into overdue, due soon and
    waiting for a tracking note; for a handler, the office's cases waiting for a reply."""
    # Not staff.get_actor: that reads the whole staff row, photo included.
    row = staff_account(conn, staff_no)
    if row is None:
        raise NotFound("staff.not_found", f"没有工号为 {staff_no} 的在岗工作人员")
    viewer = lifecycle.Actor(staff_no=row.staff_no, role=row.role, name=row.name)
    ctx = rt.ctx(conn)
    stmt = statements.CASE_QUERY.where(
        case_t.c.owner_id == row.id,
        case_t.c.state.in_(lifecycle.OPEN_STATES),
    ).order_by(case_t.c.received_at)
    found = conn.execute(stmt).all()
    rendered, clocks = render_rows(conn, rt, found, viewer=viewer, viewer_unit=row.unit, now=now)
    overdue, due_soon, tracking, all_open = [], [], [], []
    for record, case in zip(found, rendered, strict=True):
        clock, level, tracking_due = _attention(clocks[record.id], now, ctx)
        item = {"case": case, "clock": clock, "level": level, "tracking_due": tracking_due}
        all_open.append(item)
        if level in ("overdue", "supervision", "flagged"):
            overdue.append(item)
        elif level == "warning":
            due_soon.append(item)
        if tracking_due:
            tracking.append(item)
    for items in (overdue, due_soon, all_open):
        items.sort(key=lambda i: i["clock"]["due_at"] if i["clock"] else "9999")
    awaiting_reply: list[dict[str, Any]] = []
    if role == "handler":
        awaiting_reply = _awaiting_reply(conn, rt, viewer, row.unit, now, ctx)
    return {
        "overdue": overdue,
        "due_soon": due_soon,
        "tracking": tracking,
        "open": all_open,
        "awaiting_reply": awaiting_reply,
        "counts": {
            "open": len(all_open),
            "overdue": len(overdue),
            "due_soon": len(due_soon),
            "tracking": len(tracking),
            "awaiting_reply": len(awaiting_reply),
            "escalations": open_escalation_count(conn) if role in ("supervisor", "leader") else 0,
        },
    }


def _awaiting_reply(
    conn: Connection,
    rt: Runtime,
    viewer: lifecycle.Actor,
    unit: str | None,
    now: datetime,
    ctx: sla.Context,
) -> list[dict[str, Any]]:
    """Cases where the handler's replies are due: accepted, transferred, under review or re-examination."""
    stmt = (
        statements.CASE_QUERY.where(
            case_t.c.state.in_(["accepted", "transferred", "under_review", "under_reexamination"])
        )
        .order_by(case_t.c.received_at)
        .limit(200)
    )
    found = conn.execute(stmt).all()
    rendered, clocks = render_rows(conn, rt, found, viewer=viewer, viewer_unit=unit, now=now)
    items = []
    for record, case in zip(found, rendered, strict=True):
        clock, level, _ = _attention(clocks[record.id], now, ctx)
        items.append({"case": case, "clock": clock, "level": level, "tracking_due": False})
    items.sort(key=lambda i: i["clock"]["due_at"] if i["clock"] else "9999")
    return items


def open_escalation_count(conn: Connection) -> int:
    """How many escalations are open."""
    return conn.execute(
        select(func.count()).select_from(escalation_t).where(escalation_t.c.status == "open")
    ).scalar_one()
