"""A hand-written corpus of hostile input through the pages and the API, on both backends.

Every request gets a 4xx (never a 500), nothing is half stored, and what is stored and shown back
(XSS in every field a page shows) comes back escaped. The rules are ``workflow.input_rules``,
applied once to every request by ``api.input_guard``.
"""

from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cases.runtime import Runtime
from cases.store import tables
from tests.api.helpers import assert_problem
from tests.api.pages.helpers import intake_form
from tests.factories import intake_body
from tests.web import api_intake, bearer, csrf_of, make_app, make_web_office, sign_in

BIG = "99999999999999999999"
#: Text no field may hold, each with the machine code it is refused with.
BAD_TEXT = {
    "王\x00五": "input.control_char",
    "王\x07五": "input.control_char",
    "王\x1b[31m五": "input.control_char",
    "王\u0085五": "input.control_char",
    "王\u202e五": "input.bidi_control",
    "王\u2066五\u2069": "input.bidi_control",
    "\u200b\u200b": "input.invisible_only",
    " \u200d\ufeff ": "input.invisible_only",
}
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
]
SQL = ["' OR '1'='1", '1; DROP TABLE "case"; --', "王' UNION SELECT password_hash FROM staff --"]


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> FastAPI:
    make_web_office(engine)
    return make_app(engine, rt)


@pytest.fixture
def c(app: FastAPI) -> TestClient:
    # A server error must show as a 500 answer here, not as an exception in the test.
    return TestClient(app, follow_redirects=False, raise_server_exceptions=False)


def counts(engine: Engine) -> dict[str, int]:
    """How many rows the tables an intake or an action writes to hold."""
    with engine.begin() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (
                tables.case_t,
                tables.event_t,
                tables.clock_t,
                tables.petitioner_t,
                tables.idempotency_t,
            )
        }


def with_name(name: str) -> dict[str, Any]:
    body = intake_body()
    return {**body, "petitioner": {**body["petitioner"], "name": name}}


# --- text no field may hold -------------------------------------------------------------------


@pytest.mark.parametrize("bad", list(BAD_TEXT))
def test_the_api_refuses_bad_text_in_any_field_and_stores_nothing(
    app: FastAPI, c: TestClient, engine: Engine, bad: str
) -> None:
    auth = bearer(app, "A001")
    before = counts(engine)
    for body, field in (
        (with_name(bad), "petitioner.name"),
        ({**intake_body(), "subject": bad}, "subject"),
        ({**intake_body(), "petitioner": {**intake_body()["petitioner"], "address": bad}}, None),
    ):
        problem = assert_problem(c.post("/api/v1/cases", json=body, headers=auth), 422)
        assert problem["code"] == BAD_TEXT[bad]
        if field:
            assert problem["errors"][0]["field"] == field
    assert counts(engine) == before


@pytest.mark.parametrize("bad", ["\x00", "\u202e", "\x0b"])
def test_bad_text_in_paths_queries_and_unauthenticated_forms_is_422(
    app: FastAPI, c: TestClient, bad: str
) -> None:
    case_no = api_intake(app, c)["case_no"]
    auth = bearer(app, "G001")
    path = f"/api/v1/cases/{case_no}{quote(bad)}"
    assert_problem(c.get(path, headers=auth), 422)
    assert_problem(c.get("/api/v1/cases", params={"q": f"王{bad}"}, headers=auth), 422)
    assert_problem(c.get(path), 422)  # before any sign-in
    token = c.post("/api/v1/auth/token", data={"username": f"A001{bad}", "password": "x"})
    assert_problem(token, 422)
    # The pages: an error page in Chinese naming the field, not a 500.
    login = c.post(
        "/login",
        data={
            "staff_no": f"A001{bad}",
            "password": "x",
            "csrf_token": csrf_of(c.get("/login").text),
        },
    )
    assert login.status_code == 422 and "「工号」" in login.text and "字符" in login.text
    track = c.post(
        "/track",
        data={
            "case_no": f"{case_no}{bad}",
            "code": "x",
            "csrf_token": csrf_of(c.get("/track").text),
        },
    )
    assert track.status_code == 422 and "「案件编号」" in track.text
    assert c.get("/track", params={"case_no": f"{case_no}{bad}"}).status_code == 422


def test_the_intake_page_refuses_bad_text_with_its_reason_and_stores_nothing(
    c: TestClient, engine: Engine
) -> None:
    token = sign_in(c, "A001")
    before = counts(engine)
    for bad, code in BAD_TEXT.items():
        form = {**intake_form(**{"petitioner.name": bad}), "csrf_token": token}
        r = c.post("/cases/new/register", data=form)
        assert r.status_code == 422, (bad, r.status_code)
        assert "信访人姓名" in r.text and "字符" in r.text and "所填内容未保存" in r.text, code
    assert counts(engine) == before


def test_long_text_keeps_its_lines_and_a_one_line_field_refuses_them(
    app: FastAPI, c: TestClient
) -> None:
    auth = bearer(app, "A001")
    ok = c.post(
        "/api/v1/cases",
        json={**intake_body(), "content": "第一段。\r\n\t第二段。", "requests": "一\n二"},
        headers=auth,
    )
    assert ok.status_code == 201, ok.text
    problem = assert_problem(
        c.post("/api/v1/cases", json={**intake_body(), "subject": "一\n二"}, headers=auth),
        422,
        "input.line_break",
    )
    assert problem["errors"][0]["field"] == "subject"
    note = c.post(
        f"/api/v1/cases/{ok.json()['case_no']}/actions/note",
        json={"text": "电话回访：\n已联系"},
        headers=auth,
    )
    assert note.status_code == 200, note.text


# --- ids and dates out of range ---------------------------------------------------------------


def test_ids_past_the_database_integers_are_not_found(app: FastAPI, c: TestClient) -> None:
    auth = bearer(app, "G001")
    assert_problem(c.post(f"/api/v1/escalations/{BIG}/acknowledge", headers=auth), 404)
    case_no = api_intake(app, c)["case_no"]
    assert c.get(f"/api/v1/cases/{case_no}/notices/{BIG}.pdf", headers=auth).status_code == 404
    token = sign_in(c, "G001")
    assert c.get(f"/petitioners/{BIG}").status_code == 404
    assert c.get(f"/petitioners/-{BIG}").status_code == 404
    assert c.get(f"/cases/{case_no}/attachments/{BIG}").status_code == 404
    assert c.post("/inbox/read", data={"csrf_token": token, "id": BIG}).status_code == 404
    assert c.post(
        f"/queue/escalations/{BIG}/acknowledge", data={"csrf_token": token}
    ).status_code in (
        404,
        405,
    )


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_dates_outside_1900_to_2100_are_refused_naming_the_field(
    app: FastAPI, c: TestClient, engine: Engine, day: str
) -> None:
    auth = bearer(app, "G001")
    problem = assert_problem(
        c.get("/api/v1/stats", params={"from": day, "to": day}, headers=auth), 422
    )
    assert problem["errors"][0]["field"] in ("from", "to")
    case_no = api_intake(app, c)["case_no"]
    before = counts(engine)
    received = c.post(
        "/api/v1/cases",
        json={**intake_body(), "received_at": f"{day}T09:00:00+08:00"},
        headers=bearer(app, "A001"),
    )
    assert received.json()["errors"][0]["field"] == "received_at"
    assert_problem(received, 422)
    assign = c.post(
        f"/api/v1/cases/{case_no}/actions/assign",
        json={"organ": "某区民政局", "report_by": day},
        headers=auth,
    )
    assert assert_problem(assign, 422)["errors"][0]["field"] == "report_by"
    assert counts(engine) == before
    sign_in(c, "G001")
    assert c.get("/reports", params={"from": day}).status_code == 422


# --- XSS and SQL: stored as typed, shown escaped -----------------------------------------------


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_every_shown_field_comes_back_escaped(
    app: FastAPI, c: TestClient, payload: str
) -> None:
    body = intake_body()
    body = {
        **body,
        "subject": payload[:50],
        "content": payload,
        "requests": payload,
        "petitioner": {**body["petitioner"], "name": payload[:50], "address": payload},
    }
    r = c.post("/api/v1/cases", json=body, headers=bearer(app, "A001"))
    assert r.status_code == 201, r.text
    case_no = r.json()["case_no"]
    assert r.json()["subject"] == payload[:50]  # JSON carries it as typed
    c.post(
        f"/api/v1/cases/{case_no}/actions/note",
        json={"text": payload},
        headers=bearer(app, "A001"),
    )
    sign_in(c, "A001")
    pages = [
        f"/cases/{case_no}",
        f"/cases/{case_no}/receipt",
        "/cases?q=" + case_no,
        "/",
        f"/cases/{case_no}/progress",
    ]
    for page in pages:
        html = c.get(page).text
        assert "<script>alert" not in html and "<svg/onload" not in html, page
        assert "<img src=x" not in html, page
    case_page = c.get(f"/cases/{case_no}").text
    assert 'href="javascript:' not in case_page
    if "<" in payload:
        assert "&lt;" in case_page


@pytest.mark.parametrize("fragment", SQL)
def test_sql_fragments_are_just_text(app: FastAPI, c: TestClient, fragment: str) -> None:
    api_intake(app, c)
    auth = bearer(app, "G001")
    found = c.get("/api/v1/cases", params={"q": fragment}, headers=auth)
    assert found.status_code == 200 and found.json() == []
    token = c.post("/api/v1/auth/token", data={"username": fragment, "password": fragment})
    assert token.status_code in (401, 429)
    sign_in(c, "G001")
    assert c.get("/cases", params={"q": fragment}).status_code == 200
    assert c.get(f"/cases/{quote(fragment)}").status_code == 404


def test_oversized_bodies_are_refused_before_reading(
    app: FastAPI, c: TestClient, engine: Engine
) -> None:
    before = counts(engine)
    big = {**intake_body(), "content": "长" * 600_000}
    assert_problem(c.post("/api/v1/cases", json=big, headers=bearer(app, "A001")), 413)
    deep = '{"requests": ' + "[" * 100_000 + "]" * 100_000 + "}"
    headers = {**bearer(app, "A001"), "Content-Type": "application/json"}
    r = c.post("/api/v1/cases", content=deep, headers=headers)
    assert 400 <= r.status_code < 500, r.text
    assert counts(engine) == before


# --- Idempotency-Key ----------------------------------------------------------------------------


def test_an_idempotency_key_reused_with_another_body_is_refused(
    app: FastAPI, c: TestClient, engine: Engine
) -> None:
    auth = {**bearer(app, "A001"), "Idempotency-Key": "key-0001"}
    first = c.post("/api/v1/cases", json=intake_body(), headers=auth)
    assert first.status_code == 201
    again = c.post("/api/v1/cases", json=intake_body(), headers=auth)
    assert again.json()["case_no"] == first.json()["case_no"]
    before = counts(engine)
    other = c.post("/api/v1/cases", json={**intake_body(), "subject": "另一件事"}, headers=auth)
    assert_problem(other, 422, "idempotency.body_mismatch")
    assert counts(engine) == before
