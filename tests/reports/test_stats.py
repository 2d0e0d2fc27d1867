"""The office statistics against a month worked out by hand (``tests/reports/month.py``): every
rate, every breakdown, the previous period, empty periods (null, never a division by zero), the
period's parsing, and migration 0005's backfill of the counted facts."""

import importlib.util
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import update

from cases import text
from cases.db import MIGRATIONS
from cases.reports import counting, stats
from cases.store import tables
from tests.reports.month import CONTRACT_KEYS, RATE_KEYS, READ_AT, november
from workflow.errors import InvalidInput


def test_overall_rates_as_worked_out_by_hand(month: dict[str, Any]) -> None:
    s = month["stats"]
    assert (s["from"], s["to"], s["days"]) == ("2026-11-01", "2026-11-30", 30)
    assert s["intakes"] == 7
    # 6 decisions (C1 C2 C3 C4 C5 C9; C6's withdrawal is none), all due in November, C2's late.
    assert s["acceptance_decisions"] == 6
    assert (s["acceptance_owed"], s["acceptance_on_time"]) == (6, 5)
    assert s["acceptance_overdue_open"] == 0
    assert s["acceptance_on_time_rate"] == pytest.approx(5 / 6)
    # 4 replies made in November (C1 C4 C5 C9); of their deadlines only C5's (report-back date
    # 11-10) and C9's (the partner's 15 days, 11-17) fall in November, both missed. C1's and
    # C4's handling deadlines fall in January: not owed in November.
    assert s["replies"] == 4
    assert (s["handling_owed"], s["replies_on_time"], s["handling_overdue_open"]) == (2, 0, 0)
    assert s["handling_on_time_rate"] == 0.0
    # Ratings recorded in November: C7 C1 C5 satisfied or basically, C4 not.
    assert (s["rated"], s["satisfied"]) == (4, 3)
    assert s["satisfaction_rate"] == pytest.approx(0.75)
    # Of November's 4 replies, C1 C4 C5 are rated.
    assert s["replies_rated"] == 3 and s["rating_rate"] == pytest.approx(0.75)
    # Received: 7 new cases and C1's repeat contact. Repeats: C3 (linked) and the contact.
    assert (s["repeat_contacts"], s["receptions"]) == (1, 8)
    assert (s["repeat_petitions"], s["repeat_rate"]) == (2, pytest.approx(2 / 8))
    # Visits: six new cases and the contact; skip-level: C4 and the contact (C3 is a letter).
    assert (s["visits"], s["skip_level_visits"]) == (7, 2)
    assert s["skip_level_rate"] == pytest.approx(2 / 7)
    assert (s["group_visits"], s["group_visit_people"]) == (1, 3)
    # Notes that stopped a tracking clock: C1 (in time), C2 (late), C9 (in time).
    assert (s["tracking_notes"], s["tracking_notes_on_time"]) == (3, 2)
    assert s["tracking_on_time_rate"] == pytest.approx(2 / 3)
    assert s["on_time_rate"] == pytest.approx(5 / 8)


def test_previous_period_and_change(month: dict[str, Any]) -> None:
    s = month["stats"]
    p = s["previous"]
    assert (p["from"], p["to"]) == ("2026-10-02", "2026-10-31")
    assert p["intakes"] == 1 and p["acceptance_on_time_rate"] == 1.0
    assert p["handling_on_time_rate"] is None  # C7's handling deadline falls on 12-11
    # C7, replied in October, was rated (in November): the cohort counts it.
    assert p["rating_rate"] == 1.0
    assert p["satisfaction_rate"] is None  # no rating recorded in October
    assert p["repeat_rate"] == 0.0 and p["skip_level_rate"] == 0.0
    assert s["change"]["intakes_change"] == 6
    assert s["change"]["acceptance_on_time_rate_change"] == pytest.approx(5 / 6 - 1)
    assert s["change"]["satisfaction_rate_change"] is None


def test_breakdowns(month: dict[str, Any]) -> None:
    s = month["stats"]
    cat = s["by_category"]
    assert list(cat) == ["appeal", "accusation", "suggestion"]
    assert cat["appeal"]["label"] == "申诉求决类" and cat["appeal"]["intakes"] == 5
    assert cat["appeal"]["previous_intakes"] == 1
    accusation = cat["accusation"]
    assert accusation["acceptance_on_time_rate"] == 1.0
    assert accusation["handling_on_time_rate"] is None  # C4's partner's deadline: January
    assert accusation["satisfaction_rate"] == 0.0
    assert "tracking_on_time_rate" not in accusation  # counted per staff member only
    ch = s["by_channel"]
    assert (ch["visit"]["intakes"], ch["letter"]["intakes"]) == (6, 1)
    assert ch["letter"]["label"] == "来信" and ch["letter"]["repeat_rate"] == 1.0
    assert ch["letter"]["skip_level_rate"] is None  # no visit by letter
    assert ch["visit"]["skip_level_rate"] == pytest.approx(2 / 7)
    assert ch["visit"]["repeat_rate"] == pytest.approx(1 / 7)  # the contact among 7 receptions
    region = s["by_region"]
    assert region["320102"]["intakes"] == 5 and region["320102"]["previous_intakes"] == 1
    assert region["320106"]["group_visit_people"] == 3

    owner = s["by_owner"]
    a1 = owner["A001"]
    assert (a1["name"], a1["group"], a1["cases_owned"]) == ("张敏", "第一党小组", 5)
    assert a1["acceptance_on_time_rate"] == pytest.approx(3 / 4)
    assert a1["handling_on_time_rate"] == 0.0
    assert a1["on_time_rate"] == pytest.approx(3 / 6)
    assert a1["satisfaction_rate"] == 1.0  # C1, C5, C7
    assert a1["tracking_on_time_rate"] == pytest.approx(1 / 2)
    assert owner["A002"]["handling_on_time_rate"] is None
    assert owner["A002"]["tracking_on_time_rate"] is None
    assert owner["A003"]["satisfaction_rate"] == 0.0
    assert owner["G001"]["cases_owned"] == 0
    assert owner["G001"]["tracking_notes"] == 1 and owner["G001"]["tracking_on_time_rate"] == 1.0
    group = s["by_group"]
    assert group["第一党小组"]["intakes"] == 6 and group["第二党小组"]["intakes"] == 1
    assert group["第一党小组"]["tracking_on_time_rate"] == pytest.approx(2 / 3)


def test_hotspots_rise_period_over_period(month: dict[str, Any]) -> None:
    h = month["stats"]["hotspots"]
    top = {t["keyword"]: t for t in h["topics"]}
    assert top["征地拆迁"]["count"] == 5 and top["征地拆迁"]["previous"] == 0
    assert "拖欠工资" not in top  # October's topic fell
    assert h["regions"][0]["region_code"] == "320102" and h["regions"][0]["change"] == 4


def test_regions_are_named_from_the_list_of_regions(month: dict[str, Any]) -> None:
    s = november(month["engine"], month["rt"])
    assert s["by_region"]["320102"]["label"] == "南京市玄武区（320102）"
    assert s["by_region"]["320106"]["label"] == "南京市鼓楼区（320106）"
    assert s["hotspots"]["regions"][0]["label"] == "南京市玄武区（320102）"


def test_keywords_leave_out_names_and_places() -> None:
    assert text.topic_words("玄武区王建国反映拆迁补偿款未发放") == ("征地拆迁", "补偿款")


def test_an_empty_period_counts_nothing_and_divides_by_nothing(month: dict[str, Any]) -> None:
    with month["engine"].begin() as conn:
        s = stats.office_stats(
            conn,
            month["rt"],
            period=counting.Period(date(2020, 1, 1), date(2020, 1, 31)),
            now=READ_AT,
        )
    assert s["intakes"] == 0 and s["group_visits"] == 0
    for key in [*RATE_KEYS, "tracking_on_time_rate", "on_time_rate"]:
        assert s[key] is None, key
        assert s["previous"][key] is None
        assert s["change"][f"{key}_change"] is None
    assert s["by_category"] == {}
    # Owners with a case overdue now have a row, with nothing counted in the period.
    assert all(o["intakes"] == 0 and o["open_overdue"] for o in s["by_owner"].values())
    assert s["hotspots"] == {"topics": [], "regions": []}
    json.dumps(s, allow_nan=False)


def test_replies_without_intakes_in_the_period(month: dict[str, Any]) -> None:
    """A late November week: replies but no intakes; only what was counted has a rate."""
    with month["engine"].begin() as conn:
        s = stats.office_stats(
            conn,
            month["rt"],
            period=counting.Period(date(2026, 11, 20), date(2026, 11, 30)),
            now=READ_AT,
        )
    assert s["intakes"] == 0 and s["repeat_rate"] is None
    # Three replies were made, but no handling deadline falls in these days.
    assert s["replies"] == 3 and s["handling_on_time_rate"] is None
    # C2's late decision was made in them; C5's deadline (11-20) falls in them, met.
    assert s["acceptance_decisions"] == 1 and s["acceptance_on_time_rate"] == 1.0


def test_period_parsing() -> None:
    today = date(2026, 11, 26)
    assert counting.parse_period(None, None, today=today) == counting.Period(
        date(2026, 8, 29), date(2026, 11, 26)
    )
    assert counting.Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == counting.Period(
        date(2026, 1, 29), date(2026, 2, 28)
    )
    for bad in (("2026-13-01", "2026-12-01"), ("2026-12-02", "2026-12-01"), ("2000-01-01", None)):
        with pytest.raises(InvalidInput):
            counting.parse_period(*bad, today=today)


def test_rates_are_in_range_or_null(month: dict[str, Any]) -> None:
    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("_rate"):
                    assert item is None or 0.0 <= item <= 1.0, key
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(month["stats"])
    for key in CONTRACT_KEYS:
        assert key in month["stats"]


def test_the_migration_fills_the_counted_facts_of_earlier_steps(month: dict[str, Any]) -> None:
    """Migration 0005 fills, for steps taken before the columns existed, what each step now
    writes itself: the statistics come out the same."""
    engine = month["engine"]
    case_t, event_t = tables.case_t, tables.event_t
    with engine.begin() as conn:
        conn.execute(
            update(case_t).values(
                decided_at=None, decided_on_time=None, replied_at=None, replied_on_time=None
            )
        )
        conn.execute(update(event_t).values(on_time=None))
    assert november(engine, month["rt"])["acceptance_decisions"] == 0
    with engine.begin() as conn:
        migration("0005_report_facts.py").backfill(conn)
    assert november(engine, month["rt"]) == month["stats"]


def migration(filename: str) -> Any:
    """A revision as Alembic loads it: from its file (revisions are not a package to import)."""
    path = MIGRATIONS / "versions" / filename
    spec = importlib.util.spec_from_file_location(f"revision_{filename[:4]}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
