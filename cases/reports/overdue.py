"""The cases overdue now, by owner: the statistics' 当前超期未办, by the one definition the desk, the
queue and the briefing read (``workflow.standing``: a case is overdue when its worst counted clock
stands at 超期 or above, the tracking cadence included)."""

from datetime import datetime

from sqlalchemy import Connection, or_, select

from cases.casework import standing
from cases.runtime import Runtime
from cases.store.tables import case_t, clock_t
from workflow.calendar import local_date
from workflow.standing import COUNTED_CLOCKS, OVERDUE_LEVELS


def open_overdue(conn: Connection, rt: Runtime, now: datetime) -> dict[int, list[str]]:
    """Each owner's (by staff id) overdue open cases at ``now``, by case number."""
    today = local_date(now, rt.tz)
    # Only a clock whose last day has come, or that already fired 超期, can make a case overdue.
    found = conn.execute(
        select(case_t.c.id, case_t.c.case_no, case_t.c.owner_id)
        .where(
            case_t.c.id.in_(
                select(clock_t.c.case_id).where(
                    clock_t.c.status.in_(["running", "paused"]),
                    clock_t.c.name.in_(COUNTED_CLOCKS),
                    or_(clock_t.c.due_date < today, clock_t.c.level.in_(sorted(OVERDUE_LEVELS))),
                )
            )
        )
        .order_by(case_t.c.case_no)
    ).all()
    at = standing.standings(conn, rt, standing.clocks_by_case(conn, [r.id for r in found]), now)
    out: dict[int, list[str]] = {}
    for r in found:
        if at[r.id].overdue:
            out.setdefault(r.owner_id, []).append(r.case_no)
    return out
