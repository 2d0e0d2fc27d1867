"""The public staff wall (党员公示): photo, 工号, name, group, post and one-line pledge, in the
organisation's order, with each member's 群众评价; and the admin's edits of photo and pledge."""

from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, select, update

from cases.organisation.photos import PHOTO_MAGIC, STORED_TYPE, prepare_photo
from cases.organisation.portraits import PORTRAIT_TYPE, portrait
from cases.reports.cache import ReportCache
from cases.reports.evaluation import PublicEvaluation, cached_evaluations, empty
from cases.store.tables import branch_t, group_t, staff_t
from workflow.errors import InvalidInput, NotFound
from workflow.party_order import sort_members

#: The wall's columns: what the public may see of a member, and nothing else.
WALL_COLUMNS = (
    staff_t.c.id,
    staff_t.c.staff_no,
    staff_t.c.name,
    staff_t.c.title,
    staff_t.c.pledge,
    staff_t.c.post,
    group_t.c.name.label("group_name"),
    branch_t.c.name.label("branch_name"),
)
#: Where the wall and the owner's card send the browser for a member's photo.
PHOTO_URL = "/staff/{staff_no}/photo"


def _wall_select() -> Any:
    return (
        select(*WALL_COLUMNS)
        .outerjoin(group_t, group_t.c.id == staff_t.c.group_id)
        .outerjoin(branch_t, branch_t.c.id == group_t.c.branch_id)
    )


def _public(row: Any, evaluation: PublicEvaluation) -> dict[str, Any]:
    person = dict(row._mapping)
    person.pop("id")  # the table's key is no one's business
    person["photo_url"] = PHOTO_URL.format(staff_no=row.staff_no)
    person["evaluation"] = evaluation
    return person


def staff_wall(
    conn: Connection,
    *,
    tz: tzinfo,
    now: datetime,
    minimum: int,
    cache: ReportCache | None = None,
) -> list[dict[str, Any]]:
    """The wall: active party members in the organisation's order (groups by their numerals,
    post-holders first), each with the 群众评价 of the 12 months to ``now`` (kept in ``cache``)."""
    rows = conn.execute(
        _wall_select().where(staff_t.c.active.is_(True), staff_t.c.party_member.is_(True))
    ).all()
    evaluations = cached_evaluations(conn, tz, now=now, minimum=minimum, cache=cache)
    people = [_public(r, evaluations.get(r.id) or empty(minimum)) for r in rows]
    return sort_members(people)


def wall_member(
    conn: Connection,
    staff_no: str,
    *,
    tz: tzinfo,
    now: datetime,
    minimum: int,
    cache: ReportCache | None = None,
) -> dict[str, Any] | None:
    """One member of the wall (an active party member) with their 群众评价, or None."""
    row = conn.execute(
        _wall_select().where(
            staff_t.c.staff_no == staff_no,
            staff_t.c.active.is_(True),
            staff_t.c.party_member.is_(True),
        )
    ).first()
    if row is None:
        return None
    evaluations = cached_evaluations(conn, tz, now=now, minimum=minimum, cache=cache)
    return _public(row, evaluations.get(row.id) or empty(minimum))


def staff_card(conn: Connection, staff_no: str) -> dict[str, Any] | None:
    """The owner's card for ``/track`` (photo, 工号, name, pledge), or None if not active."""
    row = conn.execute(
        _wall_select().where(staff_t.c.staff_no == staff_no, staff_t.c.active.is_(True))
    ).first()
    return None if row is None else _public(row, empty(0))


def staff_admin_list(conn: Connection) -> list[dict[str, Any]]:
    """Every staff member for the admin page (no photo bytes), in the organisation's order."""
    rows = conn.execute(
        select(
            staff_t.c.staff_no,
            staff_t.c.name,
            staff_t.c.role,
            staff_t.c.pledge,
            staff_t.c.post,
            staff_t.c.active,
            staff_t.c.photo_type,
            group_t.c.name.label("group_name"),
        ).outerjoin(group_t, group_t.c.id == staff_t.c.group_id)
    )
    return sort_members([dict(r._mapping) for r in rows])


def staff_photo(conn: Connection, staff_no: str) -> tuple[bytes, str] | None:
    """An active staff member's photo and its type: the uploaded one, else their generated
    portrait (never nothing for someone who exists); None for no such active member."""
    row = conn.execute(
        select(staff_t.c.name, staff_t.c.photo, staff_t.c.photo_type).where(
            staff_t.c.staff_no == staff_no, staff_t.c.active.is_(True)
        )
    ).first()
    if row is None:
        return None
    if row.photo is None or row.photo_type not in PHOTO_MAGIC:
        return portrait(staff_no, row.name), PORTRAIT_TYPE
    return bytes(row.photo), row.photo_type


def set_staff_photo(conn: Connection, *, staff_no: str, data: bytes) -> str:
    """Store a staff photo, checked and re-encoded (``photos.prepare_photo``); return its type."""
    _update_staff(conn, staff_no, photo=prepare_photo(data), photo_type=STORED_TYPE)
    return STORED_TYPE


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
