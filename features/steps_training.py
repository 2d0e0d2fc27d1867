"""Steps of training.feature: a scripted trainee in the training office, and the score it gets.

The hand-worked scores: litigation done right meets every expectation (100). The group visit
registered as one person and accepted 45 days after arrival meets only 「及时受理」 (15) and the
owner (10): 25, 不合格.
"""

from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import Engine

from cases.demo import organisation
from cases.runtime import Runtime
from cases.training import office
from tests.training.scripts import REAL_NOW, Trainee
from tests.web import password_hash

CATEGORIES = {"建议意见类": "suggestion", "检举控告类": "accusation", "申诉求决类": "appeal"}
REASONS = {
    "诉讼": "litigation",
    "仲裁": "arbitration",
    "行政复议": "administrative_reconsideration",
}


class Drill:
    """One scenario's run and its score."""

    trainee: Trainee
    result: dict[str, Any]


@pytest.fixture
def drill(engine: Engine, rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> Drill:
    """A training office on the scenario's database (cheap password hashes)."""
    monkeypatch.setattr(organisation, "hash_password", lambda _p: password_hash())
    office.prepare(engine, None, now=REAL_NOW)
    d = Drill()
    d.engine, d.rt = engine, rt  # type: ignore[attr-defined]
    return d


@given(parsers.parse('受训人"{staff_no}"开始"{name}"演练'))
def start(drill: Drill, staff_no: str, name: str) -> None:
    drill.trainee = Trainee(drill.engine, drill.rt, name, trainee=staff_no)  # type: ignore[attr-defined]


@when(parsers.parse('受训人按信访人陈述登记为"{category}"'))
def register(drill: Drill, category: str) -> None:
    drill.trainee.register(category=CATEGORIES[category])


@when(parsers.parse('受训人按信访人陈述登记为"{category}"，只登记一人'))
def register_one(drill: Drill, category: str) -> None:
    drill.trainee.register(category=CATEGORIES[category])


@when("演练展开下一段情节")
def next_turn(drill: Drill) -> None:
    drill.trainee.next_turn()


@when(parsers.parse('督办"{staff_no}"以"{reason}"为由不予受理'))
def reject(drill: Drill, staff_no: str, reason: str) -> None:
    drill.trainee.act("reject", {"reason_code": REASONS[reason]}, by=staff_no)


@when("受训人受理")
def accept(drill: Drill) -> None:
    drill.trainee.act("accept")


@when("结束演练并评分")
def finish(drill: Drill) -> None:
    drill.result = drill.trainee.finish()


@then(parsers.parse('得分为{points:d}分，评定为"{grade}"'))
def scored(drill: Drill, points: int, grade: str) -> None:
    assert (drill.result["points"], drill.result["grade"]) == (points, grade)


def _finding(drill: Drill, label: str) -> dict[str, Any]:
    return next(f for f in drill.result["findings"] if f["label"] == label)


@then(parsers.parse('"{label}"做到'))
def met(drill: Drill, label: str) -> None:
    assert _finding(drill, label)["met"]


@then(parsers.parse('"{label}"未做到'))
def missed(drill: Drill, label: str) -> None:
    assert not _finding(drill, label)["met"]


@then(parsers.parse('讲评写明"{text}"'))
def debrief_says(drill: Drill, text: str) -> None:
    assert text in drill.result["debrief"]


@then(parsers.parse("{label}超期"))
def deadline_missed(drill: Drill, label: str) -> None:
    assert any(d["label"] == label and d["status"] == "missed" for d in drill.result["deadlines"])
