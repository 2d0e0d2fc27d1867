"""The scenario format and the scoring rules, without a database."""

from datetime import UTC, datetime, timedelta

import pytest

from workflow.errors import InvalidInput
from workflow.intake import validate_id_number
from workflow.training.scenario import identity_number, parse
from workflow.training.scoring import Trail, TrailCase, TrailClock, TrailEvent, grade, score

T0 = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)

SCENARIO = {
    "title": "测试情境",
    "summary": "一句话",
    "opening": "信访人来访",
    "petitioner": {"name": "甲"},
    "intake": {"channel": "visit"},
    "expect": [
        {
            "code": "reg",
            "check": "registered",
            "label": "登记",
            "article": "第十九条",
            "points": 40,
            "category": "appeal",
            "min_group_size": 6,
            "representatives": [1, 5],
        },
        {
            "code": "acc",
            "check": "on_time",
            "clock": "acceptance",
            "label": "按期受理",
            "article": "第二十二条",
            "points": 60,
        },
    ],
}


def _case(group_size: int, reps: int, stopped: datetime | None) -> TrailCase:
    return TrailCase(
        case_no="2026-000001",
        seeded=False,
        owner="JF03",
        registered_by="JF03",
        category="appeal",
        confidential=False,
        accused_unit=None,
        group_size=group_size,
        representatives=reps,
        events=(TrailEvent("intake", "JF03", T0),),
        clocks=(
            TrailClock(
                "acceptance", T0 + timedelta(days=15), "stopped" if stopped else "running", stopped
            ),
        ),
    )


def test_a_scenario_naming_an_unknown_check_is_refused() -> None:
    bad = {**SCENARIO, "expect": [{**SCENARIO["expect"][0], "check": "nonsense"}]}
    with pytest.raises(InvalidInput) as exc:
        parse("bad", bad)
    assert "nonsense" in exc.value.message


def test_identity_numbers_carry_a_valid_check_digit() -> None:
    for serial in (0, 7, 123, 999):
        number = identity_number("320102", "19700101", serial)
        assert validate_id_number(number) == number


def test_group_too_small_and_late_decision_lose_their_points() -> None:
    sc = parse("t", SCENARIO)
    late = T0 + timedelta(days=20)
    result = score(sc, Trail("JF03", T0, late, (_case(1, 0, late),)))
    assert [f.met for f in result.findings] == [False, False]
    assert "未按集体访登记（登记人数1人）" in result.findings[0].detail
    assert result.points == 0 and result.grade == "不合格"
    assert "第十九条" in result.debrief and "受理告知期限（2026-000001）超期" in result.debrief


def test_right_handling_scores_full_marks() -> None:
    sc = parse("t", SCENARIO)
    on_time = T0 + timedelta(days=3)
    result = score(sc, Trail("JF03", T0, on_time, (_case(6, 3, on_time),)))
    assert result.points == 100 and result.grade == "优秀"


@pytest.mark.parametrize(
    ("points", "expected"),
    [(100, "优秀"), (90, "优秀"), (89, "良好"), (75, "良好"), (60, "合格"), (59, "不合格")],
)
def test_grades(points: int, expected: str) -> None:
    assert grade(points, 100) == expected
