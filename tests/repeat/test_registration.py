"""Registering a new matter after the candidates step: skip-level visits are flagged and
transferred at once when asked; group visits reach the supervisor with their on-site reception."""

import pytest
from sqlalchemy import Engine, select

from cases.casework import reading
from cases.repeat import jurisdiction, registration
from cases.runtime import Runtime
from tests.factories import intake_body, make_office
from tests.repeat.helpers import (
    EARLIER,
    OTHER_ID,
    THIRD_ID,
    contact_t,
    outbox_t,
    register,
    totals,
)
from workflow.errors import InvalidInput


def test_a_skip_level_visit_is_flagged_and_transferred_to_the_responsible_level(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    with engine.begin() as conn:
        jurisdiction.configure_office(
            conn, level="province", region_code="320000", organs={"320102": "玄武区信访局"}
        )
        case = registration.register(
            conn, rt, body=intake_body(), actor_staff_no="A001", now=EARLIER, transfer=True
        )
    assert case["flags"]["skip_level"] is True
    assert case["state"] == "transferred" and case["query_code"]
    assert case["jurisdiction"]["organ"] == "玄武区信访局"
    with engine.connect() as conn:
        shown = reading.show(conn, rt, case_no=case["case_no"], viewer_staff_no="A001", now=EARLIER)
    assert shown["details"]["transfer"]["organ"] == "玄武区信访局"
    assert shown["details"]["jurisdiction"]["skip_level"] is True
    # A matter of the city, one level below the province: lawful, not flagged.
    with engine.begin() as conn:
        city = registration.register(
            conn, rt, body=intake_body(region_code="320100"), actor_staff_no="A001", now=EARLIER
        )
    assert city["flags"]["skip_level"] is False and city["state"] == "registered"


def test_a_group_visit_is_flagged_for_the_supervisor_with_its_on_site_reception(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    body = intake_body(
        group_size=30,
        representatives=[
            {"name": "赵六", "id_number": OTHER_ID},
            {"name": "钱七", "id_number": THIRD_ID},
            {"name": "孙八", "phone": "13900139000"},
        ],
    )
    with engine.begin() as conn:
        case = registration.register(
            conn,
            rt,
            body=body,
            actor_staff_no="A001",
            now=EARLIER,
            on_site=True,
            on_site_place="玄武区某街道办",
        )
    assert case["flags"]["group_size"] == 30
    assert case["version"] == 2  # the intake and the on-site note: the answer is read back
    assert case["details"]["group_visit"] == {
        "group_size": 30,
        "representatives": ["赵六", "钱七", "孙八"],
        "supervisor": "G001",
    }
    with engine.connect() as conn:
        told = conn.execute(
            select(outbox_t.c.recipient_staff_no, outbox_t.c.topic).where(
                outbox_t.c.case_no == case["case_no"]
            )
        ).all()
        site = conn.execute(select(contact_t)).one()
        events = reading.case_events(conn, rt, case_no=case["case_no"], viewer_staff_no=None)
    assert ("G001", "group_visit") in told
    assert (site.kind, site.on_site, site.group_size) == ("on_site", True, 30)
    assert "玄武区某街道办" in site.summary
    assert [e["action"] for e in events] == ["intake", "on_site_reception"]


def test_more_than_five_representatives_are_refused_and_nothing_is_stored(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    before = totals(engine)
    body = intake_body(
        group_size=40, representatives=[{"name": f"代表{i}", "address": "某地"} for i in range(6)]
    )
    with pytest.raises(InvalidInput) as caught:
        register(engine, rt, body, when=EARLIER)
    assert "代表人数不得超过5人" in caught.value.message
    assert totals(engine) == before
