"""Cases over the API (api/routes/cases.py): intake with its 查询码, Idempotency-Key, lists, steps,
actions with If-Match, and confidentiality (条例第三十条第三款)."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cases.store import tables
from tests.api.helpers import CJK, assert_problem
from tests.factories import intake_body
from tests.web import (
    api_act,
    api_intake,
    bearer,
)


def test_intake_returns_201_with_the_query_code_once(app: Any, c: TestClient) -> None:
    r = c.post("/api/v1/cases", json=intake_body(), headers=bearer(app, "A001"))
    assert r.status_code == 201
    case = r.json()
    assert re.fullmatch(r"2026-\d{6}", case["case_no"])
    assert r.headers["location"] == f"/api/v1/cases/{case['case_no']}"
    assert len(case["query_code"]) == 10
    assert case["owner"] == {"staff_no": "A001", "name": "张敏"}
    assert case["petitioner"]["phone_masked"] == "138****8000"
    assert [k["name"] for k in case["clocks"]] == ["acceptance", "tracking"]
    assert "query_code" not in c.get(r.headers["location"], headers=bearer(app, "A001")).json()


def test_idempotency_key_returns_the_first_answer(app: Any, c: TestClient, engine: Engine) -> None:
    headers = {**bearer(app, "A001"), "Idempotency-Key": "retry-7f3a"}
    first = c.post("/api/v1/cases", json=intake_body(), headers=headers)
    again = c.post("/api/v1/cases", json=intake_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["case_no"] == first.json()["case_no"]
    # The same answer, except the 查询码: a replay never shows it to anyone.
    assert "query_code" not in again.json() and len(first.json()["query_code"]) == 10
    assert again.json()["jurisdiction"] == first.json()["jurisdiction"]
    with engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(tables.case_t)).scalar() == 1
    other = {**bearer(app, "A002"), "Idempotency-Key": "retry-7f3a"}
    r = c.post("/api/v1/cases", json=intake_body(), headers=other)
    assert_problem(r, 409, "idempotency.key_reused")


def test_intake_errors_list_every_field(app: Any, c: TestClient) -> None:
    bad = intake_body(subject="", region_code="12")
    bad["petitioner"]["phone"] = "123"
    r = c.post("/api/v1/cases", json=bad, headers=bearer(app, "A001"))
    body = assert_problem(r, 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"subject", "region_code", "petitioner.phone"}
    assert all(CJK.search(e["message"]) for e in body["errors"])


def test_list_filters_by_owner_and_state(app: Any, c: TestClient) -> None:
    a = api_intake(app, c, "A001")
    b = api_intake(app, c, "A002", subject="另一件")
    api_act(app, c, b["case_no"], "accept", "A002")
    h = bearer(app, "H001")
    assert {x["case_no"] for x in c.get("/api/v1/cases", headers=h).json()} == {
        a["case_no"],
        b["case_no"],
    }
    mine = c.get("/api/v1/cases", params={"owner": "A001"}, headers=h).json()
    assert [x["case_no"] for x in mine] == [a["case_no"]]
    accepted = c.get("/api/v1/cases", params={"state": "accepted"}, headers=h).json()
    assert [x["case_no"] for x in accepted] == [b["case_no"]]
    assert_problem(c.get("/api/v1/cases", params={"state": "nope"}, headers=h), 422)
    # A phone number is searched in the body, never in the URL the access log keeps.
    found = c.post("/api/v1/cases/search", json={"q": "138 0013 8000"}, headers=h).json()
    assert len(found) == 2
    refused = c.get("/api/v1/cases", params={"q": "138 0013 8000"}, headers=h)
    assert_problem(refused, 422)
    assert refused.json()["code"] == "search.use_post"


def test_case_and_events(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    api_act(app, c, case["case_no"], "note", "A001", text="已电话联系")
    r = c.get(f"/api/v1/cases/{case['case_no']}", headers=bearer(app, "A001"))
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    assert r.json()["allowed_actions"] == ["accept", "transfer", "assign", "withdraw", "note"]
    events = c.get(f"/api/v1/cases/{case['case_no']}/events", headers=bearer(app, "AU01")).json()
    assert [e["action"] for e in events] == ["intake", "note"]
    assert events[1]["payload"] == {"text": "已电话联系"}


def test_action_with_if_match(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    url = f"/api/v1/cases/{case['case_no']}/actions/accept"
    r = c.post(url, headers={**bearer(app, "A001"), "If-Match": '"1"'})
    assert r.status_code == 200
    assert r.json()["state"] == "accepted" and r.json()["version"] == 2
    assert r.headers["etag"] == '"2"'
    note = f"/api/v1/cases/{case['case_no']}/actions/note"
    r = c.post(note, json={"text": "x"}, headers={**bearer(app, "A001"), "If-Match": "1"})
    body = assert_problem(r, 412, "case.stale_version")
    assert body["version"] == 2
    r = c.post(note, json={"text": "x"}, headers={**bearer(app, "A001"), "If-Match": "soon"})
    assert_problem(r, 422, "request.bad_if_match")


def test_action_not_allowed_now_is_409_with_allowed_actions(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    r = c.post(f"/api/v1/cases/{case['case_no']}/actions/close", headers=bearer(app, "A001"))
    body = assert_problem(r, 409, "action.not_allowed_in_state")
    assert body["allowed_actions"] == ["accept", "transfer", "assign", "withdraw", "note"]


def test_action_payload_errors_and_unknown_actions(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    base = f"/api/v1/cases/{case['case_no']}/actions"
    body = assert_problem(c.post(f"{base}/transfer", headers=bearer(app, "A001")), 422)
    assert body["errors"] == [
        {"field": "organ", "code": "payload.organ_required", "message": "请填写转送机关"}
    ]
    assert_problem(c.post(f"{base}/fly", headers=bearer(app, "A001")), 422, "action.unknown")
    assert_problem(c.post(f"{base}/lapse", headers=bearer(app, "L001")), 422, "action.unknown")


def test_full_course_over_the_api(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    no = case["case_no"]
    api_act(app, c, no, "accept", "A001")
    replied = api_act(app, c, no, "reply", "H001", outcome="support", opinion="予以支持")
    assert replied["state"] == "replied"
    rated = api_act(app, c, no, "record_evaluation", "A001", rating="satisfied")
    assert rated["rating"] == "satisfied"


def accusation(app: Any, c: TestClient) -> dict[str, Any]:
    return api_intake(
        app,
        c,
        category="accusation",
        subject="举报某区住建局违规审批",
        accused={"unit": "某区住建局"},
    )


def test_accused_unit_never_sees_the_accuser(app: Any, c: TestClient) -> None:
    case = accusation(app, c)
    no = case["case_no"]
    api_act(app, c, no, "note", "A001", text="王建国补充了材料")
    x = bearer(app, "X001")
    seen = c.get(f"/api/v1/cases/{no}", headers=x).json()
    assert seen["petitioner"]["name"] == "（保密）"
    assert seen["petitioner"]["phone_masked"] is None and seen["content"] is None
    listed = c.get("/api/v1/cases", headers=x).json()
    assert [p["petitioner"]["name"] for p in listed] == ["（保密）"]
    # Searching for the accuser by name, phone or ID finds nothing for the accused unit …
    for q in ("王建国", "13800138000", "11010519491231002X"):
        assert c.post("/api/v1/cases/search", json={"q": q}, headers=x).json() == [], q
    events = c.get(f"/api/v1/cases/{no}/events", headers=x).json()
    assert all(e["payload"] == {} for e in events)
    assert "王建国" not in c.get(f"/api/v1/cases/{no}/events", headers=x).text
    # … while everyone else who reads it in full sees the petitioner.
    h = bearer(app, "G001")
    assert c.get(f"/api/v1/cases/{no}", headers=h).json()["petitioner"]["name"] == "王建国"
    assert len(c.get("/api/v1/cases", params={"q": "王建国"}, headers=h).json()) == 1


def test_accused_unit_acting_gets_a_hidden_answer(app: Any, c: TestClient) -> None:
    case = accusation(app, c)
    api_act(app, c, case["case_no"], "accept", "A001")
    r = c.post(
        f"/api/v1/cases/{case['case_no']}/actions/reply",
        json={"outcome": "explain", "opinion": "已核查"},
        headers=bearer(app, "X001"),
    )
    assert r.status_code == 200
    assert r.json()["petitioner"]["name"] == "（保密）"


def test_each_clock_says_where_it_stands(app: Any, c: TestClient) -> None:
    """The case JSON's clocks carry workflow.standing's fields, the same the desk and queue show."""
    late = api_intake(app, c, received_at="2026-11-09T09:00:00+08:00")  # acceptance due 11-24
    r = c.get(f"/api/v1/cases/{late['case_no']}", headers=bearer(app, "A001"))
    acceptance, tracking = r.json()["clocks"]
    # Not yet swept: the level reached by now (NOW, 11-26 10:00) all the same.
    assert {k: acceptance[k] for k in STANDING_FIELDS} == {
        "level": "overdue",
        "standing": "overdue",
        "standing_label": "已超期",
        "remaining_days": None,
        "remaining_hours": None,
        "overdue_days": 2,
        "overdue_working_days": 2,
        "remaining_text": "超期2日（2个工作日）",
        "counted": True,
    }
    assert (tracking["standing"], tracking["remaining_days"], tracking["remaining_text"]) == (
        "running",
        7,
        "剩余7日",
    )
    api_act(app, c, late["case_no"], "accept", "A001")
    api_act(app, c, late["case_no"], "reply", "H001", outcome="support", opinion="予以支持")
    shown = c.get(f"/api/v1/cases/{late['case_no']}", headers=bearer(app, "A001")).json()
    window = next(k for k in shown["clocks"] if k["name"] == "review_window")
    assert (window["counted"], window["level"], window["remaining_text"]) == (
        False,
        None,
        "剩余32日",
    )
    finished = next(k for k in shown["clocks"] if k["name"] == "acceptance")
    assert (finished["standing"], finished["remaining_text"]) == ("finished", "已结束")


STANDING_FIELDS = (
    "level",
    "standing",
    "standing_label",
    "remaining_days",
    "remaining_hours",
    "overdue_days",
    "overdue_working_days",
    "remaining_text",
    "counted",
)
