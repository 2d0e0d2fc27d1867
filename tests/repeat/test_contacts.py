"""Repeat petitions become contacts on the original case, whose owner stays responsible and is
told; a refused original repeats its statutory words; on-site receptions are noted."""

import pytest
from sqlalchemy import Engine, select

from cases import audit
from cases.casework import reading
from cases.organisation import roster
from cases.repeat import candidates, contacts, registration
from cases.runtime import Runtime
from tests.factories import drive, intake_body, make_office
from tests.repeat.helpers import (
    EARLIER,
    NOW,
    OTHER_ID,
    REWORDED,
    THIRD_ID,
    confirm,
    outbox_t,
    register,
    totals,
)
from workflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied


def test_confirming_a_repeat_adds_a_contact_on_the_original_and_tells_its_owner(
    engine: Engine, rt: Runtime
) -> None:
    """Done when: the same person with the same matter reworded is shown the original case, and
    confirming it adds a contact there and notifies its owner, with no second acceptance."""
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    with engine.connect() as conn:
        found = candidates.find_for_intake(
            conn, rt, body=intake_body(**REWORDED), viewer_staff_no="A002", now=NOW
        )
    assert found[0].case_no == original and found[0].likely_repeat
    before = totals(engine)
    result = confirm(engine, rt, original, intake_body(**REWORDED), summary="再次来访催问补偿款")
    after = totals(engine)
    assert after["case"] == before["case"]  # no second acceptance
    assert after["case_contact"] == before["case_contact"] + 1
    contact = result["contact"]
    assert contact["flags"]["repeat_of"] == original and contact["kind"] == "repeat"
    assert contact["recorded_by"] == "A002" and contact["summary"] == "再次来访催问补偿款"
    assert result["refused"] is False and "第十九条第三款" in result["guidance"]
    assert result["notified"] == ["A001"]
    assert result["case"]["owner"]["staff_no"] == "A001"  # the first receiver stays responsible
    with engine.connect() as conn:
        told = conn.execute(select(outbox_t).where(outbox_t.c.topic == "repeat_contact")).one()
        events = reading.case_events(conn, rt, case_no=original, viewer_staff_no=None)
        verified = audit.verify(conn, rt.audit_key)
    assert (told.recipient_staff_no, told.case_no) == ("A001", original)
    assert events[-1]["action"] == "repeat_contact"
    assert events[-1]["payload"]["recorded_by"] == "A002"
    assert events[-1]["payload"]["reason_code"] == "in_process"
    assert verified.broken is None


def test_a_repeat_of_a_concluded_matter_is_refused_with_article_36(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    drive(engine, rt, original, "concluded", EARLIER)
    before = totals(engine)
    result = confirm(engine, rt, original, intake_body(**REWORDED))
    assert result["refused"] is True and result["reason_code"] == "concluded"
    assert "第三十六条第三款" in result["guidance"] and "不再受理" in result["guidance"]
    assert result["contact"]["refused"] is True
    assert result["case"]["state"] == "concluded"
    assert totals(engine)["case"] == before["case"]


def test_a_repeat_of_a_rejected_matter_repeats_its_guidance(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    drive(engine, rt, original, "rejected", EARLIER)
    result = confirm(engine, rt, original, intake_body(**REWORDED))
    assert result["refused"] is True and result["reason_code"] == "litigation"
    assert "人民法院" in result["guidance"]


def test_a_withdrawn_matter_is_registered_anew_and_linked(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    drive(engine, rt, original, "withdrawn", EARLIER)
    with pytest.raises(Conflict) as caught:
        confirm(engine, rt, original, intake_body(**REWORDED))
    assert caught.value.code == "repeat.original_withdrawn"
    with engine.begin() as conn:
        case = registration.register(
            conn,
            rt,
            body=intake_body(**REWORDED),
            actor_staff_no="A002",
            now=NOW,
            repeat_of=original,
        )
        shown = reading.show(conn, rt, case_no=case["case_no"], viewer_staff_no="A002", now=NOW)
    assert case["flags"]["repeat_of"] == original == shown["flags"]["repeat_of"]


def test_a_different_matter_is_not_forced_into_the_old_case(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    pension = intake_body(
        subject="养老金停发",
        content="我的退休金从今年三月起被停发，社保局说资料不全。",
        requests="恢复发放",
    )
    with engine.connect() as conn:
        found = candidates.find_for_intake(conn, rt, body=pension, viewer_staff_no="A002", now=NOW)
    assert [c.likely_repeat for c in found] == [False]
    new = register(engine, rt, pension, when=NOW, who="A002")
    with engine.connect() as conn:
        shown = reading.show(conn, rt, case_no=new, viewer_staff_no="A002", now=NOW)
        old = reading.show(conn, rt, case_no=original, viewer_staff_no="A001", now=NOW)
    assert shown["flags"]["repeat_of"] is None and shown["owner"]["staff_no"] == "A002"
    assert old["version"] == 1  # the old case was not touched


def test_only_intake_staff_record_repeats_and_hidden_cases_stay_hidden(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    with pytest.raises(PermissionDenied):
        confirm(engine, rt, original, intake_body(**REWORDED), who="H001")
    with pytest.raises(NotFound):
        confirm(engine, rt, "2026-999999", intake_body(**REWORDED))
    accusation = intake_body(
        category="accusation",
        subject="举报某区住建局干部受贿",
        content="某区住建局干部在补偿款发放中收受好处。",
        accused={"unit": "某区住建局"},
    )
    secret = register(engine, rt, accusation, when=EARLIER)
    with engine.begin() as conn:
        roster.add_staff(
            conn, staff_no="A009", name="周九", role="receptionist", unit="某区住建局", now=EARLIER
        )
    with pytest.raises(NotFound):
        confirm(engine, rt, secret, accusation, who="A009")


def test_a_group_coming_back_is_flagged_for_the_supervisor_again(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    reps = [{"name": "赵六", "id_number": OTHER_ID}, {"name": "钱七", "id_number": THIRD_ID}]
    original = register(engine, rt, intake_body(group_size=20, representatives=reps), when=EARLIER)
    again = {**intake_body(**REWORDED), "group_size": 25, "representatives": reps}
    result = confirm(engine, rt, original, again, on_site=True)
    assert result["contact"]["flags"] == {
        "repeat_of": original,
        "skip_level": True,
        "group_size": 25,
        "on_site": True,
    }
    assert set(result["notified"]) == {"A001", "G001"}


def test_an_on_site_reception_is_noted_on_an_existing_case(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    with engine.begin() as conn:
        result = contacts.record_on_site(
            conn,
            rt,
            case_no=original,
            actor_staff_no="G001",
            now=NOW,
            place="某拆迁现场",
            group_size=12,
        )
        with pytest.raises(InvalidInput):
            contacts.record_on_site(
                conn, rt, case_no=original, actor_staff_no="G001", now=NOW, place=" "
            )
    assert result["contact"]["flags"]["on_site"] is True
    assert result["contact"]["flags"]["repeat_of"] is None
