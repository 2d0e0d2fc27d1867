"""Steps of wall.feature: rated cases of one owner, and the staff wall's 群众评价 read at an
instant, in the words the wall shows."""

from datetime import datetime
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from cases.casework import actions
from cases.organisation import wall
from features.conftest import WHEN, WHO, World
from tests.factories import case_in_state
from workflow.lifecycle import RATINGS

BY_LABEL = {label: key for key, label in RATINGS.items()}


def _at(text: str) -> datetime:
    from conftest import at

    return at(text)


@pytest.fixture
def shown() -> dict[str, str]:
    """What the wall shows of each member, by 工号."""
    return {}


@given(
    parsers.re(rf"首接责任人 {WHO} 于 {WHEN} 答复的信访事项得到评价：(?P<ratings>.+)"),
    converters={"when": _at},
)
def rated_cases(world: World, who: str, when: datetime, ratings: str) -> None:
    """For each 「满意 3 件」 of ``ratings``, that many cases registered by ``who``, replied and
    rated so at ``when``."""
    for part in ratings.split("、"):
        label, count, _ = part.split()
        for _ in range(int(count)):
            case_no = case_in_state(world.engine, world.rt, "replied", when, owner=who)
            with world.engine.begin() as conn:
                actions.act(
                    conn,
                    world.rt,
                    case_no=case_no,
                    action="record_evaluation",
                    actor_staff_no=who,
                    payload={"rating": BY_LABEL[label]},
                    now=when,
                )


@when(
    parsers.re(rf"于 {WHEN} 查看党员公示，参评不少于 (?P<minimum>\d+) 件的显示满意率"),
    converters={"when": _at, "minimum": int},
)
def reads_wall(world: World, shown: dict[str, str], when: datetime, minimum: int) -> None:
    """The wall as of ``when``, with the minimum number of ratings set to ``minimum``."""
    with world.engine.begin() as conn:
        people: list[dict[str, Any]] = wall.staff_wall(
            conn, tz=world.rt.tz, now=when, minimum=minimum
        )
    for p in people:
        e = p["evaluation"]
        shown[p["staff_no"]] = f"首接{e.owned}件 · 办结{e.replied}件 · {e.text}"


@then(parsers.re(rf"{WHO} 的群众评价为 \"(?P<text>[^\"]+)\""))
def evaluation_is(shown: dict[str, str], who: str, text: str) -> None:
    """One member's 群众评价 as the wall words it."""
    assert shown[who] == text
