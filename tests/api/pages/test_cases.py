"""The case page, its action forms (post/redirect/get), search, escaping, confidentiality."""

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.api.pages.helpers import text_of
from tests.web import api_act, api_intake, sign_in


def test_case_page_shows_clocks_timeline_and_only_allowed_actions(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    api_act(app, c, case["case_no"], "note", "A001", text="已联系信访人")
    sign_in(c, "A001")
    page = c.get(f"/cases/{case['case_no']}").text
    forms = re.findall(r'action="/cases/[^"]+/actions/(\w+)"', page)
    assert forms == ["accept", "transfer", "assign", "withdraw", "note"]
    assert "reject" not in forms  # 不予受理 is for supervisors only
    text = text_of(page)
    assert "受理告知期限" in text and "届满 2026-12-11（周五） · 剩余15日" in " ".join(text.split())
    assert "自2026-11-26次日起算15日" in text
    assert "已联系信访人" in text and "跟踪记录" in text


def test_supervisor_sees_reject_with_its_reasons(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    sign_in(c, "G001")
    page = c.get(f"/cases/{case['case_no']}").text
    assert "/actions/reject" in page and "应当通过诉讼途径解决" in page


def test_action_post_redirect_get_with_a_flash(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    no = case["case_no"]
    token = sign_in(c, "A001")
    r = c.post(f"/cases/{no}/actions/accept", data={"csrf_token": token, "version": "1"})
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{no}"
    page = c.get(f"/cases/{no}").text
    assert '<div class="flash flash-success" role="status">已受理</div>' in page
    assert "办理期限" in page
    # The flash is shown once.
    assert "flash-success" not in c.get(f"/cases/{no}").text


def test_action_errors_keep_the_form(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    api_act(app, c, case["case_no"], "accept", "A001")
    token = sign_in(c, "H001")
    r = c.post(
        f"/cases/{case['case_no']}/actions/reply",
        data={"csrf_token": token, "outcome": "support", "opinion": ""},
    )
    assert r.status_code == 422
    assert "请填写处理意见书内容" in r.text
    assert '<details class="action" open>' in r.text


def test_stale_version_from_a_page_is_a_flash(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    api_act(app, c, case["case_no"], "note", "A001", text="先写一条")
    token = sign_in(c, "A001")
    r = c.post(
        f"/cases/{case['case_no']}/actions/accept", data={"csrf_token": token, "version": "1"}
    )
    assert r.status_code == 303
    assert "已被他人修改" in c.get(r.headers["location"]).text


def test_search_by_number_name_phone_and_id(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    api_intake(
        app,
        c,
        subject="别的事",
        petitioner={"name": "李梅", "phone": "025-83456789", "address": "鼓楼区"},
    )
    csrf = sign_in(c, "G001")  # a supervisor reads every case in full

    def search(q: str) -> str:
        # The search form posts: a phone or ID number never reaches a URL (the access log).
        return c.post("/cases/search", data={"q": q, "csrf_token": csrf}).text

    for q in (case["case_no"], "建国", "138-0013-8000", "+86 138 0013 8000", "11010519491231002x"):
        page = search(q)
        assert case["case_no"] in page and "别的事" not in page, q
    assert "李梅" in search("02583456789")
    assert "没有找到" in search("无此人")
    # By case number or name a link still works; a number in the URL is refused, not searched.
    assert case["case_no"] in c.get("/cases", params={"q": "建国"}).text
    refused = c.get("/cases", params={"q": "13800138000"})
    assert refused.status_code == 400 and case["case_no"] not in refused.text
    assert "不能放在网址中" in refused.text


def test_script_in_text_is_escaped_everywhere(app: Any, c: TestClient) -> None:
    evil = "<script>alert('x')</script>"
    case = api_intake(app, c, subject=evil, content=evil)
    api_act(app, c, case["case_no"], "note", "A001", text=evil)
    sign_in(c, "A001")
    for url in ("/", "/cases", f"/cases/{case['case_no']}", f"/cases/{case['case_no']}/receipt"):
        page = c.get(url).text
        assert "<script>" not in page, url
        assert "&lt;script&gt;" in page, url


def test_accused_unit_sees_no_accuser_on_pages(app: Any, c: TestClient) -> None:
    case = api_intake(
        app,
        c,
        category="accusation",
        subject="举报违规审批",
        content="举报人王建国反映某区住建局违规审批",
        accused={"unit": "某区住建局"},
    )
    api_act(app, c, case["case_no"], "note", "A001", text="王建国又来电")
    sign_in(c, "X001")
    page = c.get(f"/cases/{case['case_no']}").text
    assert "王建国" not in page and "138****8000" not in page
    assert "（保密）" in page
    assert "王建国" not in c.get("/cases").text
    assert "举报违规审批" not in c.get("/cases", params={"q": "王建国"}).text
    # The receipt is for the petitioner; the accused unit's copy hides them too.
    assert "王建国" not in c.get(f"/cases/{case['case_no']}/receipt").text
