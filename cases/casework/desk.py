"""A staff member's desk: the open cases they own, sorted into overdue, due soon and waiting for a
tracking note; for a handler, the office's cases waiting for a reply.

Where each case stands is ``workflow.standing``'s, as on every other screen: 已超期 counts the
cases whose worst counted clock stands at 超期 or above, the tracking clock included and named.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from cases.casework import standing, view
from cases.organisation.directory import staff_account
from cases.runtime import Runtime
from cases.store import statements
from cases.store.tables import case_t
from workflow import lifecycle, sla
from workflow.errors import NotFound
from workflow.standing import CaseStanding

#: Cases with no counted clock sort after every case that has one.
_LAST = (1, "")


def render_rows(
    conn: Connection,
    rt: Runtime,
    rows: Sequence[Any],
    *,
    viewer: lifecycle.Actor | None,
    viewer_unit: str | None,
    now: datetime,
) -> tuple[list[dict[str, Any]], dict[int, list[sla.Clock]]]:
    """These case rows as the viewer may see them, and their clocks by case id."""
    clocks = standing.clocks_by_case(conn, [r.id for r in rows])
    ctx = rt.ctx(conn)
    rendered = [
        view.render(
            r, clocks[r.id], viewer=viewer, now=now, rt=rt, ctx=ctx, viewer_unit=viewer_unit
        )
        for r in rows
    ]
    return rendered, clocks


def _items(
    conn: Connection,
    rt: Runtime,
    rows: Sequence[Any],
    *,
    viewer: lifecycle.Actor,
    viewer_unit: str | None,
    now: datetime,
) -> list[tuple[dict[str, Any], CaseStanding]]:
    """Each case with its standing, the most pressing first."""
    rendered, clocks = render_rows(conn, rt, rows, viewer=viewer, viewer_unit=viewer_unit, now=now)
    at = standing.standings(conn, rt, clocks, now)
    items = []
    for record, case in zip(rows, rendered, strict=True):
        item = {
            "case": case,
            "standing": standing.summary(at[record.id], rt.tz),
            "tracking_due": _tracking_due(at[record.id]),
        }
        items.append((item, at[record.id]))
    items.sort(key=lambda i: _rank(i[1]))
    return items


def _rank(at: CaseStanding) -> tuple[Any, ...]:
    return (0, *at.worst.rank) if at.worst else _LAST


def _tracking_due(at: CaseStanding) -> bool:
    tracking = at.clock("tracking")
    return tracking is not None and tracking.level is not None


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
    stmt = statements.CASE_QUERY.where(
        case_t.c.owner_id == row.id,
        case_t.c.state.in_(lifecycle.OPEN_STATES),
    ).order_by(case_t.c.received_at)
    found = conn.execute(stmt).all()
    items = _items(conn, rt, found, viewer=viewer, viewer_unit=row.unit, now=now)
    overdue = [i for i, at in items if at.overdue]
    due_soon = [i for i, at in items if at.due_soon]
    tracking = [
        i for i, at in sorted(items, key=lambda i: _tracking_rank(i[1])) if _tracking_due(at)
    ]
    awaiting_reply: list[dict[str, Any]] = []
    if role == "handler":
        awaiting_reply = _awaiting_reply(conn, rt, viewer, row.unit, now)
    return {
        "overdue": overdue,
        "due_soon": due_soon,
        "tracking": tracking,
        "open": [i for i, _ in items],
        "awaiting_reply": awaiting_reply,
        "counts": {
            "open": len(items),
            "overdue": len(overdue),
            "due_soon": len(due_soon),
            "tracking": len(tracking),
            "awaiting_reply": len(awaiting_reply),
        },
    }


def _tracking_rank(at: CaseStanding) -> tuple[Any, ...]:
    tracking = at.clock("tracking")
    return (0, *tracking.rank) if tracking else _LAST


def _awaiting_reply(
    conn: Connection,
    rt: Runtime,
    viewer: lifecycle.Actor,
    unit: str | None,
    now: datetime,
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
    items = _items(conn, rt, found, viewer=viewer, viewer_unit=unit, now=now)
    # The handler answers the office's clocks, not the owner's tracking notes.
    return [{**i, "tracking_due": False} for i, _ in items]
