"""Steps of regions.feature: region codes checked against the list of regions, named with their
codes, amended by the office; and the hot topics of the statistics."""

from datetime import date, datetime, timedelta
from typing import Any

from pytest_bdd import given, parsers, then, when

from cases.repeat import jurisdiction
from cases.reports import counting, stats
from conftest import at
from features.conftest import WHEN, WHO, World
from workflow.errors import DomainError

WHEN_AT = {"when": at}


@when(
    parsers.re(rf"接访员 {WHO} 于 {WHEN} 试图登记行政区划为 \"(?P<region>\d{{6}})\" 的来访事项"),
    converters=WHEN_AT,
)
def tries_region(world: World, who: str, when: datetime, region: str) -> None:
    world.counts_before = world.counts()
    world.error = None
    try:
        world.intake(who, when, region_code=region)
    except DomainError as exc:
        world.error = exc


@given(parsers.re(r"本机关增补行政区划 \"(?P<code>\d{6})\" \"(?P<name>[^\"]+)\""))
def amends(world: World, code: str, name: str) -> None:
    with world.engine.begin() as conn:
        level, region, _ = jurisdiction.office_jurisdiction(conn)
        jurisdiction.configure_office(
            conn, level=level, region_code=region, amendments={code: name}
        )
    world.rt.invalidate_regions()


@then(parsers.re(r"该信访事项的行政区划为 \"(?P<label>[^\"]+)\""))
def region_shown(world: World, repeat_state: dict[str, Any], label: str) -> None:
    """The label every page, export and PDF shows (``Regions.label``, the office's list)."""
    case = repeat_state["new"]
    with world.engine.connect() as conn:
        assert world.rt.regions(conn).label(case["region_code"]) == label


@given(parsers.re(rf"接访员 {WHO} 于 \"(?P<month>\d{{4}}-\d{{2}})\" 登记了下列信访事项："))
def registers_month(world: World, who: str, month: str, datatable: list[list[str]]) -> None:
    """Each subject as many times as the table says, on successive working hours of the month."""
    first = at(f"{month}-01 09:00")
    n = 0
    for subject, count in datatable[1:]:
        for _ in range(int(count)):
            world.intake(who, first + timedelta(hours=n), subject=subject)
            n += 1


def _topics(world: World, first: date, last: date) -> list[dict[str, Any]]:
    with world.engine.connect() as conn:
        data = stats.office_stats(
            conn, world.rt, period=counting.Period(first, last), now=world.now
        )
    return data["hotspots"]["topics"]


@then(
    parsers.re(
        r"\"(?P<first>[0-9-]{10})\" 至 \"(?P<last>[0-9-]{10})\" 上升最多的热点为 "
        r"\"(?P<topic>[^\"]+)\"，本期 (?P<now>\d+) 件，上期 (?P<before>\d+) 件"
    ),
    converters={"first": date.fromisoformat, "last": date.fromisoformat, "now": int, "before": int},
)
def top_topic(world: World, first: date, last: date, topic: str, now: int, before: int) -> None:
    topics = _topics(world, first, last)
    world.before = {"topics": topics}
    assert topics, "没有上升的热点"
    assert (topics[0]["keyword"], topics[0]["count"], topics[0]["previous"]) == (
        topic,
        now,
        before,
    ), topics


@then(parsers.re(r"上升的热点中没有：(?P<words>.+)"))
def no_generic_topics(world: World, words: str) -> None:
    assert world.before is not None
    shown = {t["keyword"] for t in world.before["topics"]}
    assert not shown & set(words.split("、")), shown
