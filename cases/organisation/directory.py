"""Staff as the pages and sign-in read them: accounts, names by 工号, who may own a case."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from cases.store.tables import staff_t
from workflow import lifecycle


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
            staff_t.c.must_change_password,
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
