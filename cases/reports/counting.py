"""What the statistics count over and what they count: the ``Period`` of local dates (and its
parsing), the ``Tally`` of counts with the rates they give, and each measure's Chinese name."""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from workflow.errors import InvalidInput
from workflow.input_rules import check_day

MAX_DAYS = 3700  # ten years and a little: longer ranges are a typo, not a question
#: Measures counted per staff member only (not per category, channel or region).
STAFF_ONLY = ("tracking_notes", "tracking_notes_on_time", "tracking_on_time_rate")

#: Each measure's Chinese name, in the order the exports show them.
MEASURE_LABELS: dict[str, str] = {
    "intakes": "受理量",
    "previous_intakes": "上期受理量",
    "acceptance_decisions": "受理决定",
    "acceptance_owed": "应受理件",
    "acceptance_on_time": "按期受理",
    "acceptance_overdue_open": "超期未受理",
    "acceptance_on_time_rate": "按期受理率",
    "replies": "答复（办结）",
    "handling_owed": "应办结件",
    "replies_on_time": "按期办结",
    "handling_overdue_open": "超期未办结",
    "handling_on_time_rate": "按期办结率",
    "rated": "评价",
    "satisfied": "满意及基本满意",
    "satisfaction_rate": "满意率",
    "replies_rated": "已答复且已评价",
    "rating_rate": "参评率",
    "receptions": "登记（含重复访）",
    "repeat_contacts": "重复访（记入原件）",
    "repeat_petitions": "重复访",
    "repeat_rate": "重复访率",
    "visits": "来访",
    "skip_level_visits": "越级访",
    "skip_level_rate": "越级访率",
    "group_visits": "集体访（件）",
    "group_visit_people": "集体访（人次）",
    "tracking_notes": "跟踪记录",
    "tracking_notes_on_time": "按期跟踪",
    "tracking_on_time_rate": "跟踪按期率",
    "on_time_rate": "按期率（受理与办结）",
    "open_overdue": "当前超期未办",
}


def ratio(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator``, or None when nothing was counted."""
    return numerator / denominator if denominator else None


@dataclass
class Tally:
    """The counts behind every measure, for one slice of one period."""

    intakes: int = 0
    repeat_contacts: int = 0
    repeat_petitions: int = 0
    visits: int = 0
    skip_level_visits: int = 0
    group_visits: int = 0
    group_visit_people: int = 0
    acceptance_decisions: int = 0
    acceptance_owed: int = 0
    acceptance_on_time: int = 0
    acceptance_overdue_open: int = 0
    replies: int = 0
    handling_owed: int = 0
    replies_on_time: int = 0
    handling_overdue_open: int = 0
    replies_rated: int = 0
    rated: int = 0
    satisfied: int = 0
    tracking_notes: int = 0
    tracking_notes_on_time: int = 0

    def add(self, **counts: int) -> None:
        """Add aggregate counts (None from an empty SUM counts as 0)."""
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + int(value or 0))

    def counts(self) -> dict[str, int]:
        """The counts alone."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def counts_of(self, names: Iterable[str]) -> dict[str, int]:
        """Some of the counts."""
        return {n: getattr(self, n) for n in names}

    def measures(self) -> dict[str, Any]:
        """The counts and the rates they give, as JSON."""
        out: dict[str, Any] = dict(self.counts())
        receptions = self.intakes + self.repeat_contacts
        out.update(
            receptions=receptions,
            acceptance_on_time_rate=ratio(self.acceptance_on_time, self.acceptance_owed),
            handling_on_time_rate=ratio(self.replies_on_time, self.handling_owed),
            satisfaction_rate=ratio(self.satisfied, self.rated),
            rating_rate=ratio(self.replies_rated, self.replies),
            repeat_rate=ratio(self.repeat_petitions, receptions),
            skip_level_rate=ratio(self.skip_level_visits, self.visits),
            tracking_on_time_rate=ratio(self.tracking_notes_on_time, self.tracking_notes),
            on_time_rate=ratio(
                self.acceptance_on_time + self.replies_on_time,
                self.acceptance_owed + self.handling_owed,
            ),
        )
        return out


@dataclass(frozen=True)
class Period:
    """A range of local dates, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def instants(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[00:00 local of the first day, 24:00 local of the last day) as UTC instants."""
        first = datetime.combine(self.start, time(0), tzinfo=tz).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz)
        return first, after.astimezone(UTC)

    def as_json(self) -> dict[str, Any]:
        """The period as JSON."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "days": self.days}


def parse_period(start: str | date | None, end: str | date | None, *, today: date) -> Period:
    """The period ``start``–``end`` (ISO dates); missing ends default to the 90 days up to today."""

    def parse(value: str | date | None, name: str) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(
                "stats.bad_date", f"日期格式应为 YYYY-MM-DD：{value}", field=name
            ) from None
        return check_day(day, name, "起始日期" if name == "from" else "截止日期")

    last = parse(end, "to") or today
    first = parse(start, "from") or last - timedelta(days=89)
    if first > last:
        raise InvalidInput(
            "stats.bad_period",
            f"起始日期 {first.isoformat()} 晚于截止日期 {last.isoformat()}",
            field="from",
        )
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput("stats.period_too_long", "统计区间不能超过十年", field="from")
    return Period(first, last)
