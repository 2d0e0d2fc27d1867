"""Steps of joint_handling.feature: 联合会办 set up, organs' reports, meetings, disputes decided, and
each organ's part on the ladder, the queue and the statistics."""

from datetime import datetime
from typing import Any

from pytest_bdd import given, parsers, then, when

from cases.joint import steps
from cases.joint.view import joint_of
from cases.reports.counting import Period
from cases.reports.stats import office_stats
from cases.supervision.queue import queue_items
from features.conftest import DAY, LEVELS, WHEN, WHEN_AT, WHO, World, listed
from workflow import glossary

ORGAN = r"「(?P<organ>[^「」]+)」"
TEXT = r"\"(?P<text>[^\"]+)\""
ROLES = {"牵头单位": "lead", "配合单位": "co"}


def _joint(world: World) -> dict[str, Any]:
    with world.engine.begin() as conn:
        found = joint_of(conn, world.rt, case_no=world.case_no, now=world.now)
    assert found is not None, "该信访事项未设立联合会办"
    return found


def _organ(world: World, organ: str) -> dict[str, Any]:
    return next(o for o in _joint(world)["organs"] if o["organ"] == organ)


def _do(world: World, fn: Any, who: str, when: datetime, **kw: Any) -> None:
    world.now = when
    with world.engine.begin() as conn:
        fn(conn, world.rt, case_no=world.case_no, actor_staff_no=who, now=when, **kw)


def _try(world: World, fn: Any, who: str, when: datetime, **kw: Any) -> None:
    world.before = world.snapshot()
    world.error = None
    try:
        _do(world, fn, who, when, **kw)
    except Exception as exc:  # a DomainError is what the scenario expects to see
        from workflow.errors import DomainError

        if not isinstance(exc, DomainError):
            raise
        world.error = exc


def _setup_body(datatable: list[list[str]]) -> dict[str, Any]:
    """| 角色 | 单位 | 任务 | 期限 | rows; 期限 as 「20日」 or 「5个工作日」."""
    header, *rows = datatable
    parts = []
    for row in rows:
        r = dict(zip(header, row, strict=True))
        working = r["期限"].endswith("个工作日")
        days = int(r["期限"].removesuffix("个工作日").removesuffix("日"))
        part = {"organ": r["单位"], "task": r["任务"], "days": days, "working": working}
        parts.append((ROLES[r["角色"]], part))
    return {
        "lead": next(p for role, p in parts if role == "lead"),
        "co_organs": [p for role, p in parts if role == "co"],
    }


@given(parsers.re(rf"{WHO} 于 {WHEN} 已设立联合会办："), converters=WHEN_AT)
@when(parsers.re(rf"{WHO} 于 {WHEN} 设立联合会办："), converters=WHEN_AT)
def sets_up(world: World, who: str, when: datetime, datatable: list[list[str]]) -> None:
    _do(world, steps.set_up, who, when, payload=_setup_body(datatable))


@when(parsers.re(rf"{WHO} 于 {WHEN} 试图设立联合会办："), converters=WHEN_AT)
def tries_set_up(world: World, who: str, when: datetime, datatable: list[list[str]]) -> None:
    _try(world, steps.set_up, who, when, payload=_setup_body(datatable))


@then("会办单位及其办理期限为：")
def organs_are(world: World, datatable: list[list[str]]) -> None:
    """| 角色 | 单位 | 届满日 | rows, the lead first."""
    _, *rows = datatable
    got = [[o["role_label"], o["organ"], o["due_date"]] for o in _joint(world)["organs"]]
    assert got == rows


@then(parsers.re(rf"{ORGAN}的办理期限计算说明包含 {TEXT}"))
def reckoning_says(world: World, organ: str, text: str) -> None:
    assert text in _organ(world, organ)["reckoning"], _organ(world, organ)["reckoning"]


@when(parsers.re(rf"{WHO} 于 {WHEN} 登记{ORGAN}的办理结果 {TEXT}"), converters=WHEN_AT)
def reports(world: World, who: str, when: datetime, organ: str, text: str) -> None:
    _do(world, steps.record_report, who, when, payload={"organ": organ, "summary": text})


@then(parsers.re(rf"{ORGAN}的办理情况为 {TEXT}"))
def lateness_is(world: World, organ: str, text: str) -> None:
    assert _organ(world, organ)["lateness"] == text


@then(parsers.re(r"该信访事项的办理记录中依次有：(?P<labels>.+)"))
def events_in_order(world: World, labels: str) -> None:
    wanted = listed(labels)
    got = [glossary.event_label(e["action"]) for e in world.events()]
    assert [label for label in got if label in wanted] == wanted


def _meeting_body(datatable: list[list[str]]) -> dict[str, Any]:
    """| 项目 | 内容 | rows: 参会 and 承诺 as 「单位：内容；单位：内容」."""
    _, *rows = datatable
    r = dict(rows)

    def pairs(text: str, key: str) -> list[dict[str, str]]:
        out = []
        for item in filter(None, text.split("；")):
            organ, _, value = item.partition("：")
            out.append({"organ": organ, key: value})
        return out

    return {
        "held_on": r["会办日期"],
        "place": r["会办地点"],
        "attendees": pairs(r.get("参会", ""), "people"),
        "agreed": r["议定事项"],
        "commitments": pairs(r.get("承诺", ""), "commitment"),
    }


@when(parsers.re(rf"{WHO} 于 {WHEN} 登记会办记录："), converters=WHEN_AT)
def records_meeting(world: World, who: str, when: datetime, datatable: list[list[str]]) -> None:
    _do(world, steps.record_meeting, who, when, payload=_meeting_body(datatable))


@when(parsers.re(rf"{WHO} 于 {WHEN} 试图登记会办记录："), converters=WHEN_AT)
def tries_meeting(world: World, who: str, when: datetime, datatable: list[list[str]]) -> None:
    _try(world, steps.record_meeting, who, when, payload=_meeting_body(datatable))


@then(parsers.re(rf"该信访事项有 (?P<n>\d+) 份会办记录，议定事项为 {TEXT}"))
def meetings_are(world: World, n: str, text: str) -> None:
    meetings = _joint(world)["meetings"]
    assert len(meetings) == int(n) and meetings[-1]["agreed"] == text


@then(parsers.re(rf"会办记录中{ORGAN}承诺 {TEXT}"))
def committed(world: World, organ: str, text: str) -> None:
    commitments = _joint(world)["meetings"][-1]["commitments"]
    assert {"organ": organ, "commitment": text} in commitments


@when(
    parsers.re(rf"{WHO} 于 {WHEN} 登记受理争议：「(?P<a>[^「」]+)」与「(?P<b>[^「」]+)」，{TEXT}"),
    converters=WHEN_AT,
)
def records_dispute(world: World, who: str, when: datetime, a: str, b: str, text: str) -> None:
    _do(world, steps.record_dispute, who, when, payload={"organs": [a, b], "claims": text})


def _decision(world: World, organ: str, text: str) -> dict[str, Any]:
    dispute = next(d for d in _joint(world)["disputes"] if not d["decided"])
    return {"dispute_id": dispute["id"], "payload": {"accepting_organ": organ, "reason": text}}


@when(parsers.re(rf"{WHO} 于 {WHEN} 决定由{ORGAN}受理，理由 {TEXT}"), converters=WHEN_AT)
def decides(world: World, who: str, when: datetime, organ: str, text: str) -> None:
    _do(world, steps.decide_dispute, who, when, **_decision(world, organ, text))


@when(parsers.re(rf"{WHO} 于 {WHEN} 试图决定由{ORGAN}受理，理由 {TEXT}"), converters=WHEN_AT)
def tries_deciding(world: World, who: str, when: datetime, organ: str, text: str) -> None:
    _try(world, steps.decide_dispute, who, when, **_decision(world, organ, text))


@then(parsers.re(rf"受理争议已决定由{ORGAN}受理"))
def decided(world: World, organ: str) -> None:
    dispute = _joint(world)["disputes"][-1]
    assert dispute["decided"] and dispute["accepting_organ"] == organ


def _fired(world: World, organ: str) -> dict[str, list[str]]:
    clock = _organ(world, organ)["clock"]
    return {
        e.level: sorted(e.recipients)
        for e in world.escalations()
        if e.clock_name == clock and e.id not in world.escalations_before
    }


@then(parsers.re(rf"本次巡查在{ORGAN}的办理期限上发出："))
def organ_fired(world: World, organ: str, datatable: list[list[str]]) -> None:
    _, *rows = datatable
    expected = {LEVELS[lv]: sorted(listed(who)) for lv, who in rows}
    assert _fired(world, organ) == expected, _fired(world, organ)


@then(parsers.re(rf"本次巡查在{ORGAN}的办理期限上没有发出任何督办层级"))
def organ_fired_nothing(world: World, organ: str) -> None:
    assert _fired(world, organ) == {}


@then(parsers.re(r"督办队列中该信访事项为「(?P<level>[^「」]+)」，期限为「(?P<label>[^「」]+)」"))
def in_queue(world: World, level: str, label: str) -> None:
    with world.engine.begin() as conn:
        rows, _ = queue_items(conn, world.rt, now=world.now, status="active", case_no=world.case_no)
    assert len(rows) == 1
    assert (rows[0]["level"], rows[0]["clock_label"]) == (LEVELS[level], label)


@then(
    parsers.re(
        rf"统计期间 {DAY} 至 \"(?P<end>[\d-]+)\" 有 (?P<n>\d+) 件联合会办事项，"
        rf"{ORGAN}按期报送率为 {TEXT}"
    )
)
def joint_stats_are(world: World, day: str, end: str, n: str, organ: str, text: str) -> None:
    from datetime import date

    period = Period(date.fromisoformat(day), date.fromisoformat(end))
    with world.engine.begin() as conn:
        data = office_stats(conn, world.rt, period=period, now=world.now)
    assert data["joint"]["cases"] == int(n)
    row = next(o for o in data["joint"]["by_organ"] if o["organ"] == organ)
    assert row["on_time_rate"] == float(text)
