"""Steps of statistics.feature: the office statistics read at an instant, in the office's words
(each measure by its Chinese name, rates as the exports write them: 「50.0%」, 「—」 for none)."""

from datetime import date, datetime
from typing import Any

import pytest
from pytest_bdd import parsers, then, when

from cases.reports import counting, stats
from cases.reports.counting import MEASURE_LABELS
from cases.reports.exports import percent
from features.conftest import WHEN, WHO, World

BY_LABEL = {label: key for key, label in MEASURE_LABELS.items()}


def _at(text: str) -> datetime:
    from conftest import at

    return at(text)


def _shown(key: str, value: Any) -> str:
    """A figure as the office reads it: a rate as a percentage, 「—」 when nothing was counted."""
    if key.endswith("_rate"):
        return percent(value) or "—"
    return str(value)


@pytest.fixture
def figures() -> dict[str, Any]:
    """The statistics the scenario read."""
    return {}


@when(
    parsers.re(rf"于 {WHEN} 统计 \"(?P<first>[0-9-]{{10}})\" 至 \"(?P<last>[0-9-]{{10}})\""),
    converters={"when": _at, "first": date.fromisoformat, "last": date.fromisoformat},
)
def read_statistics(
    world: World, figures: dict[str, Any], when: datetime, first: date, last: date
) -> None:
    """The office statistics of the period, as of ``when``."""
    with world.engine.begin() as conn:
        figures.update(
            stats.office_stats(conn, world.rt, period=counting.Period(first, last), now=when)
        )


@then("统计结果为：")
def statistics_are(figures: dict[str, Any], datatable: list[list[str]]) -> None:
    """| 指标 | 值 | rows, each measure by its Chinese name."""
    for label, expected in datatable[1:]:
        key = BY_LABEL[label]
        assert _shown(key, figures[key]) == expected, label


@then(parsers.re(rf"首接责任人 {WHO} 的按期受理率为 \"(?P<rate>[^\"]+)\""))
def owner_rate(figures: dict[str, Any], who: str, rate: str) -> None:
    """One owner's 按期受理率 in the breakdown by owner."""
    row = figures["by_owner"][who]
    assert _shown("acceptance_on_time_rate", row["acceptance_on_time_rate"]) == rate
