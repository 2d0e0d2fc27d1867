"""When each step of a demo case happens: the script's relative days as instants before ``now``."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from cases.demo.records import DemoCase, Step
from workflow.calendar import OfficialCalendar, local_date


def instant(day: date, hhmm: str, tz: Any) -> datetime:
    """The UTC instant of a local date and time "HH:MM"."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    # In UTC: the audit hash prints an event's instant as UTC ("…Z") without converting it.
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def working_on_or_before(day: date, cal: OfficialCalendar) -> date:
    """The day itself if it is a working day, else the last working day before it."""
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    return day


def schedule(
    case: DemoCase, now: datetime, cal: OfficialCalendar, tz: Any
) -> list[tuple[datetime, Step]]:
    """The case's steps at real instants: on working days (evening online and call intakes keep
    their hour), strictly increasing, and all before ``now``."""
    today = local_date(now, tz)
    script = case.script
    out: list[tuple[datetime, Step]] = []
    for step in script:
        day = today - timedelta(days=step.days_ago)
        if not (step.action == "intake" and case.channel == "online"):
            day = working_on_or_before(day, cal)
        when = instant(day, step.at, tz)
        if when >= now:  # the hour has not come yet today: the previous working day
            when = instant(working_on_or_before(day - timedelta(days=1), cal), step.at, tz)
        out.append((when, step))
    # Keep the order of the script, whatever the snapping did (a step snapped back before the
    # previous one moves to its hour on the next working day), and finish before now.
    for i in range(1, len(out)):
        prev = out[i - 1][0]
        if out[i][0] <= prev:
            hhmm = script[i].at
            day = local_date(prev, tz)
            when = instant(day, hhmm, tz)
            if when <= prev:
                day += timedelta(days=1)
                while not cal.is_working_day(day):
                    day += timedelta(days=1)
                when = instant(day, hhmm, tz)
            out[i] = (when, out[i][1])
    limit = now - timedelta(minutes=1)
    for i in range(len(out) - 1, -1, -1):
        if out[i][0] > limit:
            out[i] = (limit, out[i][1])
        limit = out[i][0] - timedelta(minutes=5)
    return out
