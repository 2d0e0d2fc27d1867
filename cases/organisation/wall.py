"""The public staff wall (党员公示): photo, 工号, name, group and one-line pledge, and the admin's
edits of photo and pledge."""

from typing import Any

from sqlalchemy import Connection, select, update

from cases import images
from cases.store.tables import branch_t, group_t, staff_t
from workflow.errors import InvalidInput, NotFound

#: Photo types the staff wall accepts, by their first bytes (never by the name or declared type).
PHOTO_MAGIC: dict[str, bytes] = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
MAX_PHOTO_BYTES = 2 * 1024 * 1024


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
    if photo_type(data) is None:
        raise InvalidInput("photo.bad_type", "照片只能是 JPEG 或 PNG 格式", field="photo")
    # Served to anyone on the public wall: the bytes sent are never what is served.
    try:
        encoded, kind, _ = images.reencode(data)
    except images.Unreadable:
        raise InvalidInput("photo.unreadable", "照片无法读取，请换一张", field="photo") from None
    _update_staff(conn, staff_no, photo=encoded, photo_type=kind)
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
