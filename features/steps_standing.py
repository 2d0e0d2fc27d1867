"""Steps of standing.feature: where a case stands, as the desk, the queue, the daily briefing and
the case page show it, in the office's words. The shared steps (the office, the case, its actions)
are those of features/conftest.py; what the screens showed is kept in ``screens``.
"""

from datetime import datetime
from typing import Any

import pytest
from pytest_bdd import parsers, then, when

from cases.casework import desk
from cases.reports.briefing import briefing
from cases.supervision import queue
from features.conftest import CLOCK, CLOCKS, LEVELS, WHEN, World

WHEN_AT = {"when": lambda text: _at(text)}
LEVEL = r"「(?P<level>[^「」]+)」"
TEXT = r'"(?P<text>[^"]+)"'
NO_LEVEL = "无"


def _at(text: str) -> datetime:
    from conftest import at

    return at(text)


def _level(name: str) -> str | None:
    return None if name == NO_LEVEL else LEVELS[name]


@pytest.fixture
def screens() -> dict[str, Any]:
    """What each screen showed when the scenario looked."""
    return {}


@then(parsers.re(rf"于 {WHEN}，{CLOCK}显示 {TEXT}，层级为{LEVEL}"), converters=WHEN_AT)
def clock_shows(world: World, when: datetime, clock: str, text: str, level: str) -> None:
    world.now = when
    shown = world.clock(clock)
    assert (shown["remaining_text"], shown["level"]) == (text, _level(level))


@when(parsers.re(rf"于 {WHEN} 查看各页面"), converters=WHEN_AT)
def looks(world: World, screens: dict[str, Any], when: datetime) -> None:
    world.now = when
    owner = world.show()["owner"]["staff_no"]
    with world.engine.begin() as conn:
        screens["desk"] = desk.desk(conn, world.rt, staff_no=owner, role="receptionist", now=when)
        screens["queue"], screens["counts"] = queue.queue_items(
            conn, world.rt, now=when, status="active"
        )
        screens["briefing"] = briefing(conn, world.rt, when)
    screens["case"] = world.show()


@then(parsers.re(r"首接责任人的工作台「已超期」为 (?P<n>\d+) 件"), converters={"n": int})
def desk_overdue_count(screens: dict[str, Any], n: int) -> None:
    assert screens["desk"]["counts"]["overdue"] == len(screens["desk"]["overdue"]) == n


@then(parsers.re(rf"首接责任人的工作台「已超期」列有该信访事项，显示 {TEXT}"))
def desk_overdue_shows(world: World, screens: dict[str, Any], text: str) -> None:
    (item,) = [i for i in screens["desk"]["overdue"] if i["case"]["case_no"] == world.case_no]
    assert item["standing"]["text"] == text


@then(parsers.re(rf"督办队列中该信访事项为一行，层级为{LEVEL}，显示 {TEXT}"))
def queue_row(world: World, screens: dict[str, Any], level: str, text: str) -> None:
    (row,) = [r for r in screens["queue"] if r["case_no"] == world.case_no]
    assert (row["level"], row["text"]) == (_level(level), text)
    assert screens["counts"][row["level"]] == 1


@then("督办队列中没有该信访事项")
def not_queued(world: World, screens: dict[str, Any]) -> None:
    assert world.case_no not in {r["case_no"] for r in screens["queue"]}


@then(parsers.re(rf"每日例会中首接责任人的「已超期」列有该信访事项，显示 {TEXT}"))
def briefed_overdue(world: World, screens: dict[str, Any], text: str) -> None:
    owner = screens["case"]["owner"]["staff_no"]
    (mine,) = [o for o in screens["briefing"]["owners"] if o["staff_no"] == owner]
    (item,) = [i for i in mine["overdue"] if i["case_no"] == world.case_no]
    assert item["text"] == text


@then(parsers.re(r"每日例会中首接责任人没有已超期的事项"))
def briefed_nothing_overdue(screens: dict[str, Any]) -> None:
    assert all(not o["overdue"] for o in screens["briefing"]["owners"])


@then(parsers.re(rf"信访事项页面上{CLOCK}显示 {TEXT}(?P<apart>，不计入该信访事项的状态)?"))
def case_page_clock(screens: dict[str, Any], clock: str, text: str, apart: str | None) -> None:
    (shown,) = [
        c
        for c in screens["case"]["clocks"]
        if c["name"] == CLOCKS[clock] and c["status"] in ("running", "paused")
    ]
    assert shown["remaining_text"] == text
    assert shown["counted"] is not bool(apart)
    if apart:
        assert shown["level"] is None
