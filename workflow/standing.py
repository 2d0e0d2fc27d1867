"""Where a clock and a case stand now: the one definition the desk, the queue, the briefing, the
case page, ``/track`` and the API read.

Which clocks count
------------------
Every office clock that is running, or paused by a hearing: 受理告知 (``acceptance``), 办理
(``handling``), the transferred and assigned cases' clocks, 复查 and 复核 — and the owner's tracking
cadence (跟踪记录周期, ``tracking``, office policy), which counts like the others and is always named
as such (「跟踪记录周期超期37日」), so a late tracking note is overdue on the desk exactly as it is in
the queue and the briefing. The petitioner's windows (``review_window``, ``reexamination_window``)
never count: they are the petitioner's time, and their lapse closes the case. A stopped or lapsed
clock counts no more.

A clock's standing
------------------
* Its **level now** is the higher of the level the sweeper fired on it and the level its deadline
  has reached by now on its ladder (``workflow.escalation``; tracking climbs only to 超期): the
  desk does not wait for the sweeper's next pass. A paused clock keeps the level it had.
* Its **standing** follows the level: no level 正常 (``running``), 预警 临近期限 (``due_soon``),
  超期, 督办 or 挂牌督办 已超期 (``overdue``); a hearing's pause 暂停计时 (``paused``); stopped,
  lapsed 已结束 (``finished``).
* **Time.** The period ends at 24:00 of its last day, local time (Asia/Shanghai). Before the last
  day, 「剩余N日」: N days from today to the last day (today not counted, the last day counted). On
  the last day, 「剩余N小时」: the hours to 24:00, rounded up. After it, 「超期N日（M个工作日）」: today
  is the N-th calendar day after the last day, and M of those N days (today included) are working
  days of the official calendar. The ladder's 督办 (3 working days) and 挂牌督办 (10) fire once that
  many working days have passed in full, at 24:00: so a clock shows 「超期…（3个工作日）」 at 超期
  on the third working day, and 督办 from the next.
* A level once fired stays when an extension later moves the deadline (it was reached, and the
  queue keeps its escalation until the clock stops); the time shown is the new deadline's.

A case's standing
-----------------
Its worst counted clock: the highest level first; at the same level the longest overdue, or the
least time left (the earliest end). A case with no counted clock stands nowhere (``None``).
"""

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from workflow.calendar import OfficialCalendar, local_date
from workflow.escalation import Clock, level_time
from workflow.periods import LEVEL_LABELS, LEVELS, PERIODS
from workflow.sla import Context

#: Levels by rank, no level lowest.
LEVEL_RANK: dict[str | None, int] = {None: 0, **{level: i + 1 for i, level in enumerate(LEVELS)}}

STANDINGS: tuple[str, ...] = ("running", "due_soon", "overdue", "paused", "finished")
STANDING_LABELS: dict[str, str] = {
    "running": "正常",
    "due_soon": "临近期限",
    "overdue": "已超期",
    "paused": "暂停计时",
    "finished": "已结束",
}
#: The levels at which a clock is overdue (the rest of the ladder is 预警).
OVERDUE_LEVELS: frozenset[str] = frozenset(LEVELS[LEVELS.index("overdue") :])

_HOUR = timedelta(hours=1)

#: The clocks that count towards a case's standing, in the statute's order: every office clock.
COUNTED_CLOCKS: tuple[str, ...] = tuple(n for n, p in PERIODS.items() if p.kind == "office")


def counts(name: str) -> bool:
    """Whether a clock of this name counts towards its case's standing (every office clock)."""
    return name in COUNTED_CLOCKS


def level_now(clock: Clock, now: datetime, ctx: Context) -> str | None:
    """The clock's level now: the highest it reached by ``now``, or already fired by the sweeper."""
    if clock.status == "paused":
        return clock.level
    if clock.status != "running" or not counts(clock.name):
        return None
    reached = clock.level
    # The ladder's instants come in order: stop at the first not yet come (cheap on the hot path).
    for level in PERIODS[clock.name].ladder:
        if LEVEL_RANK[level] <= LEVEL_RANK[reached]:
            continue
        if level_time(clock, level, calendar=ctx.calendar, tz=ctx.tz, policy=ctx.policy) > now:
            break
        reached = level
    return reached


@functools.lru_cache(maxsize=4096)
def working_days_after(calendar: OfficialCalendar, last: date, today: date) -> int:
    """How many days after ``last``, up to and including ``today``, are working days.

    Cached: the queue and the briefing ask it for many clocks that share their last day.
    """
    n, d = 0, last
    while d < today:
        d += timedelta(days=1)
        n += calendar.is_working_day(d)
    return n


@dataclass(frozen=True)
class ClockStanding:
    """Where one clock stands now: its level, and its time left or how long overdue."""

    name: str
    label: str
    counts: bool
    standing: str
    level: str | None
    due_date: date
    due_at: datetime
    #: Days from today to the last day (0 on the last day); None once the period has ended.
    remaining_days: int | None
    #: Hours to 24:00 of the last day, rounded up; only on the last day.
    remaining_hours: int | None
    #: Today is the N-th day after the last day (0 while the period runs).
    overdue_days: int
    #: Of those days, the working days (today included).
    overdue_working_days: int

    @property
    def rank(self) -> tuple[int, datetime]:
        """Sorts the most pressing first: the highest level, then the earliest end."""
        return (-LEVEL_RANK[self.level], self.due_at)

    @property
    def due_today(self) -> bool:
        """Whether today is the last day and the period still runs."""
        return self.remaining_days == 0

    @property
    def remaining_text(self) -> str:
        """「剩余3日」「剩余5小时」「超期4日（3个工作日）」; 「暂停计时」, 「已结束」."""
        if self.standing in ("paused", "finished"):
            return STANDING_LABELS[self.standing]
        if self.overdue_days:
            return f"超期{self.overdue_days}日（{self.overdue_working_days}个工作日）"
        if self.remaining_hours is not None:
            return f"剩余{self.remaining_hours}小时"
        return f"剩余{self.remaining_days}日"

    @property
    def text(self) -> str:
        """The clock named with its time: 「跟踪记录周期超期37日（25个工作日）」."""
        return f"{self.label}{self.remaining_text}"

    @property
    def public_text(self) -> str:
        """The time in the petitioner's plain words: 「还有3日」「今日24时前」「已超过4日」."""
        if self.standing == "paused":
            return "听证期间暂停计算"
        if self.standing == "finished":
            return "已结束"
        if self.overdue_days:
            return f"已超过{self.overdue_days}日"
        if self.remaining_days == 0:
            return "今日24时前"
        return f"还有{self.remaining_days}日"

    def as_dict(self) -> dict[str, Any]:
        """The standing fields a clock of the case JSON gains."""
        return {
            "standing": self.standing,
            "standing_label": STANDING_LABELS[self.standing],
            "remaining_days": self.remaining_days,
            "remaining_hours": self.remaining_hours,
            "overdue_days": self.overdue_days,
            "overdue_working_days": self.overdue_working_days,
            "remaining_text": self.remaining_text,
        }

    def row(self, tz: tzinfo) -> dict[str, Any]:
        """The clock named, with its level and standing: a line of the desk, queue or briefing."""
        return {
            "clock": self.name,
            "clock_label": self.label,
            "level": self.level,
            "level_label": LEVEL_LABELS.get(self.level or "", None),
            "due_date": self.due_date.isoformat(),
            "due_at": self.due_at.astimezone(tz).isoformat(),
            **self.as_dict(),
            "text": self.text,
        }


def _standing_of(status: str, level: str | None) -> str:
    if status == "paused":
        return "paused"
    if status != "running":
        return "finished"
    if level in OVERDUE_LEVELS:
        return "overdue"
    return "due_soon" if level == "warning" else "running"


def clock_standing(clock: Clock, now: datetime, ctx: Context) -> ClockStanding:
    """Where this clock stands at ``now`` (a petitioner's window too, though it never counts)."""
    level = level_now(clock, now, ctx)
    standing = _standing_of(clock.status, level)
    if clock.status == "running" and not counts(clock.name) and now >= clock.due_at:
        standing = "finished"  # a window past its end: the sweeper is about to close the case
    today = local_date(now, ctx.tz)
    remaining_days = remaining_hours = None
    overdue_days = overdue_working = 0
    if standing in ("running", "due_soon", "overdue"):
        if now >= clock.due_at:
            overdue_days = (today - clock.due_date).days
            overdue_working = working_days_after(ctx.calendar, clock.due_date, today)
        else:
            remaining_days = (clock.due_date - today).days
            if remaining_days == 0:
                remaining_hours = max(1, math.ceil((clock.due_at - now) / _HOUR))
    return ClockStanding(
        name=clock.name,
        label=PERIODS[clock.name].label,
        counts=counts(clock.name),
        standing=standing,
        level=level,
        due_date=clock.due_date,
        due_at=clock.due_at,
        remaining_days=remaining_days,
        remaining_hours=remaining_hours,
        overdue_days=overdue_days,
        overdue_working_days=overdue_working,
    )


@dataclass(frozen=True)
class CaseStanding:
    """Where a case stands: its counted clocks, the most pressing first."""

    clocks: tuple[ClockStanding, ...]

    @property
    def worst(self) -> ClockStanding | None:
        """The clock that presses most, if any counts."""
        return self.clocks[0] if self.clocks else None

    @property
    def level(self) -> str | None:
        """The case's level: its worst clock's."""
        return self.worst.level if self.worst else None

    @property
    def standing(self) -> str | None:
        """running · due_soon · overdue · paused, as its worst clock; None with no clock counting."""
        return self.worst.standing if self.worst else None

    @property
    def overdue(self) -> bool:
        """Whether the case is overdue (its worst clock stands at 超期 or above)."""
        return self.standing == "overdue"

    @property
    def due_soon(self) -> bool:
        """Whether the case is due soon (its worst clock stands at 预警)."""
        return self.standing == "due_soon"

    def clock(self, name: str) -> ClockStanding | None:
        """The standing of its clock of this name, if that clock counts now."""
        return next((c for c in self.clocks if c.name == name), None)


def case_standing(clocks: Iterable[Clock], now: datetime, ctx: Context) -> CaseStanding:
    """Where a case stands at ``now``: its counted clocks (running or paused office clocks)."""
    counted = [
        clock_standing(c, now, ctx)
        for c in clocks
        if counts(c.name) and c.status in ("running", "paused")
    ]
    counted.sort(key=lambda s: s.rank)
    return CaseStanding(tuple(counted))
