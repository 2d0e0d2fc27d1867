"""The JSON API of contract.md: tokens, cases, actions, If-Match, escalations, errors, limits."""

import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from api.security import BackOff, wait_text
from cases.casework import intake, reading
from cases.runtime import Runtime
from cases.store import tables
from cases.supervision.sweeper import sweep
from conftest import at
from tests.factories import intake_body
from tests.web import (
    NOW,
    PASSWORD,
    api_act,
    api_intake,
    bearer,
    client,
    make_app,
    make_web_office,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
PROBLEM = "application/problem+json"


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    make_web_office(engine)
    return make_app(engine, rt)


@pytest.fixture
def c(app: Any) -> TestClient:
    return client(app)


def assert_problem(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status
    assert CJK.search(body["detail"]), body
    if code:
        assert body["code"] == code, body
    return body


# --- tokens -------------------------------------------------------------------------------------


def test_token_for_staff_no_and_password(app: Any, c: TestClient) -> None:
    r = c.post("/api/v1/auth/token", data={"username": "A001", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {
        "staff_no": "A001",
        "name": "张敏",
        "role": "receptionist",
        "role_label": "接访员",
    }


def test_wrong_password_and_bad_tokens_are_401(app: Any, c: TestClient) -> None:
    r = c.post("/api/v1/auth/token", data={"username": "A001", "password": "nope"})
    assert_problem(r, 401, "auth.invalid_credentials")
    r = c.post("/api/v1/auth/token", data={"username": "NOBODY", "password": PASSWORD})
    assert_problem(r, 401, "auth.invalid_credentials")
    r = c.get("/api/v1/cases", headers={"Authorization": "Bearer forged.token.value"})
    body = assert_problem(r, 401, "auth.invalid_token")
    assert r.headers["www-authenticate"] == "Bearer"
    assert body["detail"] == "访问令牌无效或已过期，请重新登录"


def test_token_dies_with_a_password_change(app: Any, c: TestClient, engine: Engine) -> None:
    headers = bearer(app, "A001")
    assert c.get("/api/v1/me", headers=headers).status_code == 200
    with engine.begin() as conn:
        conn.execute(
            tables.staff_t.update()
            .where(tables.staff_t.c.staff_no == "A001")
            .values(password_hash="$argon2id$changed")
        )
    assert_problem(c.get("/api/v1/me", headers=headers), 401)


def test_expired_token_is_refused(app: Any, c: TestClient) -> None:
    app.state.ctx.tokens.lifetime = -1
    assert_problem(c.get("/api/v1/me", headers=bearer(app, "A001")), 401, "auth.invalid_token")


def test_backoff_after_repeated_failures(sqlite_engine: Engine, rt: Runtime) -> None:
    make_web_office(sqlite_engine)
    app = make_app(sqlite_engine, rt)
    c = client(app)
    for _ in range(4):
        r = c.post("/api/v1/auth/token", data={"username": "A001", "password": "wrong"})
        assert r.status_code == 401
    r = c.post("/api/v1/auth/token", data={"username": "A001", "password": "wrong"})
    body = assert_problem(r, 429, "auth.locked")
    assert "锁定" in body["detail"] and "分钟" in body["detail"]
    assert int(r.headers["retry-after"]) == 60
    # While locked even the right password is refused, and says so in Chinese.
    r = c.post("/api/v1/auth/token", data={"username": "A001", "password": PASSWORD})
    assert_problem(r, 429, "auth.locked")
    # Another 工号 from the same address is not locked yet …
    r = c.post("/api/v1/auth/token", data={"username": "A002", "password": PASSWORD})
    assert r.status_code == 200


def test_backoff_per_client_address(sqlite_engine: Engine, rt: Runtime) -> None:
    make_web_office(sqlite_engine)
    app = make_app(sqlite_engine, rt)
    app.state.ctx.login_by_ip = BackOff(threshold=3)
    c = client(app)
    for staff_no in ("A001", "A002", "A003"):
        c.post("/api/v1/auth/token", data={"username": staff_no, "password": "wrong"})
    r = c.post("/api/v1/auth/token", data={"username": "G001", "password": PASSWORD})
    assert_problem(r, 429, "auth.locked")


def test_backoff_grows_and_expires() -> None:
    now = [1000.0]
    b = BackOff(threshold=3, base=60, cap=300, window=600, clock=lambda: now[0])
    assert [b.fail("k") for _ in range(2)] == [0.0, 0.0]
    assert b.fail("k") == 60
    assert b.fail("k") == 120
    assert b.fail("k") == 240
    assert b.fail("k") == 300  # capped
    now[0] += 299
    assert b.locked_for("k") == pytest.approx(1)
    now[0] += 2
    assert b.locked_for("k") == 0
    b.succeed("k")
    assert b.fail("k") == 0.0
    assert wait_text(59) == "59秒" and wait_text(61) == "2分钟" and wait_text(3600) == "1小时"


def test_backoff_stays_bounded() -> None:
    now = [0.0]
    b = BackOff(threshold=5, window=10, max_keys=100, clock=lambda: now[0])
    for i in range(500):
        now[0] += 1
        b.fail(f"ip:{i}")
    assert len(b._entries) <= 101


# --- cases ---------------------------------------------------------------------------------------


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
    assert again.json()["query_code"] == first.json()["query_code"]
    assert again.json()["jurisdiction"] == first.json()["jurisdiction"]  # the same whole answer
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


def test_framework_validation_is_problem_json_in_chinese(app: Any, c: TestClient) -> None:
    headers = {**bearer(app, "A001"), "Content-Type": "application/json"}
    r = c.post("/api/v1/cases", content=b'{"channel": ', headers=headers)
    body = assert_problem(r, 422, "request.invalid")
    assert body["detail"] == "请求内容不是有效的 JSON"
    r = c.post("/api/v1/cases", content=b"[1, 2]", headers=headers)
    assert_problem(r, 422, "request.invalid")
    r = c.get("/api/v1/cases?limit=0", headers=bearer(app, "A001"))
    body = assert_problem(r, 422)
    assert body["errors"][0]["field"] == "limit"


def test_oversized_body_is_413(app: Any, c: TestClient) -> None:
    big = intake_body(content="信" * 400_000)  # 1.2 MB in UTF-8
    r = c.post("/api/v1/cases", json=big, headers=bearer(app, "A001"))
    assert_problem(r, 413, "request.too_large")


def test_unknown_routes_are_problem_json(app: Any, c: TestClient) -> None:
    assert_problem(c.get("/api/v1/nothing-here", headers=bearer(app, "A001")), 404)
    assert_problem(c.get("/api/v1/cases/2026-999999", headers=bearer(app, "A001")), 404)


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
    found = c.get("/api/v1/cases", params={"q": "138 0013 8000"}, headers=h).json()
    assert len(found) == 2


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


def test_escalations_sorted_by_level_then_lateness(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    late = api_intake(app, c, received_at="2026-10-08T09:00:00+08:00", subject="早")
    later = api_intake(app, c, received_at="2026-11-02T09:00:00+08:00", subject="中")
    recent = api_intake(app, c, received_at="2026-11-09T09:00:00+08:00", subject="晚")
    sweep(engine, rt, now=NOW)
    r = c.get("/api/v1/escalations", params={"status": "open"}, headers=bearer(app, "G001"))
    assert r.status_code == 200
    items = [(e["case_no"], e["clock"], e["level"]) for e in r.json()]
    acceptance = [i for i in items if i[1] == "acceptance"]
    assert acceptance == [
        (late["case_no"], "acceptance", "flagged"),
        (later["case_no"], "acceptance", "supervision"),
        (recent["case_no"], "acceptance", "overdue"),
    ]
    first = r.json()[0]
    assert first["level_label"] == "挂牌督办" and first["days_late"] > 10
    assert first["owner"]["staff_no"] == "A001"
    assert_problem(c.get("/api/v1/escalations?status=odd", headers=bearer(app, "G001")), 422)


def test_health_and_openapi(app: Any, c: TestClient) -> None:
    assert c.get("/healthz").json() == {"status": "ok"}
    spec = c.get("/openapi.json").json()
    for path in (
        "/api/v1/auth/token",
        "/api/v1/cases",
        "/api/v1/cases/{case_no}",
        "/api/v1/cases/{case_no}/events",
        "/api/v1/cases/{case_no}/actions/{action}",
        "/api/v1/escalations",
    ):
        assert path in spec["paths"], path
    assert not any(p.startswith("/track") for p in spec["paths"])


def test_health_answers_503_when_the_database_does_not(rt: Runtime, tmp_path: Any) -> None:
    from cases.db import make_engine

    app = make_app(make_engine(f"sqlite:///{tmp_path}/missing/dir/x.db"), rt)
    r = client(app).get("/healthz")
    assert_problem(r, 503, "health.db_unavailable")


# --- confidentiality (条例第三十条第三款) ----------------------------------------------------------


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
        assert c.get("/api/v1/cases", params={"q": q}, headers=x).json() == [], q
    events = c.get(f"/api/v1/cases/{no}/events", headers=x).json()
    assert all(e["payload"] == {} for e in events)
    assert "王建国" not in c.get(f"/api/v1/cases/{no}/events", headers=x).text
    # … while everyone else sees the petitioner.
    h = bearer(app, "H001")
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


# --- the background sweeper ---------------------------------------------------------------------


def test_background_sweeper_runs_inside_the_app(sqlite_engine: Engine, rt: Runtime) -> None:
    from api.app import create_app
    from cases.settings import Clock

    make_web_office(sqlite_engine)
    app = create_app(engine=sqlite_engine, rt=rt, clock=Clock(NOW), sweep_interval=0.05)
    with sqlite_engine.begin() as conn:
        intake.intake(
            conn,
            rt,
            body=intake_body(received_at="2026-10-08T09:00:00+08:00"),
            actor_staff_no="A001",
            now=at("2026-11-01 09:00"),
        )
    with TestClient(app):
        deadline = time.monotonic() + 5
        count = 0
        while time.monotonic() < deadline and not count:
            time.sleep(0.05)
            with sqlite_engine.begin() as conn:
                count = conn.execute(
                    select(func.count()).select_from(tables.escalation_t)
                ).scalar_one()
    assert count >= 1


def test_sweeper_off_when_interval_is_zero(sqlite_engine: Engine, rt: Runtime) -> None:
    app = make_app(sqlite_engine, rt)
    assert app.state.sweep_interval == 0
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200


def test_unexpected_failure_is_problem_json(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(reading, "show", boom)
    c = TestClient(app, raise_server_exceptions=False)
    r = c.get("/api/v1/cases/2026-000001", headers=bearer(app, "A001"))
    body = assert_problem(r, 500, "server.error")
    assert "disk on fire" not in r.text and body["detail"] == "服务器内部错误，请稍后重试"


def test_oversized_chunked_body_is_413(app: Any, c: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(20):
            yield b"x" * 64 * 1024  # 1.25 MB in all, sent without a Content-Length

    headers = {**bearer(app, "A001"), "Content-Type": "application/json"}
    r = c.post("/api/v1/cases", content=chunks(), headers=headers)
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert_problem(r, 413, "request.too_large")
