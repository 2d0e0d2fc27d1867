"""The escalation ladder: when each level falls due on a clock, and whom it tells.

预警 (warning) → 超期 (overdue) → 督办 (supervision) → 挂牌督办 (flagged), climbing the party
organisation: owner → group leader → branch secretary → office leader. Pure: no database, no clock.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol

from workflow.calendar import OfficialCalendar, end_of_day
from workflow.periods import DEFAULT_POLICY, LEVELS, PERIODS, OfficePolicy


class Clock(Protocol):
    """What the ladder reads of a clock (``workflow.sla.Clock`` has it)."""

    @property
    def name(self) -> str:
        """The clock's period, e.g. ``handling``."""

    @property
    def status(self) -> str:
        """running · paused · stopped · lapsed."""

    @property
    def started_at(self) -> datetime:
        """When it started."""

    @property
    def due_date(self) -> date:
        """The statutory last day."""

    @property
    def due_at(self) -> datetime:
        """24:00 of the last day, local time."""

    @property
    def level(self) -> str | None:
        """The highest level fired on it so far."""


def level_time(
    clock: Clock,
    level: str,
    *,
    calendar: OfficialCalendar,
    tz: tzinfo,
    policy: OfficePolicy = DEFAULT_POLICY,
) -> datetime:
    """The instant one level of the ladder falls due on this clock (each after the one below)."""
    if level == "warning":
        length = clock.due_at - clock.started_at
        return clock.due_at - max(
            length * policy.warning_fraction, timedelta(days=policy.warning_days)
        )
    if level == "overdue":
        return clock.due_at
    # Counted in working days after the last day, ending at 24:00 like every period.
    days = (
        policy.supervision_working_days if level == "supervision" else policy.flagged_working_days
    )
    return end_of_day(calendar.add_working_days(clock.due_date, days), tz)


def level_times(
    clock: Clock,
    *,
    calendar: OfficialCalendar,
    tz: tzinfo,
    policy: OfficePolicy = DEFAULT_POLICY,
) -> dict[str, datetime]:
    """The instant each level of the ladder falls due on this clock."""
    return {
        level: level_time(clock, level, calendar=calendar, tz=tz, policy=policy) for level in LEVELS
    }


def next_fire_at(
    clock: Clock,
    *,
    calendar: OfficialCalendar,
    tz: tzinfo,
    policy: OfficePolicy = DEFAULT_POLICY,
) -> datetime | None:
    """When the sweeper must next look at this clock: its next level, or a window's lapse."""
    if clock.status != "running":
        return None
    if PERIODS[clock.name].kind == "petitioner":
        return clock.due_at
    ladder = PERIODS[clock.name].ladder
    fired = ladder.index(clock.level) + 1 if clock.level else 0
    if fired >= len(ladder):
        return None
    return level_times(clock, calendar=calendar, tz=tz, policy=policy)[ladder[fired]]


def levels_due(
    clock: Clock,
    now: datetime,
    *,
    calendar: OfficialCalendar,
    tz: tzinfo,
    policy: OfficePolicy = DEFAULT_POLICY,
) -> list[str]:
    """The levels not yet fired on this clock whose instant has come by ``now``, lowest first."""
    if clock.status != "running" or PERIODS[clock.name].kind == "petitioner":
        return []
    ladder = PERIODS[clock.name].ladder
    fired = ladder.index(clock.level) + 1 if clock.level else 0
    times = level_times(clock, calendar=calendar, tz=tz, policy=policy)
    return [level for level in ladder[fired:] if times[level] <= now]


@dataclass(frozen=True)
class Chain:
    """The people above a case's owner in the party organisation (工号, or None where vacant)."""

    owner: str
    group_leader: str | None = None
    branch_secretary: str | None = None
    office_leader: str | None = None


def recipients(level: str, chain: Chain) -> list[str]:
    """Whom a level tells; a vacant post falls to the next one up, and never to nobody."""
    upward = [chain.group_leader, chain.branch_secretary, chain.office_leader]
    if level == "warning":
        people = [chain.owner]
    elif level == "overdue":
        people = [chain.owner, _first(upward)]
    elif level == "supervision":
        people = [_first(upward[1:])]
    else:
        people = [_first(upward[2:])]
    # With every post above vacant, the highest person there is answers for the case.
    found = [p for p in people if p]
    if not found:
        found = [_first(list(reversed(upward))) or chain.owner]
    return list(dict.fromkeys(found))


def _first(posts: list[str | None]) -> str | None:
    return next((p for p in posts if p), None)
