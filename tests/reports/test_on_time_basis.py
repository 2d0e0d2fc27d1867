"""按期受理率 and 按期办结率 on the 应受理件 / 应办结件 basis (domain.md, "Measures the office
reports"), worked out by hand on the month of ``tests/reports/month.py`` with cases left open past
their deadlines: an open case past its deadline counts against the rate, one whose deadline is
still to come is owed nothing yet, and an extension moves the deadline the case is counted by.

Added to the month (every 15-day period from day D ends on D+15, every 60-day one on D+60):

- C10 (A002): received 11-10, never decided: its acceptance deadline 11-25 has passed.
- C12 (A003): received 09-09, accepted 09-10, never replied: its handling deadline 11-09 passed.
- C13 (A003): as C12, but extended by 30 days on 11-02: its deadline is 12-09, not owed yet.
- C14 (A003): as C12, replied 11-05: in time, counted in November (its deadline's month).
- C15 (A002): received 11-20, undecided: its deadline (12-05, a Saturday, so the next working
  day 12-07) is still to come.
"""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from cases.reports import counting, stats
from cases.runtime import Runtime
from cases.store import tables
from conftest import at
from tests.reports.month import READ_AT, _act, _intake, november
from tests.reports.test_stats import migration
from workflow import measures


def _with_open_cases(engine: Engine, rt: Runtime) -> dict[str, str]:
    n: dict[str, str] = {}
    n["c10"] = _intake(engine, rt, "2026-11-10 10:00", "A002")
    for key in ("c12", "c13", "c14"):
        n[key] = _intake(engine, rt, "2026-09-09 10:00", "A003", subject="物业管理纠纷")
        _act(engine, rt, n[key], "accept", "2026-09-10 10:00", "A003")
    _act(engine, rt, n["c13"], "extend", "2026-11-02 10:00", "G001", days=30, reason="情况复杂")
    _act(
        engine, rt, n["c14"], "reply", "2026-11-05 10:00", "A003", outcome="support", opinion="支持"
    )
    n["c15"] = _intake(engine, rt, "2026-11-20 10:00", "A002")
    return n


@pytest.fixture
def owed(month: dict[str, Any]) -> dict[str, Any]:
    """The month with the open cases, and November's statistics read on 12-01."""
    engine, rt = month["engine"], month["rt"]
    numbers = {**month["numbers"], **_with_open_cases(engine, rt)}
    return {**month, "numbers": numbers, "stats": november(engine, rt)}


def _due(engine: Engine, case_no: str) -> tuple[date | None, date | None]:
    c = tables.case_t.c
    with engine.connect() as conn:
        row = conn.execute(
            select(c.acceptance_due, c.handling_due).where(c.case_no == case_no)
        ).one()
    return row.acceptance_due, row.handling_due


def test_each_step_keeps_the_due_dates_on_the_case(owed: dict[str, Any]) -> None:
    e, n = owed["engine"], owed["numbers"]
    assert _due(e, n["c10"]) == (date(2026, 11, 25), None)
    assert _due(e, n["c12"]) == (date(2026, 9, 24), date(2026, 11, 9))
    assert _due(e, n["c13"]) == (date(2026, 9, 24), date(2026, 12, 9))  # extended by 30 days
    assert _due(e, n["c14"]) == (date(2026, 9, 24), date(2026, 11, 9))  # kept by the reply
    assert _due(e, n["c6"]) == (None, None)  # withdrawn: nothing owed
    assert _due(e, n["c3"])[1] is None  # rejected: no handling
    assert _due(e, n["c15"]) == (date(2026, 12, 7), None)  # 12-05 is a Saturday
    # C4's partner acceptance stopped the partner's 15 days: its 60 days took over (to 01-09,
    # a Saturday: the next working day).
    assert _due(e, n["c4"]) == (date(2026, 11, 18), date(2027, 1, 11))
    # C9 was replied before its partner's acceptance: the 15 days the reply stopped.
    assert _due(e, n["c9"]) == (date(2026, 11, 17), date(2026, 11, 17))


def test_open_overdue_cases_count_against_the_rates(owed: dict[str, Any]) -> None:
    s = owed["stats"]
    # 应受理件: the month's six decided cases and C10, undecided past 11-25; C15's deadline
    # (12-05) is not in November. In time: all but C2 (late) and C10 (open).
    assert (s["acceptance_owed"], s["acceptance_on_time"]) == (7, 5)
    assert s["acceptance_overdue_open"] == 1
    assert s["acceptance_on_time_rate"] == pytest.approx(5 / 7)
    # 应办结件: C5 and C9 (late), C12 (open past 11-09), C14 (in time); C13 was extended out of
    # November.
    assert (s["handling_owed"], s["replies_on_time"], s["handling_overdue_open"]) == (4, 1, 1)
    assert s["handling_on_time_rate"] == pytest.approx(1 / 4)
    assert s["on_time_rate"] == pytest.approx(6 / 11)


def test_per_owner_and_group(owed: dict[str, Any]) -> None:
    s = owed["stats"]
    a2, a3 = s["by_owner"]["A002"], s["by_owner"]["A003"]
    # A002: C3 (rejected in time) and C10 (open past its deadline).
    assert (a2["acceptance_owed"], a2["acceptance_on_time"]) == (2, 1)
    assert a2["acceptance_on_time_rate"] == 0.5
    # A003: C4 in time; C12 open past its handling deadline, C14 in time.
    assert a3["acceptance_on_time_rate"] == 1.0
    assert (a3["handling_owed"], a3["replies_on_time"], a3["handling_overdue_open"]) == (2, 1, 1)
    assert a3["handling_on_time_rate"] == 0.5
    first = s["by_group"]["第一党小组"]  # A001, A002: C1 C2 C3 C5 C9 C10 / C5 C9
    assert first["acceptance_on_time_rate"] == pytest.approx(4 / 6)
    assert first["handling_on_time_rate"] == 0.0
    assert s["by_group"]["第二党小组"]["handling_on_time_rate"] == 0.5


def test_a_deadline_still_to_come_is_owed_nothing(owed: dict[str, Any]) -> None:
    """November and December read on 12-01: C15 (due 12-07) and C13 (due 12-09) are open but
    their deadlines have not passed; C7's reply counts in December, when its deadline falls."""
    engine, rt = owed["engine"], owed["rt"]
    period = counting.Period(date(2026, 11, 1), date(2026, 12, 31))
    with engine.begin() as conn:
        s = stats.office_stats(conn, rt, period=period, now=READ_AT)
    assert s["acceptance_owed"] == 7 and s["acceptance_overdue_open"] == 1
    assert (s["handling_owed"], s["replies_on_time"]) == (5, 2)  # and C7, replied in time
    # Read on 12-08, C15 has passed its deadline and counts against the rate; C13 has not.
    with engine.begin() as conn:
        later = stats.office_stats(conn, rt, period=period, now=at("2026-12-08 10:00"))
    assert later["acceptance_owed"] == 8 and later["acceptance_overdue_open"] == 2
    assert later["acceptance_on_time_rate"] == pytest.approx(5 / 8)


def test_the_cases_overdue_now_by_owner_and_group(owed: dict[str, Any]) -> None:
    s, n = owed["stats"], owed["numbers"]
    # Overdue on 12-01 (workflow.standing, as the desk): C2 (tracking since 11-19), C10
    # (acceptance), C12 (handling), C13 (tracking, never noted), C15 (tracking, 11-27).
    expected = sorted(n[k] for k in ("c2", "c10", "c12", "c13", "c15"))
    assert s["open_overdue_cases"] == expected and s["open_overdue"] == 5
    owner = s["by_owner"]
    assert owner["A001"]["open_overdue_cases"] == [n["c2"]]
    assert sorted(owner["A002"]["open_overdue_cases"]) == sorted([n["c10"], n["c15"]])
    assert sorted(owner["A003"]["open_overdue_cases"]) == sorted([n["c12"], n["c13"]])
    assert s["by_group"]["第一党小组"]["open_overdue"] == 3
    assert s["by_group"]["第二党小组"]["open_overdue"] == 2


def test_the_migration_fills_the_due_dates_from_the_clocks(owed: dict[str, Any]) -> None:
    engine, rt = owed["engine"], owed["rt"]
    with engine.begin() as conn:
        conn.execute(update(tables.case_t).values(acceptance_due=None, handling_due=None))
    assert november(engine, rt)["acceptance_owed"] == 0
    with engine.begin() as conn:
        migration("0006_due_dates.py").backfill(conn)
    assert november(engine, rt) == owed["stats"]


def test_changes_are_judged_by_each_measures_direction() -> None:
    assert measures.trend("repeat_rate", 0.034) == "bad"
    assert measures.trend("skip_level_rate", 0.30) == "bad"
    assert measures.trend("skip_level_rate", -0.1) == "good"
    assert measures.trend("acceptance_on_time_rate", 0.05) == "good"
    assert measures.trend("satisfaction_rate", -0.05) == "bad"
    assert measures.trend("handling_on_time_rate", 0.0) == "flat"
    assert measures.trend("repeat_rate", None) is None
    assert measures.trend("intakes", 3) is None  # a count is neither good nor bad


def test_the_page_colours_arrows_by_the_measure(web: dict[str, Any]) -> None:
    from tests.web import sign_in

    c = web["c"]
    sign_in(c, "B001")
    html = c.get("/reports?from=2026-11-01&to=2026-11-30").text
    # November against October: 重复访率 and 越级访率 rose (bad, red), 按期受理率 fell (bad).
    assert html.count('class="trend bad" data-trend="bad">↑') >= 2
    assert 'class="trend bad" data-trend="bad">↓' in html
    assert 'data-trend="good">↑' not in html.split("重复访率")[1].split("</div>")[0]
