"""Adding staff and party groups."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from cases.store.tables import branch_t, group_t, office_t, staff_t
from workflow import lifecycle
from workflow.errors import Conflict, InvalidInput, NotFound


def add_staff(
    conn: Connection,
    *,
    staff_no: str,
    name: str,
    role: str,
    now: datetime,
    group: str | None = None,
    password_hash: str | None = None,
    pledge: str = "",
    post: str | None = None,
    unit: str | None = None,
    title: str = "",
    email: str | None = None,
) -> int:
    """Add a staff member; the 工号 must be new and the role one of domain.md's."""
    staff_no = staff_no.strip()
    if not staff_no or len(staff_no) > 32:
        raise InvalidInput("staff.bad_staff_no", "工号不能为空，且不超过32个字符", field="staff_no")
    if not name.strip():
        raise InvalidInput("staff.bad_name", "姓名不能为空", field="name")
    if role not in lifecycle.STAFF_ROLES:
        roles = "、".join(
            f"{k}（{lifecycle.ROLE_LABELS[k]}）" for k in sorted(lifecycle.STAFF_ROLES)
        )
        raise InvalidInput("staff.bad_role", f"岗位应为以下之一：{roles}", field="role")
    if post not in (None, "group_leader", "branch_secretary", "office_leader"):
        raise InvalidInput(
            "staff.bad_post",
            "党内职务应为 group_leader、branch_secretary 或 office_leader",
            field="post",
        )
    if conn.execute(select(staff_t.c.id).where(staff_t.c.staff_no == staff_no)).first():
        raise Conflict("staff.duplicate", f"工号 {staff_no} 已存在", field="staff_no")
    group_id = None
    if group:
        group_id = conn.execute(select(group_t.c.id).where(group_t.c.name == group)).scalar()
        if group_id is None:
            raise NotFound("group.not_found", f"没有名为「{group}」的党小组", field="group")
    return conn.execute(
        insert(staff_t).returning(staff_t.c.id),
        {
            "staff_no": staff_no,
            "name": name.strip(),
            "role": role,
            "group_id": group_id,
            "password_hash": password_hash,
            "pledge": pledge,
            "post": post,
            "unit": unit,
            "title": title,
            "party_member": True,
            "active": True,
            "created_at": now,
            "email": email,
        },
    ).scalar_one()


def ensure_group(conn: Connection, *, branch: str, group: str) -> int:
    """The id of a party group, creating it (and its branch) when missing."""
    branch_id = conn.execute(select(branch_t.c.id).where(branch_t.c.name == branch)).scalar()
    if branch_id is None:
        branch_id = conn.execute(
            insert(branch_t).returning(branch_t.c.id), {"name": branch}
        ).scalar_one()
    group_id = conn.execute(select(group_t.c.id).where(group_t.c.name == group)).scalar()
    if group_id is None:
        group_id = conn.execute(
            insert(group_t).returning(group_t.c.id), {"name": group, "branch_id": branch_id}
        ).scalar_one()
    return group_id


def office(conn: Connection) -> Any:
    """The office row, if configured."""
    return conn.execute(select(office_t)).first()
