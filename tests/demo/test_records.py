"""The demo's data files: what they say, the relative dates they may use, the keys they refuse."""

from datetime import date
from pathlib import Path

import pytest

from cases.demo.records import (
    CASES,
    DATA_DIR,
    OFFICE,
    STAFF,
    DaysAfter,
    InDays,
    Person,
    Step,
    read_cases,
    read_office,
)
from workflow import regions
from workflow.lifecycle import ACTIONS, CATEGORY_LABELS, CHANNEL_LABELS, STAFF_ROLES

CASE = """
[[case]]
key = "Z1"
owner = "JF03"
channel = "visit"
category = "appeal"
region = "320115"
intake = { days_ago = 9, at = "09:20" }
petitioner = { name = "王建国", sex = "male", born = 1962 }
street = "秣陵街道将军大道218号"
subject = "征地拆迁补偿款未足额发放"
content = "补偿款至今未发放。"
requests = "请求足额发放补偿款。"

[[case.step]]
days_ago = 8
at = "10:00"
action = "transfer"
by = "JF03"
organ = "南京市江宁区人民政府"
"""


def test_the_files_read_into_records() -> None:
    assert (OFFICE.name, OFFICE.level, OFFICE.region_code) == (
        "省信访局接访处",
        "province",
        "320000",
    )
    assert list(OFFICE.groups) == ["第一党小组", "第二党小组", "第三党小组"]
    assert [s.staff_no for s in STAFF[:2]] == ["JF01", "JF02"]
    assert [s.staff_no for s in STAFF if not s.party_member] == ["AD01", "SJ01"]
    assert {s.role for s in STAFF} <= set(STAFF_ROLES)

    by_key = {c.key: c for c in CASES}
    assert len(by_key) == len(CASES) == 40
    a1 = by_key["A1"]
    assert (a1.group_size, len(a1.representatives)) == (36, 5)
    assert a1.representatives[2] == Person(name="朱阿珍", female=True, born=1963)
    assert a1.intake == Step(days_ago=20, at="09:05", action="intake", by="JF11")
    assert a1.script[1] == Step(days_ago=19, at="16:00", action="accept", by="JF11")
    assert by_key["A2"].handled_below is False
    assert by_key["T2"].accused == {"name": "刘国栋", "unit": "秦淮区某街道社区居委会"}
    assert by_key["S1"].steps[0].payload == {"organ": "淮安市人民政府", "report_by": InDays(20)}
    assert by_key["T1"].steps[1].payload == {"accepted_on": DaysAfter("transfer", 3)}
    # Every case speaks the lifecycle's words, and its people are the office's.
    staff_nos = {s.staff_no for s in STAFF}
    for case in CASES:
        assert case.channel in CHANNEL_LABELS and case.category in CATEGORY_LABELS, case.key
        assert regions.bundled().accepts(case.region), case.key
        for step in case.script:
            assert step.action in {"intake", "repeat_contact", *ACTIONS}, (case.key, step.action)
            assert step.by in staff_nos, (case.key, step.by)


def test_relative_dates_count_from_the_step_or_an_earlier_one() -> None:
    today = date(2026, 11, 20)
    transferred = {"transfer": date(2026, 11, 10)}
    assert InDays(20).on(today, {}) == date(2026, 12, 10)
    assert DaysAfter("transfer", 3).on(today, transferred) == date(2026, 11, 13)
    # The partner cannot have accepted after the office recorded it.
    assert DaysAfter("transfer", 30).on(today, transferred) == today
    step = Step(
        days_ago=1,
        at="10:00",
        action="assign",
        by="JF06",
        payload={"organ": "淮安市人民政府", "report_by": InDays(20)},
    )
    assert step.resolved(today, {}) == {"organ": "淮安市人民政府", "report_by": "2026-12-10"}


def test_a_cases_file_reads_its_steps(tmp_path: Path) -> None:
    path = tmp_path / "cases.toml"
    path.write_text(CASE, encoding="utf-8")
    (case,) = read_cases(path)
    assert case.script == (
        Step(days_ago=9, at="09:20", action="intake", by="JF03"),
        Step(
            days_ago=8,
            at="10:00",
            action="transfer",
            by="JF03",
            payload={"organ": "南京市江宁区人民政府"},
        ),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("street = ", "stret = "), r"missing \['street'\], unknown \['stret'\]"),
        (('sex = "male"', 'sex = "m"'), "sex is female or male"),
        (('at = "10:00"', 'at = "10h"'), "at is HH:MM"),
        (("organ = ", "report_by = { days = 3 }\norgan = "), "a date is"),
        (('action = "transfer"', 'actor = "transfer"'), r"step 1: missing \['action'\]"),
    ],
)
def test_a_cases_file_refuses_what_it_cannot_read(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "cases.toml"
    path.write_text(CASE.replace(*change, 1), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_cases(path)


def test_repeated_case_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "cases.toml"
    path.write_text(CASE + CASE, encoding="utf-8")
    with pytest.raises(ValueError, match="case keys repeat"):
        read_cases(path)


def test_an_office_file_refuses_unknown_keys(tmp_path: Path) -> None:
    text = (DATA_DIR / "office.toml").read_text(encoding="utf-8")
    path = tmp_path / "office.toml"
    path.write_text(text.replace('title = "处长"', 'titel = "处长"'), encoding="utf-8")
    with pytest.raises(ValueError, match=r"staff JF01: missing \['title'\], unknown \['titel'\]"):
        read_office(path)
