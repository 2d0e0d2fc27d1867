"""联合会办 over the JSON API and on the pages: set up, reply refused until the lead reports, the
case page's section, the statistics."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.runtime import Runtime
from tests.supervision.helpers import create
from tests.web import api_act, api_intake, bearer, client, csrf_of, make_web_office, sign_in

SETUP = {
    "lead": {"organ": "玄武区住建局", "task": "核实补偿款发放情况", "days": 20},
    "co_organs": [{"organ": "玄武区财政局", "task": "核查资金拨付", "days": 10}],
}


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    make_web_office(engine)
    return create(engine, rt)


@pytest.fixture
def c(app: Any) -> TestClient:
    return client(app)


def _joint_case(app: Any, c: TestClient) -> str:
    case_no = api_intake(app, c)["case_no"]
    api_act(app, c, case_no, "accept", "A001")
    r = c.post(f"/api/v1/cases/{case_no}/joint", json=SETUP, headers=bearer(app, "G001"))
    assert r.status_code == 201, r.text
    return case_no


def test_api_reply_waits_for_the_lead(app: Any, c: TestClient) -> None:
    case_no = _joint_case(app, c)
    body = c.get(f"/api/v1/cases/{case_no}/joint", headers=bearer(app, "A001")).json()
    assert [o["role"] for o in body["organs"]] == ["lead", "co"]
    assert body["organs"][0]["due_date"] == "2026-12-16"  # 20 days from 2026-11-26
    r = c.post(
        f"/api/v1/cases/{case_no}/actions/reply",
        json={"outcome": "support", "opinion": "予以支持"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 409
    assert r.json()["code"] == "joint.lead_not_reported"
    assert "牵头单位尚未报送" in r.json()["detail"]
    assert "reply" not in r.json()["allowed_actions"]
    # A receptionist may not set up; a bad body is refused with the field named.
    r = c.post(f"/api/v1/cases/{case_no}/joint", json=SETUP, headers=bearer(app, "A001"))
    assert r.status_code == 403
    r = c.post(
        f"/api/v1/cases/{case_no}/joint/reports",
        json={"organ": "鼓楼区民政局", "summary": "x"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 422 and r.json()["code"] == "joint.unknown_organ"
    r = c.post(
        f"/api/v1/cases/{case_no}/joint/reports",
        json={"organ": "玄武区住建局", "summary": "已核实并发放"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 200 and r.json()["lead_reported"] is True
    api_act(app, c, case_no, "reply", "A001", outcome="support", opinion="予以支持")


def test_pages_set_up_and_show_the_section(app: Any, c: TestClient) -> None:
    case_no = api_intake(app, c)["case_no"]
    api_act(app, c, case_no, "accept", "A001")
    sign_in(c, "G001")
    page = c.get(f"/cases/{case_no}/joint")
    assert "设立联合会办" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "lead_organ": "玄武区住建局",
        "lead_task": "核实补偿款",
        "lead_days": "20",
        "co1_organ": "玄武区财政局",
        "co1_task": "核查资金",
        "co1_days": "5",
        "co1_working": "1",
    }
    r = c.post(f"/cases/{case_no}/joint", data=form)
    assert r.status_code == 303
    case_page = c.get(f"/cases/{case_no}").text
    assert "联合会办" in case_page and "玄武区财政局" in case_page
    assert "配合单位办理期限（玄武区财政局）" in case_page
    assert "答复信访人须待牵头单位（玄武区住建局）报送办理结果" in case_page
    page = c.get(f"/cases/{case_no}/joint")
    r = c.post(
        f"/cases/{case_no}/joint/meetings",
        data={
            "csrf_token": csrf_of(page.text),
            "held_on": "2026-11-26",
            "place": "区信访局会议室",
            "organ": ["玄武区住建局", "玄武区财政局"],
            "people": ["王科长", ""],
            "commitment": ["12月10日前发放", ""],
            "agreed": "住建局牵头核实，财政局配合拨付",
        },
    )
    assert r.status_code == 303
    page = c.get(f"/cases/{case_no}/joint").text
    assert "会办记录：2026-11-26，区信访局会议室" in page
    assert "玄武区住建局承诺：12月10日前发放" in page
    progress = c.get(f"/cases/{case_no}/progress").text
    assert "联合会办（《信访工作条例》第二十四条）" in progress and "区信访局会议室" in progress
    stats = c.get("/api/v1/stats?from=2026-11-01&to=2026-11-30", headers=bearer(app, "L001")).json()
    assert stats["joint"]["cases"] == 1
    leader = client(app)
    sign_in(leader, "L001")
    page = leader.get("/reports?from=2026-11-01&to=2026-11-30").text
    assert '<strong class="joint-cases">1</strong>' in page
