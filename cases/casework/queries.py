"""Read queries for the pages and the API: the desk, search, the escalation queue, the staff wall,
the public tracking view. (Plus the two small staff-profile writes of the admin page.)

Every function takes a Connection inside the caller's transaction, like ``cases.service``, and
renders cases through ``view.render`` so confidentiality (条例第三十条第三款) is applied in one
place.
"""

import contextlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select, update

from cases.casework import reading, view
from cases.crypto import verify_query_code
from cases.models import CaseRepresentative
from cases.runtime import Runtime
from cases.store import records, statements
from cases.store.tables import (
    branch_t,
    case_t,
    clock_t,
    escalation_t,
    event_t,
    group_t,
    petitioner_t,
    staff_t,
)
from workflow import confidentiality, lifecycle, sla
from workflow.errors import InvalidInput, NotFound
from workflow.escalation import level_times
from workflow.intake import validate_id_number, validate_phone
from workflow.periods import LEVELS, PERIODS

rep_t = CaseRepresentative.__table__

#: Photo types the staff wall accepts, by their first bytes (never by the name or declared type).
PHOTO_MAGIC: dict[str, bytes] = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
MAX_PHOTO_BYTES = 2 * 1024 * 1024


# --- staff ----------------------------------------------------------------------------------------


def staff_account(conn: Connection, staff_no: str) -> Any:
    """The active staff member's sign-in row (no photo bytes), or None."""
    return conn.execute(
        select(
            staff_t.c.id,
            staff_t.c.staff_no,
            staff_t.c.name,
            staff_t.c.role,
            staff_t.c.unit,
            staff_t.c.password_hash,
        ).where(staff_t.c.staff_no == staff_no, staff_t.c.active.is_(True))
    ).first()


def staff_names(conn: Connection, staff_nos: Iterable[str]) -> dict[str, str]:
    """Names by 工号, for showing who took each step."""
    wanted = sorted(set(staff_nos))
    if not wanted:
        return {}
    rows = conn.execute(
        select(staff_t.c.staff_no, staff_t.c.name).where(staff_t.c.staff_no.in_(wanted))
    )
    return {r.staff_no: r.name for r in rows}


def owner_candidates(conn: Connection) -> list[Any]:
    """Active staff who may own a case (the reassign form's choices)."""
    return list(
        conn.execute(
            select(staff_t.c.staff_no, staff_t.c.name, staff_t.c.role)
            .where(
                staff_t.c.active.is_(True),
                staff_t.c.role.in_(sorted(lifecycle.OWNER_ROLES)),
            )
            .order_by(staff_t.c.staff_no)
        )
    )


def staff_wall(conn: Connection) -> list[dict[str, Any]]:
    """The public staff wall (党员公示): active party members by group, without photo bytes."""
    rows = conn.execute(
        select(
            staff_t.c.staff_no,
            staff_t.c.name,
            staff_t.c.title,
            staff_t.c.pledge,
            staff_t.c.post,
            (staff_t.c.photo_type.is_not(None)).label("has_photo"),
            group_t.c.name.label("group_name"),
            branch_t.c.name.label("branch_name"),
        )
        .outerjoin(group_t, group_t.c.id == staff_t.c.group_id)
        .outerjoin(branch_t, branch_t.c.id == group_t.c.branch_id)
        .where(staff_t.c.active.is_(True), staff_t.c.party_member.is_(True))
        .order_by(group_t.c.name.is_(None), group_t.c.name, staff_t.c.staff_no)
    )
    return [dict(r._mapping) for r in rows]


def staff_admin_list(conn: Connection) -> list[dict[str, Any]]:
    """Every staff member for the admin page (no photo bytes)."""
    rows = conn.execute(
        select(
            staff_t.c.staff_no,
            staff_t.c.name,
            staff_t.c.role,
            staff_t.c.pledge,
            staff_t.c.active,
            staff_t.c.photo_type,
            group_t.c.name.label("group_name"),
        )
        .outerjoin(group_t, group_t.c.id == staff_t.c.group_id)
        .order_by(staff_t.c.staff_no)
    )
    return [dict(r._mapping) for r in rows]


def staff_photo(conn: Connection, staff_no: str) -> tuple[bytes, str] | None:
    """A staff member's photo and its type, or None."""
    row = conn.execute(
        select(staff_t.c.photo, staff_t.c.photo_type).where(
            staff_t.c.staff_no == staff_no, staff_t.c.active.is_(True)
        )
    ).first()
    if row is None or row.photo is None or row.photo_type not in PHOTO_MAGIC:
        return None
    return bytes(row.photo), row.photo_type


def photo_type(data: bytes) -> str | None:
    """The image type read from the first bytes: JPEG or PNG, else None."""
    for kind, magic in PHOTO_MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def set_staff_photo(conn: Connection, *, staff_no: str, data: bytes) -> str:
    """Store a staff photo after checking its size and its magic bytes; return its type."""
    if not data:
        raise InvalidInput("photo.empty", "请选择要上传的照片", field="photo")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput("photo.too_large", "照片不能超过2MB", field="photo")
    kind = photo_type(data)
    if kind is None:
        raise InvalidInput("photo.bad_type", "照片只能是 JPEG 或 PNG 格式", field="photo")
    _update_staff(conn, staff_no, photo=data, photo_type=kind)
    return kind


def set_staff_pledge(conn: Connection, *, staff_no: str, pledge: str) -> None:
    """Change a staff member's one-line pledge (一句话承诺)."""
    pledge = pledge.strip()
    if len(pledge) > 200:
        raise InvalidInput("staff.pledge_too_long", "一句话承诺不能超过200个字", field="pledge")
    _update_staff(conn, staff_no, pledge=pledge)


def _update_staff(conn: Connection, staff_no: str, **values: Any) -> None:
    done = conn.execute(
        update(staff_t).where(staff_t.c.staff_no == staff_no).values(**values)
    ).rowcount
    if done != 1:
        raise NotFound("staff.not_found", f"没有工号为 {staff_no} 的工作人员", staff_no=staff_no)


# --- clocks and levels ----------------------------------------------------------------------------

_LEVEL_RANK = {None: 0, **{level: i + 1 for i, level in enumerate(LEVELS)}}


def live_level(clock: sla.Clock, now: datetime, ctx: sla.Context) -> str | None:
    """The clock's level now: the highest reached by ``now``, or already fired by the sweeper.

    The sweeper runs every minute; the desk should not wait for it to show a deadline passing.
    """
    if clock.status != "running" or PERIODS[clock.name].kind == "petitioner":
        return clock.level if clock.status == "running" else None
    reached = clock.level
    times = level_times(clock, calendar=ctx.calendar, tz=ctx.tz, policy=ctx.policy)
    for level in PERIODS[clock.name].ladder:
        if times[level] <= now and _LEVEL_RANK[level] > _LEVEL_RANK[reached]:
            reached = level
    return reached


def clock_levels(
    conn: Connection, rt: Runtime, case_no: str, now: datetime
) -> dict[int, str | None]:
    """Each running clock's live level on one case, by position in the case JSON's clock list."""
    case_id = conn.execute(select(case_t.c.id).where(case_t.c.case_no == case_no)).scalar()
    if case_id is None:
        return {}
    ctx = rt.ctx(conn)
    return {i: live_level(c, now, ctx) for i, c in enumerate(records.load_clocks(conn, case_id))}


# --- the desk -------------------------------------------------------------------------------------


def _clocks_by_case(conn: Connection, case_ids: Sequence[int]) -> dict[int, list[sla.Clock]]:
    out: dict[int, list[sla.Clock]] = {i: [] for i in case_ids}
    if case_ids:
        rows = conn.execute(
            select(clock_t).where(clock_t.c.case_id.in_(list(case_ids))).order_by(clock_t.c.id)
        )
        for row in rows:
            out[row.case_id].append(records.clock_from_row(row))
    return out


def _render_rows(
    conn: Connection,
    rt: Runtime,
    rows: Sequence[Any],
    *,
    viewer: lifecycle.Actor | None,
    viewer_unit: str | None,
    now: datetime,
) -> tuple[list[dict[str, Any]], dict[int, list[sla.Clock]]]:
    clocks = _clocks_by_case(conn, [r.id for r in rows])
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
        key = (-_LEVEL_RANK[level], clock.due_at, clock, level)
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
    rendered, clocks = _render_rows(conn, rt, found, viewer=viewer, viewer_unit=row.unit, now=now)
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
    rendered, clocks = _render_rows(conn, rt, found, viewer=viewer, viewer_unit=unit, now=now)
    items = []
    for record, case in zip(found, rendered, strict=True):
        clock, level, _ = _attention(clocks[record.id], now, ctx)
        items.append({"case": case, "clock": clock, "level": level, "tracking_due": False})
    items.sort(key=lambda i: i["clock"]["due_at"] if i["clock"] else "9999")
    return items


# --- search ---------------------------------------------------------------------------------------


def search_cases(
    conn: Connection,
    rt: Runtime,
    *,
    viewer_staff_no: str,
    now: datetime,
    q: str = "",
    state: str | None = None,
    owner: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Cases matching a case number, a petitioner's (or representative's) name, phone or ID number.

    Phone and ID numbers are found through their blind index: the typed value is normalised as at
    intake and hashed with the same key. A search by person never returns an accusation to the
    accused unit or person (条例第三十条第三款): that would tell them who accused them.
    """
    viewer, viewer_row = reading.viewer(conn, viewer_staff_no)
    assert viewer is not None
    stmt = statements.CASE_QUERY.order_by(case_t.c.received_at.desc(), case_t.c.id.desc()).limit(
        limit
    )
    q = q.strip()
    by_person = False
    if q:
        person = [petitioner_t.c.name.contains(q, autoescape=True)]
        for validate, column in (
            (validate_phone, petitioner_t.c.phone_index),
            (validate_id_number, petitioner_t.c.id_number_index),
        ):
            with contextlib.suppress(InvalidInput):
                person.append(column == rt.cipher.blind_index(validate(q)))
        people = select(petitioner_t.c.id).where(or_(*person))
        stmt = stmt.where(
            or_(
                case_t.c.case_no.startswith(q, autoescape=True),
                case_t.c.petitioner_id.in_(people),
                case_t.c.id.in_(select(rep_t.c.case_id).where(rep_t.c.petitioner_id.in_(people))),
            )
        )
        by_person = True
    if owner:
        stmt = stmt.where(
            case_t.c.owner_id
            == select(staff_t.c.id).where(staff_t.c.staff_no == owner).scalar_subquery()
        )
    if state:
        if state not in lifecycle.STATE_LABELS:
            raise InvalidInput("case.bad_state", f"未知的状态：{state}", field="state")
        stmt = stmt.where(case_t.c.state == state)
    found = conn.execute(stmt).all()
    unit = viewer_row.unit if viewer_row is not None else None
    if by_person:
        found = [
            r for r in found if r.case_no == q or not confidentiality.hidden_from(viewer, unit, r)
        ]
    rendered, _ = _render_rows(conn, rt, found, viewer=viewer, viewer_unit=unit, now=now)
    return rendered


# --- escalations ----------------------------------------------------------------------------------


def open_escalation_count(conn: Connection) -> int:
    """How many escalations are open."""
    return conn.execute(
        select(func.count()).select_from(escalation_t).where(escalation_t.c.status == "open")
    ).scalar_one()


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
    clocks = [
        {
            "label": PERIODS[c.name].label,
            "due_date": c.due_date.isoformat(),
            "provisional": c.provisional,
            "status": c.status,
        }
        for c in records.load_clocks(conn, record.id)
        if c.active and c.name != "tracking"
    ]
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


__all__ = [
    "staff_account",
    "staff_names",
    "owner_candidates",
    "staff_wall",
    "staff_admin_list",
    "staff_photo",
    "photo_type",
    "set_staff_photo",
    "set_staff_pledge",
    "live_level",
    "clock_levels",
    "desk",
    "search_cases",
    "open_escalation_count",
    "check_query_code",
    "public_view",
]
