"""What supervision adds to a person's desk and to a case page: notices, extension requests."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from cases.runtime import Runtime
from cases.store.tables import case_t, staff_t
from cases.supervision import extensions, notices, queue
from cases.supervision.guards import SUPERVISING_ROLES


def desk_extras(
    conn: Connection, rt: Runtime, *, staff_no: str, role: str, now: datetime
) -> dict[str, Any]:
    """What the desk adds: notices to answer, my extension requests, and (for supervisors) theirs
    and the queue's count of cases, per level (the queue's default view)."""
    supervising = role in SUPERVISING_ROLES
    return {
        "notices": notices.open_notices_for(conn, rt, staff_no, now),
        "my_extensions": extensions.pending_extensions(conn, rt, requested_by=staff_no),
        "extensions_to_decide": extensions.pending_extensions(conn, rt) if supervising else [],
        "queue": queue.queue_count(conn, rt, now=now) if supervising else None,
    }


def case_extras(
    conn: Connection, rt: Runtime, *, case_no: str, staff_no: str, role: str, now: datetime
) -> dict[str, Any]:
    """What the case page adds: notices, extension requests, and what this person may do."""
    on_case = notices.case_notices(conn, rt, case_no, now)
    owner = conn.execute(
        select(staff_t.c.staff_no)
        .join(case_t, case_t.c.owner_id == staff_t.c.id)
        .where(case_t.c.case_no == case_no)
    ).scalar()
    for n in on_case:
        n["can_answer"] = n["status"] != "answered" and staff_no in (owner, n["to_staff_no"])
    return {
        "notices": on_case,
        "extensions": extensions.case_extensions(conn, rt, case_no),
        "can_request_extension": extensions.can_request_extension(conn, rt, case_no, staff_no, now),
        "can_decide": role in SUPERVISING_ROLES,
    }
