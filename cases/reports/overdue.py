"""The cases overdue now, by owner: the statistics' 当前超期未办, by the one definition the desk, the
queue and the briefing read (``workflow.standing``: a case is overdue when its worst counted clock
stands at 超期 or above, the tracking cadence included).

Read in the database, for a year's statistics over a million cases: a running counted clock past
its last day has reached 超期 (``workflow.escalation.level_time``: 超期 falls at the due instant),
and a clock the sweeper raised to 超期 or above stays there, so a case with such a clock and no
paused clock is overdue, its worst clock being running at 超期 or above. A case with a paused clock
(a hearing) is judged by ``workflow.standing`` itself: a paused clock stands 暂停计时, whatever its
level. The active clocks have a partial index of their own (migration 0006).
"""

from datetime import datetime

from sqlalchemy import Connection, and_, or_, select

from cases.casework import standing
from cases.models.reports import ACTIVE_CLOCK
from cases.runtime import Runtime
from cases.store.tables import case_t, clock_t
from workflow.calendar import local_date
from workflow.standing import COUNTED_CLOCKS, OVERDUE_LEVELS


def open_overdue(conn: Connection, rt: Runtime, now: datetime) -> dict[int, list[str]]:
    """Each owner's (by staff id) overdue open cases at ``now``, by case number."""
    today = local_date(now, rt.tz)
    k = clock_t.c
    # ACTIVE_CLOCK: the partial index's own condition (SQLite uses the index only so).
    counted = and_(ACTIVE_CLOCK, k.name.in_(COUNTED_CLOCKS))
    past = select(k.case_id).where(
        counted,
        or_(
            and_(k.status == "running", k.due_date < today),
            k.level.in_(sorted(OVERDUE_LEVELS)),
        ),
    )
    paused = select(k.case_id).where(counted, k.status == "paused")
    found = conn.execute(
        select(
            case_t.c.id,
            case_t.c.case_no,
            case_t.c.owner_id,
            case_t.c.id.in_(paused).label("paused"),
        )
        .where(case_t.c.id.in_(past))
        .order_by(case_t.c.case_no)
    ).all()
    hearing = [r.id for r in found if r.paused]
    at = standing.standings(conn, rt, standing.clocks_by_case(conn, hearing), now)
    out: dict[int, list[str]] = {}
    for r in found:
        if not r.paused or at[r.id].overdue:
            out.setdefault(r.owner_id, []).append(r.case_no)
    return out
