"""Reckoning of statutory periods (民法典 Arts. 200–203) on the official PRC holiday calendar.

Pure functions: no database and no clock of its own. Callers pass the start date (the local
date of the event, see `local_date`) and get back a `Deadline` with its due date, whether it is
provisional and a Chinese sentence that says how it was counted.

Rules
-----
* A period in 日 counts calendar days; the start day is not counted. If the last day is a
  statutory rest day (public holiday, or a weekend that is not a make-up working day), the last
  day becomes the first working day after it. The period ends at 24:00 of the last day, local
  time (`end_of_day`).
* A period in 工作日 counts only working days, starting the day after the start: make-up
  weekend working days (调休) count, holidays and days off in lieu do not.

Where the calendar comes from, per year, first match wins
---------------------------------------------------------
1. a year schedule the office loaded (`parse_schedule`, `OfficialCalendar.with_schedule`);
2. the `chinese_calendar` package (2004–2026 in 1.11.0);
3. the fixed holidays of 《全国年节及纪念日放假办法》 (2024): 元旦 1/1; 春节 = 除夕 and lunar
   1/1–1/3; 清明节 (the solar term's day); 劳动节 5/1–5/2; 端午节 lunar 5/5; 中秋节 lunar 8/15;
   国庆节 10/1–10/3; plus weekends. These years have no known 调休, so any deadline whose
   reckoning looked at a day in such a year is ``provisional``.
Years outside 1900–2099 (the range of the lunar tables) are refused.

Year schedule file format (JSON, UTF-8)
---------------------------------------
::

    {
      "year": 2027,
      "holidays": {"2027-01-01": "元旦", "2027-02-05": "春节", ...},
      "workdays": ["2027-02-14", ...]
    }

``holidays`` may instead be a list whose items are either a single day
``{"date": "2027-01-01", "name": "元旦"}`` or an inclusive range
``{"start": "2027-02-05", "end": "2027-02-11", "name": "春节"}``. List every rest day of a
holiday period, including days in lieu and weekends inside it (as the State Council notice
does); ordinary weekends need not be listed. ``workdays`` (optional) lists the make-up weekend
working days (调休上班日). Dates are ``YYYY-MM-DD``; every date must lie in ``year``; no day may be
listed twice, nor be both a holiday and a workday; a workday must be a Saturday or Sunday; no
other keys are allowed. Errors raise ``InvalidInput(code="calendar.bad_schedule")`` whose
``field`` points at the offending entry (e.g. ``holidays[2].end``, ``workdays[0]``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Any, Literal

import chinese_calendar
import lunardate
from chinese_calendar import constants as _cc_constants

from workflow.errors import InvalidInput

__all__ = [
    "Deadline",
    "OfficialCalendar",
    "YearSchedule",
    "end_of_day",
    "local_date",
    "parse_schedule",
    "reckon",
]

# The lunar tables (lunardate) cover 1900–2099; outside that we cannot place 春节/端午/中秋.
MIN_YEAR = 1900
MAX_YEAR = 2099
# Statutory periods are at most a few months; the cap keeps reckon fast and far from date overflow.
MAX_DAYS = 3660

REST_DAY = "休息日"
GENERIC_HOLIDAY = "法定节假日"
_WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# chinese_calendar names its holidays in English; the office speaks Chinese.
_CC_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "Mid-autumn Festival": "中秋节",
        "National Day": "国庆节",
        "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
    }
)

_ONE_DAY = timedelta(days=1)


# --------------------------------------------------------------------------- year schedules


@dataclass(frozen=True)
class YearSchedule:
    """An official year schedule the office loaded: holidays (date -> Chinese name) and make-up working days."""

    year: int
    holidays: dict[date, str]
    workdays: frozenset[date]  # 调休 weekend days that are working days


def _bad(message: str, field: str | None) -> InvalidInput:
    return InvalidInput(code="calendar.bad_schedule", message=message, field=field)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_day(value: Any, year: int, field: str) -> date:
    # fromisoformat alone would also take "20270101" or week dates; the format is YYYY-MM-DD only.
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise _bad(f"日期格式应为YYYY-MM-DD：{value!r}", field)
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise _bad(f"不存在的日期：{value}", field) from None
    if d.year != year:
        raise _bad(f"日期{value}不在{year}年内", field)
    return d


def _parse_name(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad("节日名称不能为空", field)
    name = value.strip()
    if len(name) > 30:
        raise _bad(f"节日名称过长：{name}", field)
    return name


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads silently keeps the last of two equal keys; a doubled date is a typo to report.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _bad(f"重复的键：{key}", key)
        result[key] = value
    return result


def _add_holiday(holidays: dict[date, str], d: date, name: str, field: str) -> None:
    if d in holidays:
        raise _bad(f"{d.isoformat()}重复列出", field)
    holidays[d] = name


def parse_schedule(text: str) -> YearSchedule:
    """Parse an official year schedule in the JSON format of the module docstring."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except InvalidInput:
        raise
    except (ValueError, TypeError) as exc:
        raise _bad(f"放假安排不是有效的JSON：{exc}", None) from None
    if not isinstance(data, dict):
        raise _bad("放假安排应为JSON对象", None)
    unknown = sorted(set(data) - {"year", "holidays", "workdays"})
    if unknown:
        raise _bad(f"未知的键：{'、'.join(unknown)}", unknown[0])

    year = data.get("year")
    # bool is an int subclass; `true` is not a year.
    if not isinstance(year, int) or isinstance(year, bool):
        raise _bad("缺少年份或年份不是整数", "year")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _bad(f"年份须在{MIN_YEAR}至{MAX_YEAR}之间", "year")

    raw_holidays = data.get("holidays")
    holidays: dict[date, str] = {}
    if isinstance(raw_holidays, dict):
        for key, value in raw_holidays.items():
            field = f"holidays.{key}"
            _add_holiday(holidays, _parse_day(key, year, field), _parse_name(value, field), field)
    elif isinstance(raw_holidays, list):
        for i, item in enumerate(raw_holidays):
            field = f"holidays[{i}]"
            if not isinstance(item, dict):
                raise _bad("每项应为含date或start/end及name的对象", field)
            keys = set(item)
            name = _parse_name(item.get("name"), f"{field}.name")
            if keys == {"date", "name"}:
                d = _parse_day(item["date"], year, f"{field}.date")
                _add_holiday(holidays, d, name, field)
            elif keys == {"start", "end", "name"}:
                start = _parse_day(item["start"], year, f"{field}.start")
                end = _parse_day(item["end"], year, f"{field}.end")
                if end < start:
                    raise _bad("结束日期早于开始日期", f"{field}.end")
                d = start
                while d <= end:
                    _add_holiday(holidays, d, name, field)
                    d += _ONE_DAY
            else:
                raise _bad("每项应为{date,name}或{start,end,name}", field)
    else:
        raise _bad("缺少节假日（holidays）或格式不对", "holidays")
    if not holidays:
        # Every year has 元旦 at least; an empty list means a wrong or truncated file.
        raise _bad("节假日（holidays）不能为空", "holidays")

    raw_workdays = data.get("workdays", [])
    if not isinstance(raw_workdays, list):
        raise _bad("调休上班日（workdays）应为日期列表", "workdays")
    workdays: set[date] = set()
    for i, value in enumerate(raw_workdays):
        field = f"workdays[{i}]"
        d = _parse_day(value, year, field)
        if d in workdays:
            raise _bad(f"{value}重复列出", field)
        if d in holidays:
            raise _bad(f"{value}不能既是节假日又是调休上班日", field)
        if d.weekday() < 5:
            # Make-up working days are always weekend days; a weekday here is a typo.
            raise _bad(f"{value}不是周六或周日，无需列为调休上班日", field)
        workdays.add(d)

    return YearSchedule(year=year, holidays=holidays, workdays=frozenset(workdays))


# --------------------------------------------------------------------------- per-year tables


@dataclass(frozen=True, slots=True)
class _YearTable:
    holidays: Mapping[date, str]
    workdays: frozenset[date]
    official: bool


@functools.lru_cache(maxsize=1)
def _cc_by_year() -> Mapping[int, _YearTable]:
    # Group the package's data by year once; it stores English names (or Holiday enums).
    holidays: dict[int, dict[date, str]] = {}
    workdays: dict[int, set[date]] = {}
    for d, raw in _cc_constants.holidays.items():
        english = getattr(raw, "value", raw)
        holidays.setdefault(d.year, {})[d] = _CC_NAMES.get(str(english), GENERIC_HOLIDAY)
    for d in _cc_constants.workdays:
        workdays.setdefault(d.year, set()).add(d)
    years = set(holidays) | set(workdays)
    return MappingProxyType(
        {
            y: _YearTable(
                holidays=MappingProxyType(holidays.get(y, {})),
                workdays=frozenset(workdays.get(y, ())),
                official=True,
            )
            for y in years
        }
    )


def _cc_year_range() -> tuple[int, int]:
    # Read the span from the data, so an upgraded package extends it without a code change.
    years = _cc_by_year()
    return min(years), max(years)


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(
            code="calendar.out_of_range",
            message=f"日期超出可推算范围（{MIN_YEAR}–{MAX_YEAR}年）",
            field=None,
            year=year,
        )


@functools.lru_cache(maxsize=256)
def _fixed_table(year: int) -> _YearTable:
    """The statutory fixed holidays of 《全国年节及纪念日放假办法》 (2024) for `year`."""
    _check_year(year)
    h: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = lunardate.LunarDate(year, 1, 1).to_solar_date()
    for offset in range(-1, 3):  # 除夕 and 正月初一 to 初三
        h[new_year + timedelta(days=offset)] = "春节"
    for d, term in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30)):
        if term == "清明":
            h[d] = "清明节"
    h[date(year, 5, 1)] = "劳动节"
    h[date(year, 5, 2)] = "劳动节"
    h[lunardate.LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    h[lunardate.LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    for day in (1, 2, 3):
        # 中秋 can fall on 10/1–10/3; the day is a holiday either way, 国庆节 names it.
        h[date(year, 10, day)] = "国庆节"
    return _YearTable(holidays=MappingProxyType(h), workdays=frozenset(), official=False)


def _schedule_table(schedule: YearSchedule) -> _YearTable:
    return _YearTable(
        holidays=MappingProxyType(dict(schedule.holidays)),
        workdays=frozenset(schedule.workdays),
        official=True,
    )


def _check_date(d: date, what: str = "date") -> None:
    # A datetime is a date subclass but never equals a date key: lookups would silently miss.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"{what} must be a datetime.date (use local_date() for instants)")


# --------------------------------------------------------------------------- the calendar


class OfficialCalendar:
    """The office's working calendar: loaded schedules over chinese_calendar over the fixed holidays."""

    __slots__ = ("_schedules", "_tables")

    def __init__(self, schedules: Mapping[int, YearSchedule] | None = None) -> None:
        """Build a calendar from the loaded year schedules (keyed by year)."""
        tables: dict[int, _YearTable] = {}
        for year, schedule in (schedules or {}).items():
            if schedule.year != year:
                raise ValueError(f"schedule for {schedule.year} filed under {year}")
            _check_year(year)
            tables[year] = _schedule_table(schedule)
        self._schedules: Mapping[int, YearSchedule] = MappingProxyType(dict(schedules or {}))
        # Per-instance cache of resolved years; starts with the loaded ones, fills lazily.
        self._tables: dict[int, _YearTable] = tables

    def __repr__(self) -> str:
        return f"OfficialCalendar(loaded={sorted(self._schedules)})"

    def with_schedule(self, schedule: YearSchedule) -> OfficialCalendar:
        """A new calendar with `schedule` added (replacing any loaded schedule for its year)."""
        return OfficialCalendar({**self._schedules, schedule.year: schedule})

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            lo, hi = _cc_year_range()
            cc_table = _cc_by_year().get(year) if lo <= year <= hi else None
            table = cc_table if cc_table is not None else _fixed_table(year)
            self._tables[year] = table
        return table

    def is_official(self, year: int) -> bool:
        """Whether `year` has official data (a loaded schedule or chinese_calendar's)."""
        if year in self._schedules:
            return True
        lo, hi = _cc_year_range()
        return lo <= year <= hi

    def _is_working(self, d: date) -> bool:
        table = self._table(d.year)
        if d in table.workdays:
            return True
        if d in table.holidays:
            return False
        return d.weekday() < 5

    def is_working_day(self, d: date) -> bool:
        """Whether `d` is a working day (调休 weekend days are; holidays and days in lieu are not)."""
        _check_date(d)
        return self._is_working(d)

    def rest_day_name(self, d: date) -> str | None:
        """The Chinese name of the rest day `d` ('国庆节', '休息日' ...), None on a working day."""
        _check_date(d)
        if self._is_working(d):
            return None
        return self._table(d.year).holidays.get(d, REST_DAY)

    def _advance_working(self, start: date, n: int, years: set[int]) -> date:
        # Walk day by day: holiday blocks are short, and each day's year is recorded for
        # the provisional check.
        d = start
        while n > 0:
            d += _ONE_DAY
            years.add(d.year)
            if self._is_working(d):
                n -= 1
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n >= 1); `start` itself is not counted."""
        _check_date(start, "start")
        _check_days(n)
        return self._advance_working(start, n, set())


_DEFAULT_CALENDAR = OfficialCalendar()


# --------------------------------------------------------------------------- reckoning


@dataclass(frozen=True)
class Deadline:
    """A reckoned period: its due date (ending 24:00 local), whether provisional, and how it was counted."""

    start: date
    days: int
    unit: Literal["calendar", "working"]
    due_date: date
    provisional: bool
    reckoning: str


def _check_days(days: int) -> None:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(
            code="calendar.bad_days",
            message=f"期限天数须为1至{MAX_DAYS}之间的整数",
            field="days",
            days=days,
        )


def _rest_label(cal: OfficialCalendar, d: date) -> str:
    name = cal.rest_day_name(d)
    if name == REST_DAY or name is None:
        return f"{REST_DAY}（{_WEEKDAY_NAMES[d.weekday()]}）"
    if name == GENERIC_HOLIDAY:
        return GENERIC_HOLIDAY
    return f"{GENERIC_HOLIDAY}（{name}）"


def _provisional_note(years: Iterable[int]) -> str:
    listed = "、".join(f"{y}年" for y in sorted(years))
    return f"；{listed}官方放假安排尚未公布，按《全国年节及纪念日放假办法》固定假日推算，为暂定日期"


def reckon(
    start: date, days: int, *, working: bool = False, calendar: OfficialCalendar | None = None
) -> Deadline:
    """Reckon a period of `days` 日 (or 工作日 if `working`) from the local date `start`."""
    _check_date(start, "start")
    _check_days(days)
    cal = calendar if calendar is not None else _DEFAULT_CALENDAR
    _check_year(start.year)
    years: set[int] = set()  # every year whose calendar the reckoning looked at

    if working:
        due = cal._advance_working(start, days, years)
        text = (
            f"自{start.isoformat()}次日起算{days}个工作日"
            f"（不计法定节假日和休息日，调休上班日计入），届满日为{due.isoformat()}"
        )
        unit: Literal["calendar", "working"] = "working"
    else:
        last = start + timedelta(days=days)
        years.add(last.year)
        if cal._is_working(last):
            due = last
            text = f"自{start.isoformat()}次日起算{days}日，届满日为{due.isoformat()}"
        else:
            # Art. 203: a last day that is a rest day moves to the first working day after it.
            due = cal._advance_working(last, 1, years)
            text = (
                f"自{start.isoformat()}次日起算{days}日，届满日{last.isoformat()}"
                f"为{_rest_label(cal, last)}，顺延至{due.isoformat()}"
            )
        unit = "calendar"

    unofficial = [y for y in years if not cal.is_official(y)]
    if unofficial:
        text += _provisional_note(unofficial)
    return Deadline(
        start=start,
        days=days,
        unit=unit,
        due_date=due,
        provisional=bool(unofficial),
        reckoning=text,
    )


# --------------------------------------------------------------------------- instants


def end_of_day(d: date, tz: tzinfo) -> datetime:
    """24:00 local of `d`, i.e. the next local midnight, as an aware UTC datetime."""
    _check_date(d)
    # Build the next midnight in local time, then convert: adding 24h to this midnight would
    # be wrong across a DST change in zones that have one.
    return datetime.combine(d + _ONE_DAY, time(0), tzinfo=tz).astimezone(UTC)


def local_date(instant: datetime, tz: tzinfo) -> date:
    """The local calendar date of the aware `instant` in `tz`."""
    if not isinstance(instant, datetime):
        raise TypeError("instant must be a datetime")
    if instant.tzinfo is None or instant.utcoffset() is None:
        # A naive time has no place on the timeline; guessing its zone shifts dates at midnight.
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(tz).date()
