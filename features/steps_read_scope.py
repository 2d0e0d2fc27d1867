"""Steps of read_scope.feature: a receptionist reads another's case only as its routing summary
(domain.md, "read a case"; ``workflow.read_scope``). The shared steps are those of
features/conftest.py."""

from typing import Any

from pytest_bdd import parsers, then

from cases.casework import reading
from features.conftest import WHO, World

#: What the tracking note of the feature's background says (features/conftest.py's default).
NOTE_STEP = "note"


def _seen(world: World, who: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with world.engine.begin() as conn:
        events = reading.case_events(conn, world.rt, case_no=world.case_no, viewer_staff_no=who)
    return world.show(who), events


@then(parsers.re(rf"{WHO} 完整查看该信访事项，看得到内容、信访人和跟踪记录"))
def reads_in_full(world: World, who: str) -> None:
    case, events = _seen(world, who)
    record = world.show()
    assert case["scope"] == "full"
    assert case["content"] == record["content"] and case["content"]
    assert case["petitioner"] == record["petitioner"]
    assert any(e["payload"] for e in events if e["action"] == NOTE_STEP)


@then(parsers.re(rf"{WHO} 只看到该信访事项的摘要：编号、事由、状态、首接责任人和日期"))
def reads_the_summary(world: World, who: str) -> None:
    case, _ = _seen(world, who)
    record = world.show()
    assert case["scope"] == "summary"
    for field in ("case_no", "subject", "state", "owner", "received_at"):
        assert case[field] == record[field], field


@then(parsers.re(rf"{WHO} 看不到该信访事项的内容、信访人和跟踪记录"))
def sees_no_contents(world: World, who: str) -> None:
    case, events = _seen(world, who)
    record = world.show()
    assert (case["content"], case["requests"], case["details"]) == (None, None, {})
    assert record["petitioner"]["name"] not in str(case)
    assert (case["petitioner"]["id_number_masked"], case["petitioner"]["phone_masked"]) == (
        None,
        None,
    )
    assert [e["action"] for e in events] == [e["action"] for e in world.events()]
    assert all(e["payload"] == {} for e in events)
