"""SLA clocks: which clocks an action starts, stops, pauses or resumes, and when each is due.

Pure functions over ``Clock`` values. The service persists them as rows with an indexed
``next_fire_at`` that the sweeper reads; nothing here keeps a timer.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from typing import Any

from workflow.calendar import OfficialCalendar, end_of_day, local_date, reckon
from workflow.escalation import next_fire_at
from workflow.periods import (
    DEFAULT_POLICY,
    PERIODS,
    TRACKED_STATES,
    OfficePolicy,
    Unit,
    period_days,
)


@dataclass(frozen=True)
class Clock:
    """One run of one clock on one case."""

    name: str
    status: str  # running · paused · stopped · lapsed
    started_at: datetime
    start_on: date
    days: int
    unit: Unit
    due_date: date
    due_at: datetime
    provisional: bool
    reckoning: str
    extra_days: int = 0
    level: str | None = None
    paused_on: date | None = None
    fixed_due: bool = False
    stopped_at: datetime | None = None
    next_fire_at: datetime | None = None
    id: int | None = None

    @property
    def active(self) -> bool:
        """Whether the clock still counts (running or paused by a hearing)."""
        return self.status in ("running", "paused")


@dataclass(frozen=True)
class Context:
    """The calendar, time zone and policy a reckoning uses."""

    calendar: OfficialCalendar
    tz: tzinfo
    policy: OfficePolicy = DEFAULT_POLICY


def _reckon(clock: Clock, ctx: Context) -> Clock:
    """Reckon the clock's due date from its start, length and added days."""
    if clock.fixed_due:
        due_at = end_of_day(clock.due_date, ctx.tz)
        new = replace(clock, due_at=due_at)
    else:
        total = clock.days + clock.extra_days
        deadline = reckon(
            clock.start_on, total, working=clock.unit == "working", calendar=ctx.calendar
        )
        prefix = _added_prefix(clock)
        new = replace(
            clock,
            due_date=deadline.due_date,
            due_at=end_of_day(deadline.due_date, ctx.tz),
            provisional=deadline.provisional,
            reckoning=prefix + deadline.reckoning,
        )
    return replace(
        new, next_fire_at=next_fire_at(new, calendar=ctx.calendar, tz=ctx.tz, policy=ctx.policy)
    )


def _added_prefix(clock: Clock) -> str:
    if not clock.extra_days:
        return ""
    if clock.name == "handling":
        return f"办理期限{clock.days}日，经批准延长{clock.extra_days}日（《信访工作条例》第三十四条），合并计算："
    if clock.name == "reexamination":
        return f"复核期限{clock.days}日，听证{clock.extra_days}日不计入（《信访工作条例》第三十六条），合并计算："
    return f"期限{clock.days}日，另加{clock.extra_days}日，合并计算："


def start_clock(
    name: str,
    at: datetime,
    ctx: Context,
    *,
    start_on: date | None = None,
    due_date: date | None = None,
) -> Clock:
    """Start a clock at instant ``at`` (its period counted from ``start_on``, default the local date)."""
    period = PERIODS[name]
    on = start_on or local_date(at, ctx.tz)
    if due_date is not None:
        clock = Clock(
            name=name,
            status="running",
            started_at=at,
            start_on=on,
            days=(due_date - on).days,
            unit="calendar",
            due_date=due_date,
            due_at=at,
            provisional=False,
            reckoning=f"交办时确定的报结日期为{due_date.isoformat()}（《信访工作条例》第二十二条）",
            fixed_due=True,
        )
    else:
        days = period_days(name, ctx.policy)
        assert days is not None, f"clock {name} needs a due date"
        clock = Clock(
            name=name,
            status="running",
            started_at=at,
            start_on=on,
            days=days,
            unit=period.unit,
            due_date=on,
            due_at=at,
            provisional=False,
            reckoning="",
        )
    return _reckon(clock, ctx)


def stop_clock(clock: Clock, at: datetime, *, lapsed: bool = False) -> Clock:
    """Stop a clock; a petitioner window that ran out is ``lapsed``."""
    return replace(
        clock, status="lapsed" if lapsed else "stopped", stopped_at=at, next_fire_at=None
    )


def recompute(clock: Clock, ctx: Context) -> Clock:
    """Reckon an active clock again, e.g. after a new year schedule was loaded.

    A fixed report-back date stays, but its ladder (counted in working days) is re-timed too.
    """
    if not clock.active:
        return clock
    new = _reckon(clock, ctx)
    return replace(new, next_fire_at=None) if clock.status == "paused" else new


#: Which clocks each action stops (the table of domain.md).
STOPS: dict[str, tuple[str, ...]] = {
    "accept": ("acceptance",),
    "transfer": ("acceptance",),
    "assign": ("acceptance",),
    "record_partner_acceptance": ("partner_acceptance",),
    "reply": ("handling", "partner_acceptance", "partner_handling"),
    "report_back": ("report_back",),
    "request_review": ("review_window",),
    "reply_review": ("review",),
    "request_reexamination": ("reexamination_window",),
}
_STARTS: dict[str, tuple[str, ...]] = {
    "accept": ("handling",),
    "transfer": ("partner_acceptance",),
    "assign": ("report_back",),
    "record_partner_acceptance": ("partner_handling",),
    "reply": ("review_window",),
    "report_back": ("review_window",),
    "request_review": ("review",),
    "reply_review": ("reexamination_window",),
    "request_reexamination": ("reexamination",),
}


@dataclass(frozen=True)
class ClockChanges:
    """The clocks an action changed (with their ids) and the clocks it started."""

    changed: list[Clock]
    started: list[Clock]


def apply_action(
    action: str,
    new_state: str,
    clocks: Mapping[str, Clock],
    payload: Mapping[str, Any],
    at: datetime,
    ctx: Context,
) -> ClockChanges:
    """The clock changes that follow an action which took the case into ``new_state``.

    ``clocks`` holds the case's active clocks by name. A case that leaves the open states keeps no
    active clock, so nothing can escalate a closed, concluded, withdrawn or rejected case.
    """
    changed: dict[str, Clock] = {}
    started: list[Clock] = []
    active = {n: c for n, c in clocks.items() if c.active}
    today = local_date(at, ctx.tz)

    if new_state not in TRACKED_STATES and new_state not in ("replied", "review_replied"):
        # Terminal: every clock stops; a lapsed petitioner window is marked as such.
        for name, clock in active.items():
            lapsed = action == "lapse" and PERIODS[name].kind == "petitioner"
            changed[name] = stop_clock(clock, at, lapsed=lapsed)
        return ClockChanges(list(changed.values()), [])

    for name in STOPS.get(action, ()):
        if name in active:
            changed[name] = stop_clock(active[name], at)

    if action == "extend":
        clock = active.get("handling")
        if clock is not None:
            changed["handling"] = _reckon(
                replace(clock, extra_days=clock.extra_days + int(payload["days"])), ctx
            )
    elif action == "start_hearing" and "reexamination" in active:
        clock = active["reexamination"]
        changed["reexamination"] = replace(
            clock, status="paused", paused_on=today, next_fire_at=None
        )
    elif action == "end_hearing" and "reexamination" in active:
        clock = active["reexamination"]
        # Hearing days, first and last both counted, are added to the 30-day period (Art. 36).
        hearing_days = (today - (clock.paused_on or today)).days + 1
        changed["reexamination"] = _reckon(
            replace(
                clock, status="running", paused_on=None, extra_days=clock.extra_days + hearing_days
            ),
            ctx,
        )
    elif action == "note" and "tracking" in active:
        changed["tracking"] = stop_clock(active["tracking"], at)

    for name in _STARTS.get(action, ()):
        if name == "report_back":
            started.append(
                start_clock(name, at, ctx, due_date=date.fromisoformat(payload["report_by"]))
            )
        elif name == "partner_handling":
            started.append(
                start_clock(name, at, ctx, start_on=date.fromisoformat(payload["accepted_on"]))
            )
        else:
            started.append(start_clock(name, at, ctx))

    # The owner's tracking cadence runs while the office works the case, restarted by every note.
    tracking = active.get("tracking")
    tracking_running = tracking is not None and "tracking" not in changed
    if new_state in TRACKED_STATES:
        if not tracking_running:
            started.append(start_clock("tracking", at, ctx))
    elif tracking_running:
        assert tracking is not None
        changed["tracking"] = stop_clock(tracking, at)
    return ClockChanges(list(changed.values()), started)


def intake_clocks(at: datetime, received_at: datetime, ctx: Context) -> list[Clock]:
    """The clocks a newly registered case starts: the 15-day decision period and tracking."""
    return [start_clock("acceptance", received_at, ctx), start_clock("tracking", at, ctx)]
