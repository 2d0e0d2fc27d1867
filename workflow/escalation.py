"""The escalation ladder: when each level falls due on a clock, and whom it tells.

预警 (warning) → 超期 (overdue) → 督办 (supervision) → 挂牌督办 (flagged), climbing the party
organisation: owner → group leader → branch secretary → office leader. Every alert that goes "to
the supervisor" (a level of the ladder, a group visit, a 不满意 rating, an unanswered 督办单) goes
to the next post up held by someone other than the owner and the actor (``next_post_up``). Pure:
no database, no clock.
"""

from collections.abc import Iterable
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

    @property
    def posts(self) -> list[str | None]:
        """The posts up the ladder, lowest first: group leader, branch secretary, office leader."""
        return [self.group_leader, self.branch_secretary, self.office_leader]


#: The post each level climbs to (by its place in ``Chain.posts``); a warning tells the owner only.
LEVEL_POSTS = {"overdue": 0, "supervision": 1, "flagged": 2}


def next_post_up(chain: Chain, rung: int = 0, *, skip: Iterable[str] = ()) -> str:
    """Who is told at ``rung`` of the ladder: the first post from there up that is above the
    owner's own post and held by someone other than the owner and ``skip`` (e.g. the actor).

    A vacant post, or one held by the owner or the actor, falls to the next one up: an alert goes
    to a person who can act on it, never back to whoever caused it. With no such post above, the
    highest other post-holder is told; only with nobody else at all does it stay with the owner.
    """
    posts = chain.posts
    # The owner's own post and the ones below it are not "up" from the owner.
    own = max((i for i, p in enumerate(posts) if p == chain.owner), default=-1)
    excluded = {chain.owner, *skip}
    for post in posts[max(rung, own + 1) :]:
        if post and post not in excluded:
            return post
    others = [p for p in reversed(posts) if p and p not in excluded]
    return others[0] if others else chain.owner


def recipients(level: str, chain: Chain, *, skip: Iterable[str] = ()) -> list[str]:
    """Whom a level tells: the owner is warned; overdue tells the owner and the next post up,
    督办 the branch secretary's rung, 挂牌督办 the office leader's (``next_post_up``)."""
    if level == "warning":
        return [chain.owner]
    above = next_post_up(chain, LEVEL_POSTS[level], skip=skip)
    people = [chain.owner, above] if level == "overdue" else [above]
    return list(dict.fromkeys(people))


def level_reached(level: str, person: str, chain: Chain) -> str:
    """The level an alert meant for ``level`` stands at once it has fallen up to ``person``: a
    督办单 passed over a branch secretary who issued it reaches the office leader, 挂牌督办."""
    rungs = [i for i, post in enumerate(chain.posts) if post == person]
    reached = max([LEVEL_POSTS.get(level, 0), *rungs])
    return next(name for name, rung in LEVEL_POSTS.items() if rung == reached)
