"""Reading cases: one case, a list, its events, each as the viewer may see it."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from cases.casework.view import render, repeat_of_no
from cases.runtime import Runtime
from cases.store import statements
from cases.store.records import clock_from_row, load_case, load_clocks
from cases.store.staff import get_actor
from cases.store.tables import case_t, clock_t, event_t, staff_t
from workflow import glossary, lifecycle, read_scope, sla
from workflow.confidentiality import hidden_from
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.lifecycle import STATE_LABELS, Actor


def viewer(conn: Connection, staff_no: str | None) -> tuple[Actor | None, Any]:
    """The staff member reading, if their role may read cases (None: the system itself)."""
    if staff_no is None:
        return None, None
    actor, row = get_actor(conn, staff_no)
    if actor.role not in lifecycle.READ_ROLES:
        raise PermissionDenied(
            "permission.denied",
            f"{lifecycle.ROLE_LABELS.get(actor.role, actor.role)}无权查看信访事项",
        )
    return actor, row


def show_full(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    viewer_staff_no: str | None,
    now: datetime,
    what: str,
) -> dict[str, Any]:
    """One case, refused (``case.summary_only``) when the viewer may see only its summary: the
    receipt, the notices, the materials and the printed reports are the case in full."""
    case = show(conn, rt, case_no=case_no, viewer_staff_no=viewer_staff_no, now=now)
    read_scope.require_full(case, what)
    return case


def not_found(case_no: str) -> NotFound:
    """The refusal for a case number that names no case."""
    return NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)


def show(
    conn: Connection, rt: Runtime, *, case_no: str, viewer_staff_no: str | None, now: datetime
) -> dict[str, Any]:
    """One case with its clocks, as the viewer may see it."""
    record = load_case(conn, case_no, for_update=False)
    if record is None:
        raise not_found(case_no)
    actor, viewer_row = viewer(conn, viewer_staff_no)
    return render(
        record,
        load_clocks(conn, record.id),
        viewer=actor,
        now=now,
        rt=rt,
        ctx=rt.ctx(conn),
        viewer_unit=viewer_row.unit if viewer_row is not None else None,
        repeat_of=repeat_of_no(conn, record),
    )


def list_cases(
    conn: Connection,
    rt: Runtime,
    *,
    viewer_staff_no: str | None,
    now: datetime,
    owner: str | None = None,
    state: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Cases, newest first, optionally by owner's 工号 and state."""
    actor, viewer_row = viewer(conn, viewer_staff_no)
    stmt = statements.CASE_QUERY.order_by(case_t.c.received_at.desc(), case_t.c.id.desc()).limit(
        limit
    )
    if owner:
        stmt = stmt.where(
            case_t.c.owner_id
            == select(staff_t.c.id).where(staff_t.c.staff_no == owner).scalar_subquery()
        )
    if state:
        if state not in STATE_LABELS:
            raise InvalidInput("case.bad_state", f"未知的状态：{state}", field="state")
        stmt = stmt.where(case_t.c.state == state)
    records = conn.execute(stmt).all()
    by_case: dict[int, list[sla.Clock]] = {r.id: [] for r in records}
    if records:
        rows = conn.execute(
            select(clock_t).where(clock_t.c.case_id.in_(list(by_case))).order_by(clock_t.c.id)
        )
        for row in rows:
            by_case[row.case_id].append(clock_from_row(row))
    unit = viewer_row.unit if viewer_row is not None else None
    ctx = rt.ctx(conn)
    return [
        render(r, by_case[r.id], viewer=actor, now=now, rt=rt, ctx=ctx, viewer_unit=unit)
        for r in records
    ]


def case_events(
    conn: Connection, rt: Runtime, *, case_no: str, viewer_staff_no: str | None
) -> list[dict[str, Any]]:
    """The case's audit events, oldest first; for the accused unit without their contents."""
    record = load_case(conn, case_no, for_update=False)
    if record is None:
        raise not_found(case_no)
    actor, viewer_row = viewer(conn, viewer_staff_no)
    # A step's contents would tell the accused what they are accused of (条例第三十条第三款).
    hidden = hidden_from(actor, viewer_row.unit if viewer_row is not None else None, record)
    # Another's case, for a receptionist: the steps and their dates, never a reply or a note.
    hidden = hidden or not read_scope.reads_in_full(actor, record.owner_staff_no, record.state)
    rows = conn.execute(
        select(event_t).where(event_t.c.case_id == record.id).order_by(event_t.c.seq)
    )
    return [
        {
            "seq": r.seq,
            "action": r.action,
            "action_label": glossary.event_label(r.action),
            "actor": r.actor_staff_no,
            "at": r.at.astimezone(rt.tz).isoformat(),
            "from_state": r.from_state,
            "to_state": r.to_state,
            "payload": {} if hidden else r.payload,
            "public": r.public,
            "hash": r.hash,
        }
        for r in rows
    ]


def case_count(conn: Connection) -> int:
    """How many cases the database holds."""
    return conn.execute(select(func.count()).select_from(case_t)).scalar_one()
