"""Alerts go to a person who can act: a group visit, a 不满意 rating and every ladder step reach
the next post up held by someone other than the owner (or whoever took the step).

Besides the test office: R001, a receptionist who leads 第三党小组 (the demo's 钱丽萍 is one), and
G002, who leads B001's own group, below the branch secretary.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from cases.organisation import roster
from cases.runtime import Runtime
from cases.store.tables import escalation_t, outbox_t, staff_t
from cases.supervision.sweeper import sweep
from conftest import at
from tests.factories import intake_body
from tests.supervision.helpers import messages
from tests.web import NOW, api_act, api_intake, bearer, client, password_hash, sign_in

GROUP_VISIT = {
    "group_size": 8,
    "representatives": [
        {"name": "代表甲", "address": "南京市玄武区中山路2号"},
        {"name": "代表乙", "address": "南京市玄武区中山路3号"},
    ],
}
LEVEL_AT = {
    "overdue": "2026-12-12 09:00",
    "supervision": "2026-12-18 09:00",
    "flagged": "2026-12-31 09:00",
}


@pytest.fixture
def office(app: Any, engine: Engine) -> Any:
    with engine.begin() as conn:
        roster.ensure_group(conn, branch="接访处党支部", group="第三党小组")
        for staff_no, name, role, group in (
            ("R001", "钱丽萍", "receptionist", "第三党小组"),
            ("G002", "王磊", "supervisor", "第二党小组"),
        ):
            roster.add_staff(
                conn,
                staff_no=staff_no,
                name=name,
                role=role,
                group=group,
                post="group_leader",
                now=NOW,
            )
        conn.execute(
            update(staff_t)
            .where(staff_t.c.staff_no.in_(["R001", "G002"]))
            .values(password_hash=password_hash())
        )
    return app


def told(engine: Engine, case_no: str, topic: str) -> list[str]:
    with engine.begin() as conn:
        return list(
            conn.execute(
                select(outbox_t.c.recipient_staff_no)
                .where(outbox_t.c.case_no == case_no, outbox_t.c.topic == topic)
                .order_by(outbox_t.c.id)
            ).scalars()
        )


def ladder(engine: Engine, rt: Runtime, case_no: str) -> dict[str, list[str]]:
    """Sweep at each level's hour; whom each level of the acceptance clock told."""
    for when in LEVEL_AT.values():
        sweep(engine, rt, now=at(when))
    with engine.begin() as conn:
        rows = conn.execute(
            select(escalation_t.c.level, escalation_t.c.recipients).order_by(escalation_t.c.id)
        ).all()
    return {r.level: r.recipients for r in rows if r.level != "warning"}


def test_an_owner_who_leads_her_group(
    office: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    """R001 registers a group visit: the 【集体访】 alert reaches B001, the branch secretary, never
    herself; so do the ladder and a 不满意 rating."""
    case = api_intake(office, c, "R001", **GROUP_VISIT)
    no = case["case_no"]
    assert told(engine, no, "group_visit") == ["B001"]
    assert case["details"]["group_visit"]["supervisor"] == "B001"
    # B001 signs in and reads it in her inbox.
    b001 = client(office)
    sign_in(b001, "B001")
    assert f"【集体访】信访事项 {no} 为集体访（8人）" in b001.get("/inbox").text
    # Every step of the ladder reaches someone above R001.
    assert ladder(engine, rt, no) == {
        "overdue": ["R001", "B001"],
        "supervision": ["B001"],
        "flagged": ["L001"],
    }
    # 不满意 goes before her supervisor too.
    other = api_intake(office, c, "R001")["case_no"]
    api_act(office, c, other, "accept", "R001")
    api_act(office, c, other, "reply", "H001", outcome="not_support", opinion="不予支持")
    api_act(office, c, other, "record_evaluation", "R001", rating="dissatisfied")
    assert sorted(told(engine, other, "dissatisfied")) == ["B001", "R001"]


def test_an_owner_who_is_the_branch_secretary(
    office: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    """B001 owns the case: her group's leader G002 is below her; each alert reaches L001, and no
    level tells her alone."""
    no = api_intake(office, c, "B001", **GROUP_VISIT)["case_no"]
    assert told(engine, no, "group_visit") == ["L001"]
    steps = ladder(engine, rt, no)
    assert steps == {"overdue": ["B001", "L001"], "supervision": ["L001"], "flagged": ["L001"]}
    for level, people in steps.items():
        assert set(people) - {"B001"}, level
    assert "G002" not in {p for people in steps.values() for p in people}
    assert messages(engine, "B001", "group_visit") == []


def test_a_group_leader_recording_a_colleagues_group_visit(
    office: Any, c: TestClient, engine: Engine
) -> None:
    """G001 records a group's return visit on A001's case: G001 already knows, B001 is told."""
    no = api_intake(office, c, "A001")["case_no"]
    r = c.post(
        f"/api/v1/cases/{no}/contacts",
        json=intake_body(**GROUP_VISIT),
        headers=bearer(office, "G001"),
    )
    assert r.status_code == 201, r.text
    assert told(engine, no, "group_visit") == ["B001"]
