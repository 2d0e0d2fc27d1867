"""A clock's live escalation level: what the sweeper has fired, or reached since its last pass."""

from datetime import datetime

from sqlalchemy import Connection, select

from cases.runtime import Runtime
from cases.store import records
from cases.store.tables import case_t
from workflow import sla
from workflow.escalation import level_times
from workflow.periods import LEVELS, PERIODS

#: Levels by rank, none lowest.
LEVEL_RANK = {None: 0, **{level: i + 1 for i, level in enumerate(LEVELS)}}


def live_level(clock: sla.Clock, now: datetime, ctx: sla.Context) -> str | None:
    """The clock's level now: the highest reached by ``now``, or already fired by the sweeper.

    The sweeper runs every minute; the desk should not wait for it to show a deadline passing.
    """
    if clock.status != "running" or PERIODS[clock.name].kind == "petitioner":
        return clock.level if clock.status == "running" else None
    reached = clock.level
    times = level_times(clock, calendar=ctx.calendar, tz=ctx.tz, policy=ctx.policy)
    for level in PERIODS[clock.name].ladder:
        if times[level] <= now and LEVEL_RANK[level] > LEVEL_RANK[reached]:
            reached = level
    return reached


def clock_levels(
    conn: Connection, rt: Runtime, case_no: str, now: datetime
) -> dict[int, str | None]:
    """Each running clock's live level on one case, by position in the case JSON's clock list."""
    case_id = conn.execute(select(case_t.c.id).where(case_t.c.case_no == case_no)).scalar()
    if case_id is None:
        return {}
    ctx = rt.ctx(conn)
    return {i: live_level(c, now, ctx) for i, c in enumerate(records.load_clocks(conn, case_id))}
