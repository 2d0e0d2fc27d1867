"""A case's paper trail as the case page, the closure report and ``/track`` list it."""

from typing import Any

from sqlalchemy import Connection, select

from cases.paper import attachments, notices
from cases.store.tables import case_t


def paper_trail(conn: Connection, case_no: str) -> dict[str, list[dict[str, Any]]]:
    """The case's notices and attachments (without their contents), oldest first."""
    case_id = conn.execute(select(case_t.c.id).where(case_t.c.case_no == case_no)).scalar()
    if case_id is None:
        return {"notices": [], "attachments": []}
    return {
        "notices": notices.case_notices(conn, case_id),
        "attachments": attachments.case_attachments(conn, case_id),
    }
