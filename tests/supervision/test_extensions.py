"""Extension requests (延期申请): the owner asks once, a supervisor approves (the case is extended and
the petitioner's notice recorded) or refuses with a reason."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cases.models import ExtensionRequest
from cases.runtime import Runtime
from cases.store import tables
from tests.supervision.helpers import audit_intact, desk_page, events, messages
from tests.web import api_act, api_intake, bearer, client, sign_in


def test_owner_requests_an_extension_and_a_supervisor_approves_it(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = api_intake(app, c, "A001")["case_no"]
    before = api_act(app, c, no, "accept", "A001")
    due = next(k["due_date"] for k in before["clocks"] if k["name"] == "handling")

    owner = client(app)
    token = sign_in(owner, "A001")
    page = owner.get(f"/cases/{no}").text
    assert "申请延期" in page and 'action="/cases/' + no + '/extension-request"' in page
    other = client(app)
    other_token = sign_in(other, "A002")
    assert '/extension-request"' not in other.get(f"/cases/{no}").text
    r = other.post(
        f"/cases/{no}/extension-request",
        data={"csrf_token": other_token, "days": "10", "reason": "x"},
    )
    assert r.status_code == 403

    r = owner.post(
        f"/cases/{no}/extension-request",
        data={"csrf_token": token, "days": "40", "reason": "需要调查"},
    )
    assert "延长期限应为1至30日" in owner.get(f"/cases/{no}").text
    owner.post(
        f"/cases/{no}/extension-request",
        data={"csrf_token": token, "days": "15", "reason": "需要实地调查"},
    )
    page = owner.get(f"/cases/{no}").text
    assert "已提交延期申请" in page and "待审批" in page
    assert '/extension-request"' not in page  # one request at a time
    r = c.post(
        f"/api/v1/cases/{no}/extension-requests",
        json={"days": 10, "reason": "再申请"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 409 and r.json()["code"] == "extension.pending"
    assert len(messages(engine, "G001", "extension_requested")) == 1
    assert "1 件延期申请待审批" in desk_page(app, "G001")

    sup = client(app)
    sup_token = sign_in(sup, "G001")
    queue = sup.get("/queue").text
    assert "需要实地调查" in queue and "批准延期" in queue
    request_id = c.get("/api/v1/extension-requests", headers=bearer(app, "G001")).json()[0]["id"]
    r = sup.post(
        f"/queue/extensions/{request_id}/decide",
        data={"csrf_token": sup_token, "decision": "approve", "next": "/queue"},
    )
    assert r.status_code == 303
    case = c.get(f"/api/v1/cases/{no}", headers=bearer(app, "A001")).json()
    assert case["extended"] is True
    new_due = next(k["due_date"] for k in case["clocks"] if k["name"] == "handling")
    assert new_due > due
    # The statistics count the case by its extended deadline (应办结件), kept with the clock.
    with engine.begin() as conn:
        handling_due = conn.execute(
            select(tables.case_t.c.handling_due).where(tables.case_t.c.case_no == no)
        ).scalar_one()
    assert handling_due.isoformat() == new_due
    steps = events(engine, rt, no)
    assert [e["action"] for e in steps[-3:]] == [
        "extension_requested",
        "extend",
        "extension_notice",
    ]
    assert steps[-2]["actor"] == "G001" and steps[-2]["payload"]["days"] == 15
    told = steps[-1]["payload"]["notice"]
    assert "需要实地调查" in told and "延长15日" in told and new_due in told
    assert [m.payload["approved"] for m in messages(engine, "A001", "extension_decided")] == [True]
    assert '/extension-request"' not in owner.get(f"/cases/{no}").text  # once (Art. 34)
    audit_intact(engine, rt)


def test_a_refusal_needs_a_reason_and_changes_no_deadline(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = api_intake(app, c, "A001")["case_no"]
    api_act(app, c, no, "accept", "A001")
    r = c.post(
        f"/api/v1/cases/{no}/extension-requests",
        json={"days": 20, "reason": "材料不齐"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 201
    request_id = r.json()["id"]
    base = f"/api/v1/extension-requests/{request_id}/decision"
    assert c.post(base, json={"approve": False}, headers=bearer(app, "A001")).status_code == 403
    r = c.post(base, json={"approve": False}, headers=bearer(app, "G001"))
    assert r.status_code == 422
    r = c.post(base, json={"approve": False, "note": "理由不充分"}, headers=bearer(app, "G001"))
    assert r.status_code == 200 and r.json()["status"] == "refused"
    again = c.post(base, json={"approve": True}, headers=bearer(app, "G001"))
    assert again.status_code == 409
    case = c.get(f"/api/v1/cases/{no}", headers=bearer(app, "A001")).json()
    assert case["extended"] is False
    assert [m.payload["note"] for m in messages(engine, "A001", "extension_decided")] == [
        "理由不充分"
    ]
    # Refused, the owner may ask again.
    r = c.post(
        f"/api/v1/cases/{no}/extension-requests",
        json={"days": 10, "reason": "补充材料后再申请"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 201
    with engine.begin() as conn:
        t = ExtensionRequest.__table__
        assert conn.execute(select(func.count()).select_from(t)).scalar_one() == 2


def test_no_extension_for_a_case_not_being_handled(app: Any, c: TestClient) -> None:
    no = api_intake(app, c, "A001")["case_no"]
    r = c.post(
        f"/api/v1/cases/{no}/extension-requests",
        json={"days": 10, "reason": "尚未受理"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 409 and r.json()["code"] == "action.not_allowed_in_state"


def test_a_group_leaders_own_request_goes_to_the_next_post_up(
    app: Any, c: TestClient, engine: Engine
) -> None:
    """The approver is the next post up held by someone other than the owner: a group leader's
    request goes to the branch secretary, never back to himself."""
    no = api_intake(app, c, "G001")["case_no"]
    api_act(app, c, no, "accept", "G001")
    r = c.post(
        f"/api/v1/cases/{no}/extension-requests",
        json={"days": 10, "reason": "需要实地调查"},
        headers=bearer(app, "G001"),
    )
    assert r.status_code in (200, 201), r.text
    assert messages(engine, "G001", "extension_requested") == []
    assert len(messages(engine, "B001", "extension_requested")) == 1
