"""workflow.standing: where a clock and a case stand — level now, time left in days (hours on the
last day), overdue by calendar and working days, and which clock presses most."""

from dataclasses import replace
from datetime import UTC, datetime

from conftest import TZ
from workflow import sla
from workflow.calendar import OfficialCalendar
from workflow.standing import case_standing, clock_standing, level_now

CTX = sla.Context(calendar=OfficialCalendar(), tz=TZ)


def at(text: str) -> datetime:
    """A Shanghai wall-clock time as an aware UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(UTC)


#: Received Sunday 2026-09-20: 15 日 end on 10-05, a holiday (国庆节), moved to Thursday 10-08.
ACCEPTANCE = sla.start_clock("acceptance", at("2026-09-20 10:00"), CTX)


def test_time_left_in_days_then_hours_on_the_last_day() -> None:
    assert ACCEPTANCE.due_date.isoformat() == "2026-10-08"
    early = clock_standing(ACCEPTANCE, at("2026-10-04 12:00"), CTX)
    assert (early.standing, early.level, early.remaining_days) == ("running", None, 4)
    assert early.remaining_text == "剩余4日" and early.public_text == "还有4日"
    # The period ends at 24:00 of its last day: at 19:00 five hours are left.
    last = clock_standing(ACCEPTANCE, at("2026-10-08 19:00"), CTX)
    assert (last.standing, last.level, last.remaining_days, last.remaining_hours) == (
        "due_soon",
        "warning",
        0,
        5,
    )
    assert last.due_today and last.remaining_text == "剩余5小时"
    assert last.text == "受理告知期限剩余5小时" and last.public_text == "今日24时前"
    # Half an hour before midnight still reads as an hour, never as none.
    assert clock_standing(ACCEPTANCE, at("2026-10-08 23:30"), CTX).remaining_text == "剩余1小时"


def test_overdue_by_calendar_and_working_days() -> None:
    # 10-09 (Friday), 10-10 (Saturday, a make-up working day), 10-11 (Sunday), 10-12 (Monday).
    late = clock_standing(ACCEPTANCE, at("2026-10-12 23:00"), CTX)
    assert (late.overdue_days, late.overdue_working_days) == (4, 3)
    assert late.remaining_text == "超期4日（3个工作日）" and late.remaining_days is None
    # The third working day has not ended: 超期, and 督办 from midnight.
    assert (late.standing, late.level) == ("overdue", "overdue")
    later = clock_standing(ACCEPTANCE, at("2026-10-13 09:00"), CTX)
    assert (later.level, later.remaining_text) == ("supervision", "超期5日（4个工作日）")
    assert later.public_text == "已超过5日"
    # Just past midnight after the last day: the first day overdue.
    first = clock_standing(ACCEPTANCE, at("2026-10-09 00:00"), CTX)
    assert (first.overdue_days, first.overdue_working_days, first.level) == (1, 1, "overdue")


def test_level_now_keeps_what_the_sweeper_fired_and_does_not_wait_for_it() -> None:
    # Not yet swept, the deadline passed: the level is reached all the same.
    assert level_now(ACCEPTANCE, at("2026-10-13 09:00"), CTX) == "supervision"
    # A level the sweeper fired stays (an extension may since have moved the deadline).
    fired = replace(ACCEPTANCE, level="flagged")
    assert level_now(fired, at("2026-10-04 12:00"), CTX) == "flagged"
    # The tracking cadence climbs only to 超期.
    tracking = sla.start_clock("tracking", at("2026-09-20 10:00"), CTX)
    assert level_now(tracking, at("2026-12-31 09:00"), CTX) == "overdue"
    # A stopped clock has no level now; a paused one keeps the one it had.
    assert (
        level_now(sla.stop_clock(fired, at("2026-10-05 10:00")), at("2026-10-13 09:00"), CTX)
        is None
    )
    paused = replace(fired, status="paused")
    assert clock_standing(paused, at("2026-12-31 09:00"), CTX).standing == "paused"
    assert level_now(paused, at("2026-12-31 09:00"), CTX) == "flagged"


def test_a_case_stands_at_its_worst_counted_clock() -> None:
    received = at("2026-09-20 10:00")
    handling = sla.start_clock("handling", at("2026-09-25 10:00"), CTX)  # due 11-24
    tracking = sla.start_clock("tracking", at("2026-10-20 10:00"), CTX)  # due 10-27
    window = sla.start_clock("review_window", received, CTX)  # the petitioner's: never counts
    now = at("2026-11-20 10:00")
    case = case_standing([handling, tracking, window], now, CTX)
    # The tracking note is 24 days late; the handling period has four days left (预警).
    assert [c.name for c in case.clocks] == ["tracking", "handling"]
    assert case.worst is not None and case.worst.text == "跟踪记录周期超期24日（18个工作日）"
    assert (case.level, case.standing, case.overdue) == ("overdue", "overdue", True)
    # At the same level, the longest overdue first.
    older = sla.start_clock("tracking", at("2026-10-01 10:00"), CTX)
    acceptance = sla.start_clock("acceptance", at("2026-10-20 10:00"), CTX)  # due 11-04
    both = case_standing([acceptance, older], at("2026-11-06 10:00"), CTX)
    assert [(c.name, c.level) for c in both.clocks] == [
        ("tracking", "overdue"),
        ("acceptance", "overdue"),
    ]
    # A higher level wins over a longer delay.
    far = case_standing([acceptance, older], at("2026-11-30 10:00"), CTX)
    assert far.worst is not None and (far.worst.name, far.level) == ("acceptance", "flagged")
    # The petitioner's window has its own time, but no case stands on it.
    alone = case_standing([window], at("2026-10-01 10:00"), CTX)
    assert alone.worst is None and alone.level is None
    assert clock_standing(window, at("2026-10-01 10:00"), CTX).remaining_text == "剩余19日"
    assert clock_standing(window, at("2026-10-31 10:00"), CTX).standing == "finished"
