"""Tests for workflow.calendar: reckoning of periods on the official holiday calendar."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow import calendar as wc
from workflow.calendar import (
    Deadline,
    OfficialCalendar,
    YearSchedule,
    end_of_day,
    local_date,
    parse_schedule,
    reckon,
)
from workflow.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROVISIONAL_2027 = (
    "；2027年官方放假安排尚未公布，按《全国年节及纪念日放假办法》固定假日推算，为暂定日期"
)

# A made-up 2027 schedule (the real one is not in chinese_calendar 1.11.0): 春节 runs
# 02-05..02-11 with make-up days Sunday 01-31 and Saturday 02-20.
SCHEDULE_2027 = {
    "year": 2027,
    "holidays": [
        {"date": "2027-01-01", "name": "元旦"},
        {"start": "2027-02-05", "end": "2027-02-11", "name": "春节"},
        {"start": "2027-10-01", "end": "2027-10-07", "name": "国庆节"},
    ],
    "workdays": ["2027-01-31", "2027-02-20"],
}


# ----------------------------------------------------------------------------- examples


def test_national_day_2026_rolls_to_first_working_day() -> None:
    dl = reckon(date(2026, 9, 20), 15)
    assert dl == Deadline(
        start=date(2026, 9, 20),
        days=15,
        unit="calendar",
        due_date=date(2026, 10, 8),
        provisional=False,
        reckoning="自2026-09-20次日起算15日，届满日2026-10-05为法定节假日（国庆节），顺延至2026-10-08",
    )


def test_weekend_rolls_to_monday() -> None:
    dl = reckon(date(2026, 11, 13), 15)
    assert dl.due_date == date(2026, 11, 30)
    assert dl.reckoning == (
        "自2026-11-13次日起算15日，届满日2026-11-28为休息日（周六），顺延至2026-11-30"
    )


def test_sunday_label() -> None:
    dl = reckon(date(2026, 11, 14), 15)
    assert dl.due_date == date(2026, 11, 30)
    assert "届满日2026-11-29为休息日（周日）" in dl.reckoning


def test_not_rolled() -> None:
    dl = reckon(date(2026, 11, 26), 15)
    assert dl.due_date == date(2026, 12, 11)
    assert not dl.provisional
    assert dl.reckoning == "自2026-11-26次日起算15日，届满日为2026-12-11"


def test_working_days_skip_mid_autumn() -> None:
    # 2026-09-25 (Fri) is 中秋节, so five working days after 09-20 end on Monday 09-28.
    assert chinese_calendar.get_holiday_detail(date(2026, 9, 25)) == (True, "Mid-autumn Festival")
    dl = reckon(date(2026, 9, 20), 5, working=True)
    assert dl.unit == "working"
    assert dl.due_date == date(2026, 9, 28)
    assert dl.reckoning == (
        "自2026-09-20次日起算5个工作日（不计法定节假日和休息日，调休上班日计入），届满日为2026-09-28"
    )


def test_make_up_weekend_days_are_working_days() -> None:
    cal = OfficialCalendar()
    # Real 调休 days of 2026 per chinese_calendar: Sat 02-14, Sun 09-20, Sat 10-10.
    for d in (date(2026, 2, 14), date(2026, 9, 20), date(2026, 10, 10)):
        assert d.weekday() >= 5
        assert chinese_calendar.is_workday(d)
        assert cal.is_working_day(d)
        assert cal.rest_day_name(d) is None
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert reckon(date(2026, 10, 9), 1, working=True).due_date == date(2026, 10, 10)
    # A calendar period ending on a 调休 Saturday is not rolled.
    dl = reckon(date(2026, 9, 30), 10)
    assert dl.due_date == date(2026, 10, 10)
    assert dl.reckoning == "自2026-09-30次日起算10日，届满日为2026-10-10"


def test_rest_day_names() -> None:
    cal = OfficialCalendar()
    assert cal.rest_day_name(date(2026, 10, 3)) == "国庆节"  # a Saturday inside the holiday
    assert cal.rest_day_name(date(2026, 10, 11)) == "休息日"
    assert cal.rest_day_name(date(2026, 10, 12)) is None
    assert cal.rest_day_name(date(2026, 1, 1)) == "元旦"
    assert cal.rest_day_name(date(2026, 2, 17)) == "春节"
    assert cal.rest_day_name(date(2026, 4, 5)) == "清明节"
    assert cal.rest_day_name(date(2026, 5, 1)) == "劳动节"
    assert cal.rest_day_name(date(2026, 6, 19)) == "端午节"
    assert cal.rest_day_name(date(2026, 9, 25)) == "中秋节"
    assert cal.rest_day_name(date(2015, 9, 3)) == "抗战胜利70周年纪念日"


def test_every_chinese_calendar_name_is_translated() -> None:
    names = {
        wc._CC_NAMES.get(str(getattr(v, "value", v))) for v in chinese_calendar.holidays.values()
    }
    assert None not in names


def test_official_years() -> None:
    cal = OfficialCalendar()
    assert cal.is_official(2004) and cal.is_official(2026)
    assert not cal.is_official(2003) and not cal.is_official(2027)
    assert cal.with_schedule(parse_schedule(json.dumps(SCHEDULE_2027))).is_official(2027)


# ----------------------------------------------------------------------------- provisional years


def test_provisional_2027_rolls_over_spring_festival() -> None:
    # 2027: 除夕 02-05 (Fri), 初一 02-06 .. 初三 02-08 (Mon); 60 days after 2026-12-08 is 02-06.
    dl = reckon(date(2026, 12, 8), 60)
    assert dl.due_date == date(2027, 2, 9)
    assert dl.provisional
    assert dl.reckoning == (
        "自2026-12-08次日起算60日，届满日2027-02-06为法定节假日（春节），顺延至2027-02-09"
        + PROVISIONAL_2027
    )


def test_fixed_holidays_2027() -> None:
    cal = OfficialCalendar()
    assert [cal.rest_day_name(date(2027, 2, d)) for d in range(4, 10)] == [
        None,
        "春节",
        "春节",
        "春节",
        "春节",
        None,
    ]
    assert cal.rest_day_name(date(2027, 4, 5)) == "清明节"
    assert cal.rest_day_name(date(2027, 6, 9)) == "端午节"
    assert cal.rest_day_name(date(2027, 9, 15)) == "中秋节"
    assert cal.rest_day_name(date(2027, 10, 2)) == "国庆节"
    assert cal.rest_day_name(date(2027, 5, 2)) == "劳动节"
    assert cal.rest_day_name(date(2027, 5, 3)) is None  # only 2 statutory days; 调休 unknown
    assert cal.rest_day_name(date(2027, 3, 6)) == "休息日"


@pytest.mark.parametrize("year", [2025, 2026])
def test_fixed_holidays_agree_with_official_data(year: int) -> None:
    # Under the 2024 办法 every fixed holiday is a rest day of the official schedule.
    for d, name in wc._fixed_table(year).holidays.items():
        assert chinese_calendar.is_holiday(d), (d, name)


def test_provisional_working_days_name_the_year() -> None:
    dl = reckon(date(2026, 12, 20), 30, working=True)
    assert dl.provisional
    assert dl.reckoning.endswith(PROVISIONAL_2027)


def test_calendar_period_only_looks_at_its_last_days() -> None:
    # Ends 2026-12-30 (Wed): nothing in 2027 was consulted, so not provisional.
    dl = reckon(date(2026, 12, 20), 10)
    assert dl.due_date == date(2026, 12, 30)
    assert not dl.provisional
    # Ends 2026-12-31 (Thu) is a working day, the roll never reached 2027.
    assert not reckon(date(2026, 12, 21), 10).provisional


def test_two_provisional_years_are_both_named() -> None:
    dl = reckon(date(2026, 12, 1), 300, working=True)
    assert dl.due_date.year == 2028
    assert "；2027年、2028年官方放假安排尚未公布" in dl.reckoning


def test_loaded_schedule_makes_it_official_and_moves_it() -> None:
    cal = OfficialCalendar().with_schedule(parse_schedule(json.dumps(SCHEDULE_2027)))
    dl = reckon(date(2026, 12, 8), 60, calendar=cal)
    assert not dl.provisional
    assert dl.due_date == date(2027, 2, 12)
    assert dl.reckoning == (
        "自2026-12-08次日起算60日，届满日2027-02-06为法定节假日（春节），顺延至2027-02-12"
    )
    # The make-up Sunday counts, and the default calendar is untouched.
    assert cal.is_working_day(date(2027, 1, 31))
    assert not OfficialCalendar().is_working_day(date(2027, 1, 31))
    assert reckon(date(2026, 12, 8), 60).provisional
    # 清明 is not in the made-up schedule: a loaded schedule replaces the fixed table wholly.
    assert cal.is_working_day(date(2027, 4, 5))


def test_loaded_schedule_overrides_chinese_calendar() -> None:
    # Pretend 2026-10-08 became a holiday: the loaded schedule wins over the package.
    sched = YearSchedule(year=2026, holidays={date(2026, 10, 8): "国庆节"}, workdays=frozenset())
    cal = OfficialCalendar({2026: sched})
    assert not cal.is_working_day(date(2026, 10, 8))
    assert cal.is_working_day(date(2026, 10, 5))  # only what the schedule lists
    assert reckon(date(2026, 9, 23), 15, calendar=cal).due_date == date(2026, 10, 9)


def test_schedule_equivalent_to_chinese_calendar_gives_same_days() -> None:
    d0 = date(2025, 1, 1)
    days = [d0 + timedelta(days=i) for i in range(365)]
    sched = YearSchedule(
        year=2025,
        holidays={d: "节" for d in days if d in chinese_calendar.holidays},
        workdays=frozenset(d for d in days if d in chinese_calendar.workdays),
    )
    loaded = OfficialCalendar({2025: sched})
    default = OfficialCalendar()
    assert [loaded.is_working_day(d) for d in days] == [default.is_working_day(d) for d in days]


def test_replacing_a_schedule() -> None:
    first = parse_schedule(json.dumps(SCHEDULE_2027))
    second = parse_schedule(
        json.dumps({"year": 2027, "holidays": {"2027-02-12": "春节"}, "workdays": []})
    )
    cal = OfficialCalendar().with_schedule(first).with_schedule(second)
    assert cal.is_working_day(date(2027, 2, 5))
    assert not cal.is_working_day(date(2027, 2, 12))


# ----------------------------------------------------------------------------- parse_schedule


def test_parse_schedule_mapping_form() -> None:
    s = parse_schedule(
        '{"year": 2027, "holidays": {"2027-01-01": "元旦", "2027-10-01": " 国庆节 "},'
        ' "workdays": ["2027-09-26"]}'
    )
    assert s == YearSchedule(
        year=2027,
        holidays={date(2027, 1, 1): "元旦", date(2027, 10, 1): "国庆节"},
        workdays=frozenset({date(2027, 9, 26)}),
    )


def test_parse_schedule_list_form_with_ranges() -> None:
    s = parse_schedule(json.dumps(SCHEDULE_2027))
    assert s.year == 2027
    assert len(s.holidays) == 1 + 7 + 7
    assert s.holidays[date(2027, 2, 8)] == "春节"
    assert s.workdays == frozenset({date(2027, 1, 31), date(2027, 2, 20)})


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ("not json", None),
        ("[1, 2]", None),
        ('{"holidays": {"2027-01-01": "元旦"}}', "year"),
        ('{"year": "2027", "holidays": {"2027-01-01": "元旦"}}', "year"),
        ('{"year": true, "holidays": {"2027-01-01": "元旦"}}', "year"),
        ('{"year": 1800, "holidays": {"1800-01-01": "元旦"}}', "year"),
        ('{"year": 2027}', "holidays"),
        ('{"year": 2027, "holidays": {}}', "holidays"),
        ('{"year": 2027, "holidays": "元旦"}', "holidays"),
        ('{"year": 2027, "holidays": {"2028-01-01": "元旦"}}', "holidays.2028-01-01"),
        ('{"year": 2027, "holidays": {"2027-1-1": "元旦"}}', "holidays.2027-1-1"),
        ('{"year": 2027, "holidays": {"20270101": "元旦"}}', "holidays.20270101"),
        ('{"year": 2027, "holidays": {"2027-02-30": "春节"}}', "holidays.2027-02-30"),
        ('{"year": 2027, "holidays": {"2027-01-01": ""}}', "holidays.2027-01-01"),
        ('{"year": 2027, "holidays": {"2027-01-01": 1}}', "holidays.2027-01-01"),
        ('{"year": 2027, "holidays": {"2027-01-01": "元旦", "2027-01-01": "元旦"}}', "2027-01-01"),
        ('{"year": 2027, "holidays": ["2027-01-01"]}', "holidays[0]"),
        ('{"year": 2027, "holidays": [{"date": "2027-01-01"}]}', "holidays[0].name"),
        ('{"year": 2027, "holidays": [{"day": "2027-01-01", "name": "元旦"}]}', "holidays[0]"),
        (
            '{"year": 2027, "holidays": [{"start": "2027-02-11", "end": "2027-02-05", "name": "春节"}]}',
            "holidays[0].end",
        ),
        (
            '{"year": 2027, "holidays": [{"start": "2027-12-31", "end": "2028-01-01", "name": "元旦"}]}',
            "holidays[0].end",
        ),
        (
            '{"year": 2027, "holidays": [{"start": "2027-02-05", "end": "2027-02-11", "name": "春节"},'
            ' {"date": "2027-02-11", "name": "春节"}]}',
            "holidays[1]",
        ),
        (
            '{"year": 2027, "holidays": {"2027-01-01": "元旦"}, "workdays": "2027-01-31"}',
            "workdays",
        ),
        (
            '{"year": 2027, "holidays": {"2027-01-01": "元旦"}, "workdays": ["2026-12-27"]}',
            "workdays[0]",
        ),
        (
            '{"year": 2027, "holidays": {"2027-01-02": "元旦"}, "workdays": ["2027-01-02"]}',
            "workdays[0]",
        ),
        (
            '{"year": 2027, "holidays": {"2027-01-01": "元旦"}, "workdays": ["2027-01-31", "2027-01-31"]}',
            "workdays[1]",
        ),
        (
            '{"year": 2027, "holidays": {"2027-01-01": "元旦"}, "workdays": ["2027-01-04"]}',
            "workdays[0]",
        ),
        ('{"year": 2027, "holidays": {"2027-01-01": "元旦"}, "workday": []}', "workday"),
    ],
)
def test_parse_schedule_errors(payload: str, field: str | None) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_schedule(payload)
    assert exc.value.code == "calendar.bad_schedule"
    assert exc.value.field == field
    assert exc.value.message  # a Chinese sentence for the admin
    assert exc.value.exit_code == 2


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("days", [0, -1, True, 1.5, wc.MAX_DAYS + 1])
def test_bad_days(days: object) -> None:
    with pytest.raises(InvalidInput) as exc:
        reckon(date(2026, 1, 5), days)  # type: ignore[arg-type]
    assert exc.value.code == "calendar.bad_days"
    assert exc.value.field == "days"
    with pytest.raises(InvalidInput):
        OfficialCalendar().add_working_days(date(2026, 1, 5), days)  # type: ignore[arg-type]


def test_datetime_is_refused_as_a_date() -> None:
    # A datetime would silently miss every holiday lookup.
    with pytest.raises(TypeError):
        reckon(datetime(2026, 9, 20, 10, tzinfo=UTC), 15)
    with pytest.raises(TypeError):
        OfficialCalendar().is_working_day(datetime(2026, 10, 1))


def test_years_beyond_the_lunar_tables_are_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        reckon(date(2099, 12, 20), 30)
    assert exc.value.code == "calendar.out_of_range"


# ----------------------------------------------------------------------------- instants


def test_end_of_day_shanghai() -> None:
    assert end_of_day(date(2026, 10, 8), SHANGHAI) == datetime(2026, 10, 8, 16, 0, tzinfo=UTC)
    assert end_of_day(date(2026, 10, 8), SHANGHAI).tzinfo is UTC


def test_end_of_day_across_dst() -> None:
    # New York's clocks go back on 2026-11-01: that local day has 25 hours.
    ny = ZoneInfo("America/New_York")
    assert end_of_day(date(2026, 10, 31), ny) == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert end_of_day(date(2026, 11, 1), ny) == datetime(2026, 11, 2, 5, tzinfo=UTC)


def test_local_date() -> None:
    assert local_date(datetime(2026, 10, 8, 15, 59, 59, tzinfo=UTC), SHANGHAI) == date(2026, 10, 8)
    assert local_date(datetime(2026, 10, 8, 16, 0, tzinfo=UTC), SHANGHAI) == date(2026, 10, 9)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 10, 8, 12), SHANGHAI)


def test_deadline_instant_round_trip() -> None:
    due = reckon(date(2026, 9, 20), 15).due_date
    end = end_of_day(due, SHANGHAI)
    assert local_date(end - timedelta(microseconds=1), SHANGHAI) == due
    assert local_date(end, SHANGHAI) == due + timedelta(days=1)


# ----------------------------------------------------------------------------- properties

starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))
periods = st.integers(min_value=1, max_value=120)
CAL = OfficialCalendar()


def _working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]."""
    n, d = 0, start
    while d < end:
        d += timedelta(days=1)
        n += CAL.is_working_day(d)
    return n


@settings(max_examples=300)
@given(start=starts, days=periods, working=st.booleans())
def test_due_date_is_a_working_day(start: date, days: int, working: bool) -> None:
    dl = reckon(start, days, working=working)
    assert CAL.is_working_day(dl.due_date)
    assert CAL.rest_day_name(dl.due_date) is None
    assert dl.due_date > start


@settings(max_examples=300)
@given(start=starts, days=periods)
def test_calendar_period_rolls_minimally(start: date, days: int) -> None:
    dl = reckon(start, days)
    last = start + timedelta(days=days)
    assert dl.due_date >= last
    # Every day from the nominal last day up to the due date is a rest day.
    d = last
    while d < dl.due_date:
        assert not CAL.is_working_day(d)
        d += timedelta(days=1)
    assert ("顺延至" in dl.reckoning) == (dl.due_date != last)


@settings(max_examples=300)
@given(
    start=starts, days=periods, extra=st.integers(min_value=0, max_value=60), working=st.booleans()
)
def test_longer_periods_never_end_earlier(
    start: date, days: int, extra: int, working: bool
) -> None:
    shorter = reckon(start, days, working=working).due_date
    longer = reckon(start, days + extra, working=working).due_date
    assert shorter <= longer
    if working and extra:
        assert shorter < longer


@settings(max_examples=300)
@given(start=starts, days=periods)
def test_working_day_count_is_exact(start: date, days: int) -> None:
    dl = reckon(start, days, working=True)
    assert _working_days_between(start, dl.due_date) == days
    assert CAL.is_working_day(dl.due_date)
    assert CAL.add_working_days(start, days) == dl.due_date


@settings(max_examples=300)
@given(start=starts, days=periods, working=st.booleans())
def test_provisional_iff_an_unofficial_year_was_consulted(
    start: date, days: int, working: bool
) -> None:
    dl = reckon(start, days, working=working)
    first = start + timedelta(days=1) if working else start + timedelta(days=days)
    years = set(range(first.year, dl.due_date.year + 1))
    assert dl.provisional == any(y > 2026 for y in years)
    assert ("暂定日期" in dl.reckoning) == dl.provisional


@settings(max_examples=200)
@given(d=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_matches_chinese_calendar_in_official_years(d: date) -> None:
    assert CAL.is_working_day(d) == chinese_calendar.is_workday(d)
