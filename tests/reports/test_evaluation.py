"""群众评价 on the staff wall: the statistics' counts and 满意率 per owner over the last 12 months,
the rate shown only over the minimum number of ratings."""

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from cases.casework import actions
from cases.organisation import wall
from cases.reports.counting import Period
from cases.reports.evaluation import last_months, public_evaluations
from cases.reports.stats import office_stats
from cases.runtime import Runtime
from conftest import TZ, at
from tests.factories import case_in_state, make_office

NOW = at("2026-11-26 10:00")


def rate(engine: Engine, rt: Runtime, case_no: str, rating: str, now: object) -> None:
    """The petitioner rates the case."""
    with engine.begin() as conn:
        actions.act(
            conn,
            rt,
            case_no=case_no,
            action="record_evaluation",
            actor_staff_no="G001",
            payload={"rating": rating},
            now=now,  # type: ignore[arg-type]
        )


@pytest.fixture
def rated(engine: Engine, rt: Runtime) -> Engine:
    """A001 owns five cases, four replied and rated in the last 12 months (满意, 基本满意, 满意,
    不满意) and one rated 13 months ago; A002 owns one open case; 张敏's 工号 is A001."""
    make_office(engine, NOW)
    for rating in ("satisfied", "basically_satisfied", "satisfied", "dissatisfied"):
        rate(engine, rt, case_in_state(engine, rt, "replied", NOW), rating, NOW)
    old = NOW - timedelta(days=400)
    rate(engine, rt, case_in_state(engine, rt, "replied", old), "satisfied", old)
    case_in_state(engine, rt, "accepted", NOW, owner="A002")
    return engine


def test_the_last_twelve_months_end_today() -> None:
    assert last_months(date(2026, 11, 26)) == Period(date(2025, 11, 27), date(2026, 11, 26))
    assert last_months(date(2028, 2, 29)) == Period(date(2027, 3, 1), date(2028, 2, 29))
    assert last_months(date(2026, 1, 5)) == Period(date(2025, 1, 6), date(2026, 1, 5))


def test_a_member_shows_a_rate_only_over_the_minimum_number_of_ratings(
    rated: Engine, rt: Runtime
) -> None:
    with rated.connect() as conn:
        people = {p["staff_no"]: p for p in wall.staff_wall(conn, tz=TZ, now=NOW, minimum=5)}
        four = {p["staff_no"]: p for p in wall.staff_wall(conn, tz=TZ, now=NOW, minimum=4)}
    a001 = people["A001"]["evaluation"]
    # The case rated 13 months ago is outside the window: four cases, four ratings.
    assert (a001.owned, a001.replied, a001.rated, a001.satisfied) == (4, 4, 4, 3)
    assert a001.rate is None and a001.text == "评价不足5件"
    assert four["A001"]["evaluation"].rate == 0.75
    assert four["A001"]["evaluation"].text == "满意率 75%（4件评价）"
    a002 = people["A002"]["evaluation"]
    assert (a002.owned, a002.replied, a002.rated) == (1, 0, 0)
    # A member who owns nothing still has an evaluation: nothing counted, no rate.
    assert people["A003"]["evaluation"].text == "评价不足5件"


def test_the_wall_rate_is_the_statistics_rate(rated: Engine, rt: Runtime) -> None:
    with rated.connect() as conn:
        stats = office_stats(conn, rt, period=last_months(date(2026, 11, 26)), now=NOW)
        evaluation = public_evaluations(conn, TZ, now=NOW, minimum=1)
    owner = stats["by_owner"]["A001"]
    [mine] = [e for e in evaluation.values() if e.owned == 4]
    assert mine.rate == owner["satisfaction_rate"] == 0.75
    assert (mine.rated, mine.satisfied, mine.replied) == (
        owner["rated"],
        owner["satisfied"],
        owner["replies"],
    )
