"""Steps of repeat.feature: the candidates look-up before saving, repeat contacts, skip-level and
group visits, in the office's words. The shared steps (the office, the case, refusals) are those of
features/conftest.py; what a scenario found or recorded here is kept in ``repeat_state``.
"""

from datetime import date, datetime
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import func, select

import cases.models  # noqa: F401  (registers the tables)
from cases.casework import reading
from cases.models import CaseContact, Outbox
from cases.repeat import candidates, contacts, jurisdiction, registration
from cases.reports import counting, stats
from cases.store import tables
from features.conftest import WHEN, WHO, World, table_fields
from tests.factories import intake_body
from workflow.intake import validate_intake
from workflow.lifecycle import CHANNEL_LABELS

WHEN_AT = {"when": lambda text: _at(text)}
LEVELS = {"国家级": "national", "省级": "province", "市级": "city", "县级": "county"}
FIELDS = {"标题": "subject", "内容": "content", "诉求": "requests"}


def _at(text: str) -> datetime:
    from conftest import at

    return at(text)


@pytest.fixture
def repeat_state() -> dict[str, Any]:
    """What a repeat scenario looked up, recorded or registered."""
    return {}


def _case_count(world: World) -> int:
    with world.engine.connect() as conn:
        return reading.case_count(conn)


@given(
    parsers.re(
        r"本机关为(?P<level>国家级|省级|市级|县级)信访工作机构，行政区划代码 \"(?P<region>\d{6})\""
    )
)
def office_is(world: World, level: str, region: str) -> None:
    """The office's level and area (属地管理、分级负责)."""
    with world.engine.begin() as conn:
        jurisdiction.configure_office(conn, level=LEVELS[level], region_code=region)


@when(
    parsers.re(rf"接访员 {WHO} 于 {WHEN} 为同一信访人登记前查找，事项写作："),
    converters=WHEN_AT,
)
def looks_up(
    world: World, repeat_state: dict[str, Any], who: str, when: datetime, datatable: list[list[str]]
) -> None:
    """The same petitioner (tests.factories) tells a matter; the candidates are found, not saved."""
    told = {FIELDS[k]: v for k, v in table_fields(datatable).items()}
    body = intake_body(**told)
    world.now = when
    repeat_state["body"] = body
    repeat_state["cases_before"] = _case_count(world)
    with world.engine.connect() as conn:
        repeat_state["found"] = candidates.find_for_intake(
            conn, world.rt, body=body, viewer_staff_no=who, now=when
        )
    assert _case_count(world) == repeat_state["cases_before"], "查找候选事项时不应保存任何内容"


@then("候选事项第一件为该信访事项，判定为疑似重复访")
def first_is_the_case(world: World, repeat_state: dict[str, Any]) -> None:
    found = repeat_state["found"]
    assert found, "没有找到候选事项"
    assert (found[0].case_no, found[0].likely_repeat) == (world.case_no, True)


@then("候选事项中有该信访事项，但没有疑似重复访")
def listed_not_repeat(world: World, repeat_state: dict[str, Any]) -> None:
    found = repeat_state["found"]
    assert world.case_no in [c.case_no for c in found]
    assert not any(c.likely_repeat for c in found)


@then(parsers.re(r"候选理由包含 \"(?P<text>[^\"]+)\""))
def reason_says(repeat_state: dict[str, Any], text: str) -> None:
    reasons = repeat_state["found"][0].reasons
    assert any(text in r for r in reasons), reasons


@when(parsers.re(rf"{WHO} 于 {WHEN} 确认是同一事项，记为重复访"), converters=WHEN_AT)
def confirms(world: World, repeat_state: dict[str, Any], who: str, when: datetime) -> None:
    world.now = when
    with world.engine.begin() as conn:
        repeat_state["contact"] = contacts.record_repeat(
            conn,
            world.rt,
            case_no=world.case_no,
            body=repeat_state["body"],
            actor_staff_no=who,
            now=when,
        )


@when(parsers.re(rf"{WHO} 于 {WHEN} 将其作为新的信访事项登记"), converters=WHEN_AT)
def registers_anew(world: World, repeat_state: dict[str, Any], who: str, when: datetime) -> None:
    world.now = when
    with world.engine.begin() as conn:
        repeat_state["new"] = registration.register(
            conn, world.rt, body=repeat_state["body"], actor_staff_no=who, now=when
        )


@then("没有新登记信访事项")
def nothing_new(world: World, repeat_state: dict[str, Any]) -> None:
    assert _case_count(world) == repeat_state["cases_before"]


@then(parsers.re(rf"新登记了 1 件信访事项，首接责任人为 {WHO}，不是重复访"))
def one_new(world: World, repeat_state: dict[str, Any], who: str) -> None:
    assert _case_count(world) == repeat_state["cases_before"] + 1
    new = repeat_state["new"]
    assert new["owner"]["staff_no"] == who and new["flags"]["repeat_of"] is None
    assert new["case_no"] != world.case_no


@then(parsers.re(rf"该信访事项有 (?P<n>\d+) 条重复访记录，记录人为 {WHO}"), converters={"n": int})
def contacts_recorded(world: World, n: int, who: str) -> None:
    ct = CaseContact.__table__
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(ct).where(ct.c.case_id == world.case_id(), ct.c.kind == "repeat")
        ).all()
    assert len(rows) == n and {r.actor_staff_no for r in rows} == {who}
    assert world.events()[-1]["action"] == "repeat_contact"


@then(parsers.re(rf"首接责任人 {WHO} 收到重复访通知"))
def owner_told(world: World, who: str) -> None:
    told = [
        o
        for o in world.outbox()
        if (o.recipient_staff_no, o.topic, o.case_no) == (who, "repeat_contact", world.case_no)
    ]
    assert len(told) == 1


@then(parsers.re(r"告知信访人 \"(?P<text>[^\"]+)\""))
def guidance_given(repeat_state: dict[str, Any], text: str) -> None:
    assert text in repeat_state["contact"]["guidance"], repeat_state["contact"]["guidance"]


@then("该重复访记为不予受理")
def refused(repeat_state: dict[str, Any]) -> None:
    assert repeat_state["contact"]["refused"] is True
    assert repeat_state["contact"]["contact"]["refused"] is True


# --- the statistics ------------------------------------------------------------------------------

MEASURES = {
    "受理量": "intakes",
    "接待登记": "receptions",
    "重复访": "repeat_petitions",
    "重复访率": "repeat_rate",
    "来访": "visits",
    "越级访": "skip_level_visits",
    "越级访率": "skip_level_rate",
}


@then(
    parsers.re(r"\"(?P<first>[0-9-]{10})\" 至 \"(?P<last>[0-9-]{10})\" 的统计为："),
    converters={"first": date.fromisoformat, "last": date.fromisoformat},
)
def statistics_are(
    world: World, repeat_state: dict[str, Any], first: date, last: date, datatable: list[list[str]]
) -> None:
    """The office statistics of the period (cases/reports/stats.py), measure by measure."""
    with world.engine.begin() as conn:
        figures = stats.office_stats(
            conn, world.rt, period=counting.Period(first, last), now=world.now
        )
    repeat_state["stats"] = figures
    for label, expected in datatable[1:]:  # | 指标 | 值 |
        value = figures[MEASURES[label]]
        if expected.endswith("%"):
            assert value is not None and round(value * 100, 1) == float(expected[:-1]), label
        else:
            assert value == int(expected), (label, value)


@then(
    parsers.re(
        rf"该统计期间首接责任人 {WHO} 名下重复访 (?P<n>\d+) 件，\"(?P<other>[^\"]+)\" 名下 (?P<m>\d+) 件"
    )
)
def repeats_by_owner(repeat_state: dict[str, Any], who: str, n: str, other: str, m: str) -> None:
    by_owner = repeat_state["stats"]["by_owner"]
    assert by_owner[who]["repeat_petitions"] == int(n)
    assert by_owner[other]["repeat_petitions"] == int(m)


# --- skip-level and group visits ----------------------------------------------------------------


@when(
    parsers.re(
        rf"接访员 {WHO} 于 {WHEN} 登记行政区划为 \"(?P<region>\d{{6}})\" 的(?P<channel>来访|来信|来电|网上)事项"
        r"(?P<below>，信访人持有下级机关的处理意见书)?"
    ),
    converters=WHEN_AT,
)
def registers_region(
    world: World,
    repeat_state: dict[str, Any],
    who: str,
    when: datetime,
    region: str,
    channel: str,
    below: str | None,
) -> None:
    codes = {label: code for code, label in CHANNEL_LABELS.items()}
    with world.engine.begin() as conn:
        repeat_state["new"] = registration.register(
            conn,
            world.rt,
            body=intake_body(region_code=region, channel=codes[channel]),
            actor_staff_no=who,
            now=when,
            handled_below=bool(below),
        )


@then(parsers.re(r"该事项(?P<verdict>是|不是)越级访"))
def skip_level_is(repeat_state: dict[str, Any], verdict: str) -> None:
    assert repeat_state["new"]["flags"]["skip_level"] is (verdict == "是")


@then(parsers.re(r"登记时(?:提供转送至 \"(?P<organ>[^\"]+)\"|不提供转送)"))
def transfer_offered(repeat_state: dict[str, Any], organ: str | None) -> None:
    where = repeat_state["new"]["jurisdiction"]
    assert where["offer_transfer"] is (organ is not None)
    if organ:
        assert where["organ"] == organ


@when(
    parsers.re(
        rf"接访员 {WHO} 于 {WHEN} 登记集体访：来访 (?P<size>\d+) 人，推选代表 (?P<reps>\d+) 人，"
        r"下移接待地点 \"(?P<place>[^\"]+)\""
    ),
    converters={**WHEN_AT, "size": int, "reps": int},
)
def registers_group(
    world: World,
    repeat_state: dict[str, Any],
    who: str,
    when: datetime,
    size: int,
    reps: int,
    place: str,
) -> None:
    representatives = [{"name": f"代表{i + 1}", "address": f"中山路{i + 1}号"} for i in range(reps)]
    body = intake_body(group_size=size, representatives=representatives)
    validate_intake(body, now=when)
    with world.engine.begin() as conn:
        repeat_state["new"] = registration.register(
            conn,
            world.rt,
            body=body,
            actor_staff_no=who,
            now=when,
            on_site=True,
            on_site_place=place,
        )


@then(parsers.re(r"新事项为集体访 (?P<size>\d+) 人"), converters={"size": int})
def is_group(repeat_state: dict[str, Any], size: int) -> None:
    assert repeat_state["new"]["flags"]["group_size"] == size


@then(parsers.re(rf"督办人员 {WHO} 收到集体访提醒"))
def supervisor_told(world: World, repeat_state: dict[str, Any], who: str) -> None:
    ot = Outbox.__table__
    with world.engine.connect() as conn:
        n = conn.execute(
            select(func.count())
            .select_from(ot)
            .where(
                ot.c.recipient_staff_no == who,
                ot.c.topic == "group_visit",
                ot.c.case_no == repeat_state["new"]["case_no"],
            )
        ).scalar_one()
    assert n == 1


@then(parsers.re(r"新事项记有下移接待 \"(?P<place>[^\"]+)\""))
def on_site_noted(world: World, repeat_state: dict[str, Any], place: str) -> None:
    ct = CaseContact.__table__
    with world.engine.connect() as conn:
        row = conn.execute(
            select(ct)
            .join(tables.case_t, tables.case_t.c.id == ct.c.case_id)
            .where(tables.case_t.c.case_no == repeat_state["new"]["case_no"])
        ).one()
    assert row.on_site and row.kind == "on_site" and place in row.summary
