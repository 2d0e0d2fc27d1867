"""Public tracking: public steps only, one rating, and guessing slowed per case and per address."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cases.store import tables
from tests.api.pages.helpers import text_of
from tests.web import api_act, api_intake, client, csrf_of


def track(c: TestClient, no: str, code: str) -> Any:
    """Post the tracking form with a case number and a 查询码."""
    token = csrf_of(c.get("/track").text)
    return c.post("/track", data={"case_no": no, "code": code, "csrf_token": token})


def test_track_shows_public_steps_only_then_rates_once(
    app: Any, c: TestClient, engine: Engine
) -> None:
    case = api_intake(app, c)
    no = case["case_no"]
    api_act(app, c, no, "note", "A001", text="内部跟踪：信访人情绪激动")
    api_act(app, c, no, "accept", "A001")
    anon = client(app)
    r = track(anon, no, case["query_code"].lower()[:5] + " " + case["query_code"][5:])
    assert r.status_code == 303 and r.headers["location"] == f"/track/{no}"
    page = anon.get(r.headers["location"]).text
    text = text_of(page)
    assert "登记" in text and "受理" in text and "张敏" in text and "A001" in text
    assert "内部跟踪" not in text and "王建国" not in text and "13800138000" not in text
    assert "答复后可以评价" in text and "/rating" not in page
    # The deadlines in plain words, without the owner's internal tracking cadence.
    words = " ".join(text.split())
    assert "办理期限 ：2027-01-25（周一）24时届满（暂定） 还有60日" in words, words
    assert "跟踪记录周期" not in text
    api_act(
        app,
        c,
        no,
        "reply",
        "H001",
        outcome="support",
        opinion="经核查，补偿款将于12月底前发放到位。",
    )
    page = anon.get(f"/track/{no}").text
    assert "/rating" in page
    words = " ".join(text_of(page).split())
    # The reply written for the petitioner, in full, and what they may do next and until when.
    assert "处理意见书" in words and "经核查，补偿款将于12月底前发放到位。" in words
    assert "处理意见： 支持" in words, words
    assert "如不服处理意见，可于2026-12-28 24时前向本机关的上一级行政机关申请复查" in words, words
    assert "内部跟踪" not in words
    assert "复查请求期限 ：2026-12-28（周一）24时届满 您还有32日可以提出请求" in words, words
    token = csrf_of(page)
    r = anon.post(f"/track/{no}/rating", data={"csrf_token": token, "rating": "dissatisfied"})
    assert r.status_code == 303
    page = anon.get(f"/track/{no}").text
    assert "感谢您的评价" in page and "您的评价" in page and "不满意" in page
    assert "/rating" not in page
    r = anon.post(f"/track/{no}/rating", data={"csrf_token": token, "rating": "satisfied"})
    assert "已经评价过" in anon.get(r.headers["location"]).text
    with engine.begin() as conn:
        last = conn.execute(
            select(tables.event_t.c.action, tables.event_t.c.actor_staff_no)
            .order_by(tables.event_t.c.id.desc())
            .limit(1)
        ).one()
        rating = conn.execute(
            select(tables.case_t.c.rating).where(tables.case_t.c.case_no == no)
        ).scalar()
    assert tuple(last) == ("record_evaluation", "PETITIONER") and rating == "dissatisfied"


def test_track_without_the_code_shows_nothing(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    anon = client(app)
    r = anon.get(f"/track/{case['case_no']}")
    assert r.status_code == 303 and r.headers["location"] == "/track"
    token = csrf_of(anon.get("/track").text)
    r = anon.post(
        f"/track/{case['case_no']}/rating", data={"csrf_token": token, "rating": "satisfied"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/track"


def test_track_guessing_is_slowed_per_case_number(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    anon = client(app)
    for _ in range(4):
        r = track(anon, case["case_no"], "AAAAAAAAAA")
        assert r.status_code == 400 and "案件编号或查询码不正确" in r.text
    r = track(anon, case["case_no"], "AAAAAAAAAA")
    assert r.status_code == 400 and "失败次数过多" in r.text
    # Now even the right code waits: guessing gains nothing.
    r = track(anon, case["case_no"], case["query_code"])
    assert r.status_code == 429 and "查询失败次数过多，请在2秒后再试" in r.text
    assert r.headers["retry-after"] == "2"
    # The petitioner, elsewhere, is not kept out by someone guessing their case number.
    elsewhere = TestClient(app, client=("10.9.8.7", 50000), follow_redirects=False)
    assert track(elsewhere, case["case_no"], case["query_code"]).status_code == 303


def test_track_guessing_is_slowed_per_address(
    app: Any, c: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.accounts import throttle

    monkeypatch.setattr(throttle, "PER_CLIENT", throttle.Rule(free=3))
    case = api_intake(app, c)
    anon = client(app)
    for n in range(4):  # three free, the fourth waits
        track(anon, f"2026-00009{n}", "AAAAAAAAAA")
    assert track(anon, case["case_no"], case["query_code"]).status_code == 429
