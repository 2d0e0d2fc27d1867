"""Setting up and changing the party organisation: the branch (党支部), its groups (党小组), who is
in which group, and the posts that put people on the escalation ladder (组长, 支部书记, 处领导),
with the vacancies that leave a rung empty. Every change is an administrative event.

The ladder (cases.store.staff.org_chain) reads a group leader from the owner's group, the branch
secretary from a group of the same branch, and the office leader from anyone: the rules below keep
each post where the ladder looks for it, one holder per post.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from cases.accounts import admin_log
from cases.store.tables import branch_t, group_t, staff_t
from workflow.errors import Conflict, InvalidInput, NotFound
from workflow.party_order import member_key, natural_key

POSTS: dict[str, str] = {
    "group_leader": "党小组组长",
    "branch_secretary": "党支部书记",
    "office_leader": "处领导",
}


def _name(value: str, what: str, field: str) -> str:
    value = value.strip()
    if not value or len(value) > 60 or any(ord(ch) < 32 for ch in value):
        raise InvalidInput("org.bad_name", f"{what}名称不能为空，且不超过60个字", field=field)
    return value


def _group(conn: Connection, name: str) -> Any:
    row = conn.execute(select(group_t).where(group_t.c.name == name.strip())).first()
    if row is None:
        raise NotFound("group.not_found", f"没有名为「{name}」的党小组", field="group")
    return row


def _staff(conn: Connection, staff_no: str) -> Any:
    row = conn.execute(
        select(staff_t.c.id, staff_t.c.staff_no, staff_t.c.group_id, staff_t.c.post).where(
            staff_t.c.staff_no == staff_no.strip()
        )
    ).first()
    if row is None:
        raise NotFound("staff.not_found", f"没有工号为 {staff_no} 的工作人员", staff_no=staff_no)
    return row


def organisation(conn: Connection) -> dict[str, Any]:
    """The organisation as the pages, the API and ``shoujie office org`` show it: branches with
    their groups and members, each post's holder, and the vacancies."""
    members = conn.execute(
        select(
            staff_t.c.staff_no, staff_t.c.name, staff_t.c.post, staff_t.c.group_id, staff_t.c.active
        ).order_by(staff_t.c.staff_no)
    ).all()
    branches = []
    vacancies: list[str] = []
    groups = sorted(conn.execute(select(group_t)).all(), key=lambda g: natural_key(g.name))
    branch_rows = conn.execute(select(branch_t)).all()
    for b in sorted(branch_rows, key=lambda b: natural_key(b.name)):
        out_groups = []
        secretary = None
        for g in (g for g in groups if g.branch_id == b.id):
            people = sorted(
                (m for m in members if m.group_id == g.id and m.active),
                key=lambda m: member_key(m.post, m.staff_no),
            )
            leader = next((m.staff_no for m in people if m.post == "group_leader"), None)
            secretary = secretary or next(
                (m.staff_no for m in people if m.post == "branch_secretary"), None
            )
            if leader is None:
                vacancies.append(f"{g.name}组长")
            out_groups.append(
                {
                    "name": g.name,
                    "leader": leader,
                    "members": [
                        {"staff_no": m.staff_no, "name": m.name, "post": m.post} for m in people
                    ],
                }
            )
        if secretary is None:
            vacancies.append(f"{b.name}书记")
        branches.append({"name": b.name, "secretary": secretary, "groups": out_groups})
    leader = next((m.staff_no for m in members if m.post == "office_leader" and m.active), None)
    if leader is None:
        vacancies.append("处领导")
    ungrouped = [
        {"staff_no": m.staff_no, "name": m.name, "post": m.post}
        for m in members
        if m.group_id is None and m.active
    ]
    return {
        "branches": branches,
        "office_leader": leader,
        "ungrouped": ungrouped,
        "vacancies": vacancies,
    }


def set_branch(
    conn: Connection, key: bytes, *, actor: str, name: str, now: datetime, rename: str | None = None
) -> None:
    """Create a branch, or rename branch ``rename`` to ``name``."""
    name = _name(name, "党支部", "name")
    if conn.execute(select(branch_t.c.id).where(branch_t.c.name == name)).first():
        raise Conflict("org.branch_exists", f"已有名为「{name}」的党支部", field="name")
    if rename:
        done = conn.execute(
            update(branch_t).where(branch_t.c.name == rename.strip()).values(name=name)
        ).rowcount
        if done != 1:
            raise NotFound("branch.not_found", f"没有名为「{rename}」的党支部", field="rename")
    else:
        conn.execute(insert(branch_t), {"name": name})
    admin_log.record(
        conn,
        key,
        actor=actor,
        action="org.branch",
        subject=name,
        now=now,
        details={"renamed_from": rename},
    )


def add_group(
    conn: Connection, key: bytes, *, actor: str, name: str, branch: str | None, now: datetime
) -> None:
    """Add a party group to a branch (the only branch when there is one and none is named)."""
    name = _name(name, "党小组", "name")
    if conn.execute(select(group_t.c.id).where(group_t.c.name == name)).first():
        raise Conflict("org.group_exists", f"已有名为「{name}」的党小组", field="name")
    rows = conn.execute(select(branch_t.c.id, branch_t.c.name)).all()
    chosen = [r for r in rows if branch is None or r.name == branch.strip()]
    if len(chosen) != 1:
        raise InvalidInput(
            "org.branch_needed",
            "请先设置党支部" if not rows else "请指明党小组所属的党支部",
            field="branch",
        )
    conn.execute(insert(group_t), {"name": name, "branch_id": chosen[0].id})
    admin_log.record(
        conn,
        key,
        actor=actor,
        action="org.group_added",
        subject=name,
        now=now,
        details={"branch": chosen[0].name},
    )


def rename_group(
    conn: Connection, key: bytes, *, actor: str, name: str, new_name: str, now: datetime
) -> None:
    """Rename a party group."""
    row = _group(conn, name)
    new_name = _name(new_name, "党小组", "new_name")
    if conn.execute(select(group_t.c.id).where(group_t.c.name == new_name)).first():
        raise Conflict("org.group_exists", f"已有名为「{new_name}」的党小组", field="new_name")
    conn.execute(update(group_t).where(group_t.c.id == row.id).values(name=new_name))
    admin_log.record(
        conn,
        key,
        actor=actor,
        action="org.group_renamed",
        subject=new_name,
        now=now,
        details={"from": row.name},
    )


def remove_group(conn: Connection, key: bytes, *, actor: str, name: str, now: datetime) -> None:
    """Remove an empty party group (its members must be moved first)."""
    row = _group(conn, name)
    members = conn.execute(select(func.count()).where(staff_t.c.group_id == row.id)).scalar_one()
    if members:
        raise Conflict(
            "org.group_not_empty",
            f"党小组「{row.name}」还有{members}名成员，请先调整到其他党小组",
            field="name",
        )
    conn.execute(delete(group_t).where(group_t.c.id == row.id))
    admin_log.record(conn, key, actor=actor, action="org.group_removed", subject=row.name, now=now)


def move_staff(
    conn: Connection, key: bytes, *, actor: str, staff_no: str, group: str | None, now: datetime
) -> None:
    """Move a staff member to another party group (None: out of every group). A group leader's
    post stays with the group: it falls vacant when its holder leaves."""
    person = _staff(conn, staff_no)
    target = _group(conn, group) if group else None
    post = person.post
    if post == "group_leader" or (post == "branch_secretary" and target is None):
        post = None
    conn.execute(
        update(staff_t)
        .where(staff_t.c.id == person.id)
        .values(group_id=target.id if target else None, post=post)
    )
    admin_log.record(
        conn,
        key,
        actor=actor,
        action="staff.moved",
        subject=person.staff_no,
        now=now,
        details={
            "group": target.name if target else None,
            "post_vacated": person.post if post != person.post else None,
        },
    )


def set_post(
    conn: Connection, key: bytes, *, actor: str, staff_no: str, post: str | None, now: datetime
) -> str | None:
    """Appoint a staff member to a post (None: relieve them). The post's previous holder, if any,
    is relieved in the same step; returns their 工号."""
    if post is not None and post not in POSTS:
        raise InvalidInput(
            "staff.bad_post",
            "党内职务应为 group_leader、branch_secretary 或 office_leader",
            field="post",
        )
    person = _staff(conn, staff_no)
    previous = None
    if post in ("group_leader", "branch_secretary") and person.group_id is None:
        raise InvalidInput("org.needs_group", f"{POSTS[post]}须先编入党小组", field="post")
    if post is not None:
        holders = select(staff_t.c.id, staff_t.c.staff_no).where(
            staff_t.c.post == post, staff_t.c.id != person.id
        )
        if post == "group_leader":
            holders = holders.where(staff_t.c.group_id == person.group_id)
        elif post == "branch_secretary":
            branch_id = conn.execute(
                select(group_t.c.branch_id).where(group_t.c.id == person.group_id)
            ).scalar()
            same_branch = select(group_t.c.id).where(group_t.c.branch_id == branch_id)
            holders = holders.where(staff_t.c.group_id.in_(same_branch))
        for h in conn.execute(holders).all():
            conn.execute(update(staff_t).where(staff_t.c.id == h.id).values(post=None))
            previous = h.staff_no
    conn.execute(update(staff_t).where(staff_t.c.id == person.id).values(post=post))
    admin_log.record(
        conn,
        key,
        actor=actor,
        action="staff.post",
        subject=person.staff_no,
        now=now,
        details={"post": post, "was": person.post, "relieved": previous},
    )
    return previous
