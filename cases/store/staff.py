"""Staff as the services need them: the acting member, and the posts above an owner."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from cases.store import fastsql, statements
from cases.store.tables import group_t, staff_t
from workflow.errors import NotFound
from workflow.escalation import Chain, next_post_up
from workflow.lifecycle import Actor


def get_actor(conn: Connection, staff_no: str) -> tuple[Actor, Any]:
    """The active staff member with this 工号, as an ``Actor`` and their row."""
    row = fastsql.first(conn, statements.ACTOR, {"staff_no": staff_no})
    if row is None:
        raise NotFound(
            "staff.not_found", f"没有工号为 {staff_no} 的在岗工作人员", staff_no=staff_no
        )
    return Actor(staff_no=row.staff_no, role=row.role, name=row.name), row


def org_chain(conn: Connection, owner_id: int) -> Chain:
    """The owner's group leader, branch secretary and the office leader, by 工号."""
    owner = conn.execute(
        select(staff_t.c.staff_no, staff_t.c.group_id).where(staff_t.c.id == owner_id)
    ).one()
    group_leader = branch_secretary = None
    if owner.group_id is not None:
        branch_id = conn.execute(
            select(group_t.c.branch_id).where(group_t.c.id == owner.group_id)
        ).scalar()
        group_leader = conn.execute(
            select(staff_t.c.staff_no).where(
                staff_t.c.group_id == owner.group_id,
                staff_t.c.post == "group_leader",
                staff_t.c.active.is_(True),
            )
        ).scalar()
        branch_secretary = conn.execute(
            select(staff_t.c.staff_no)
            .join(group_t, group_t.c.id == staff_t.c.group_id)
            .where(
                group_t.c.branch_id == branch_id,
                staff_t.c.post == "branch_secretary",
                staff_t.c.active.is_(True),
            )
        ).scalar()
    office_leader = conn.execute(
        select(staff_t.c.staff_no).where(
            staff_t.c.post == "office_leader", staff_t.c.active.is_(True)
        )
    ).scalar()
    return Chain(
        owner=owner.staff_no,
        group_leader=group_leader,
        branch_secretary=branch_secretary,
        office_leader=office_leader,
    )


def supervisor_of(conn: Connection, owner_id: int, *, skip: Iterable[str] = ()) -> str:
    """The owner's supervisor: the next post up held by someone other than the owner and ``skip``
    (the actor), a vacant post falling to the next one (``workflow.escalation.next_post_up``)."""
    return next_post_up(org_chain(conn, owner_id), skip=skip)
