"""Steps of waiver.feature, accused.feature and alerts.feature: the petitioner's waiver before an
early close (第三十五条、第三十六条), the accused unit (第三十条第三款), and alerts that reach a
person who can act. The shared steps (the office, the case, refusals, the sweeper) are those of
features/conftest.py.
"""

from datetime import datetime

from pytest_bdd import given, parsers, then, when
from sqlalchemy import select

from api.pages.documents import closure_context, closure_html
from api.pages.templating import template_env
from cases.store.tables import outbox_t
from features.conftest import ACTION, WHEN, WHO, World
from workflow.waiver import waiver_text

WHEN_AT = {"when": lambda text: _at(text)}
TOPICS = {"集体访": "group_visit", "不满意评价": "dissatisfied"}


def _at(text: str) -> datetime:
    from conftest import at

    return at(text)


# --- the petitioner's waiver ------------------------------------------------------------------------


@when(
    parsers.re(rf"{WHO} 于 {WHEN} 试图不记录信访人的表示对该信访事项办理{ACTION}"),
    converters=WHEN_AT,
)
def attempts_without_waiver(world: World, who: str, when: datetime, action: str) -> None:
    """The action with no fields at all: no waiver recorded."""
    world.attempt(who, when, action, exactly=True)


@when(
    parsers.re(rf"{WHO} 于 {WHEN} 对该信访事项办理{ACTION}，不记录信访人的表示"),
    converters=WHEN_AT,
)
def acts_without_waiver(world: World, who: str, when: datetime, action: str) -> None:
    world.act(who, when, action, exactly=True)


@then(parsers.re(r"该信访事项记录了 \"(?P<text>[^\"]+)\""))
def waiver_recorded(world: World, text: str) -> None:
    """On the case (its details) and on the 办结 step (its payload), in the same words."""
    waiver = world.show()["details"]["waiver"]
    assert waiver_text(waiver) == text
    close = [e for e in world.events() if e["action"] == "close"]
    assert len(close) == 1 and close[0]["payload"]["waiver"] == waiver


@then(parsers.re(r"该信访事项的结案报告写明 \"(?P<text>[^\"]+)\""))
def closure_report_says(world: World, text: str) -> None:
    with world.engine.begin() as conn:
        report = closure_context(
            conn, world.rt, case_no=world.case_no, viewer_staff_no="G001", now=world.now
        )
    assert text in closure_html(template_env(world.rt.tz), [report])


# --- the accused unit -----------------------------------------------------------------------------


@given(
    parsers.re(
        rf"接访员 {WHO} 于 {WHEN} 登记了一件检举控告 \"(?P<unit>[^\"]+)\" 的信访事项，"
        r"标题为 \"(?P<subject>[^\"]+)\""
    ),
    converters=WHEN_AT,
)
def registered_accusation(world: World, who: str, when: datetime, unit: str, subject: str) -> None:
    world.intake(
        who,
        when,
        category="accusation",
        subject=subject,
        content=f"反映{unit}工作人员违规审批",
        requests="请求依法查处",
        accused={"name": "李某", "unit": unit},
    )


@then(parsers.re(rf"{WHO} 看到的信访人、标题均为「（保密）」，看不到内容和诉求"))
def sees_nothing(world: World, who: str) -> None:
    case = world.show(who)
    assert (case["petitioner"]["name"], case["subject"]) == ("（保密）", "（保密）")
    assert (case["content"], case["requests"], case["details"]) == (None, None, {})


@then(parsers.re(rf"{WHO} 看到的标题为 \"(?P<subject>[^\"]+)\""))
def sees_subject(world: World, who: str, subject: str) -> None:
    assert world.show(who)["subject"] == subject


# --- alerts -----------------------------------------------------------------------------------------


@when(
    parsers.re(rf"接访员 {WHO} 于 {WHEN} 登记了一件 (?P<size>\d+) 人的集体访"),
    converters={**WHEN_AT, "size": int},
)
def registers_group_visit(world: World, who: str, when: datetime, size: int) -> None:
    reps = [{"name": f"代表{i + 1}", "address": f"南京市玄武区中山路{i + 1}号"} for i in range(2)]
    world.intake(who, when, group_size=size, representatives=reps)


def _told(world: World, topic: str) -> list[str]:
    with world.engine.begin() as conn:
        return list(
            conn.execute(
                select(outbox_t.c.recipient_staff_no).where(
                    outbox_t.c.case_no == world.case_no, outbox_t.c.topic == TOPICS[topic]
                )
            ).scalars()
        )


@then(parsers.re(r"「(?P<topic>[^「」]+)」通知只发给了 (?P<people>.+)"))
def only_told(world: World, topic: str, people: str) -> None:
    expected = [p.strip().strip('"') for p in people.split("、")]
    assert sorted(_told(world, topic)) == sorted(expected)
