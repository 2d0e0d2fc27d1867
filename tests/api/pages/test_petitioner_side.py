"""The petitioner's side: the extension notice and the review deadline on /track, a lost 查询码
reissued after an identity check, a re-posted form that makes nothing twice, 撤回 confirmed with the
petitioner's request, and the case page naming every party and actor in Chinese."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cases.casework import tracking
from cases.store import tables
from tests.api.pages.helpers import intake_form, text_of
from tests.factories import VALID_ID
from tests.web import api_act, api_intake, bearer, client, csrf_of, sign_in


def words(page: str) -> str:
    """The page's text with its white space collapsed."""
    return " ".join(text_of(page).split())


def track(c: TestClient, no: str, code: str) -> str:
    """Open a case on /track with its number and 查询码; the page's text."""
    token = csrf_of(c.get("/track").text)
    r = c.post("/track", data={"case_no": no, "code": code, "csrf_token": token})
    assert r.status_code == 303, r.text
    return words(c.get(r.headers["location"]).text)


def extend(app: Any, c: TestClient, no: str, reason: str) -> None:
    """The owner asks for 20 more days; the group leader approves."""
    r = c.post(
        f"/api/v1/cases/{no}/extension-requests",
        json={"days": 20, "reason": reason},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 201, r.text
    r = c.post(
        f"/api/v1/extension-requests/{r.json()['id']}/decision",
        json={"approve": True},
        headers=bearer(app, "G001"),
    )
    assert r.status_code == 200, r.text


def test_track_shows_the_extension_notice_and_the_reply_but_no_internal_step(
    app: Any, c: TestClient
) -> None:
    case = api_intake(app, c)
    no = case["case_no"]
    api_act(app, c, no, "accept", "A001")
    api_act(app, c, no, "note", "A001", text="内部：信访人情绪激动")
    extend(app, c, no, "涉及多个部门，60日内难以办结。")
    text = track(client(app), no, case["query_code"])
    assert "延期告知" in text and "延期理由 涉及多个部门，60日内难以办结" in text, text
    assert "。，" not in text and "延长后届满日 2027-02-15" in text, text
    assert "将于2027-02-15 24时前作出书面答复" in text, text
    assert "内部" not in text and "王建国" not in text

    sc = client(app)
    sign_in(sc, "A001")
    page = words(sc.get(f"/cases/{no}").text)
    # On the case page the notice is marked as told to the petitioner, with who approved it.
    assert "延期告知信访人 告知信访人" in page and "陈刚（G001）" in page, page
    assert "申请延期 内部" in page and "张敏（A001）" in page
    assert "系统自动" not in page.split("申请延期")[1][:80]


def test_a_lost_query_code_is_reissued_after_the_identity_check(
    app: Any, c: TestClient, engine: Engine
) -> None:
    case = api_intake(app, c)
    no, old = case["case_no"], case["query_code"]
    owner = client(app)
    token = sign_in(owner, "A001")
    assert "重新发放查询码" in owner.get(f"/cases/{no}").text
    r = owner.post(
        f"/cases/{no}/query-code", data={"csrf_token": token, "id_number": "110105198001010016"}
    )
    assert r.status_code == 422 and "身份证号码与登记的信访人不符" in r.text
    r = owner.post(
        f"/cases/{no}/query-code",
        data={"csrf_token": token, "id_number": VALID_ID.lower(), "send_sms": "1"},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{no}/receipt"
    receipt = owner.get(r.headers["location"]).text
    assert "已重新发放查询码，原查询码已作废" in receipt
    new = receipt.split('class="mono big code">')[1].split("<")[0].replace(" ", "")
    assert len(new) == 10 and new != old
    # Shown once: the receipt reloaded no longer shows it.
    assert 'class="mono big code"' not in owner.get(f"/cases/{no}/receipt").text
    with engine.begin() as conn:
        assert not tracking.check_query_code(conn, no, old)
        assert tracking.check_query_code(conn, no, new)
        event = conn.execute(
            select(tables.event_t).order_by(tables.event_t.c.id.desc()).limit(1)
        ).one()
        sms = conn.execute(
            select(tables.outbox_t).where(tables.outbox_t.c.topic == "petitioner_sms")
        ).one()
    assert (event.action, event.actor_staff_no, event.public) == (
        "query_code_reissued",
        "A001",
        False,
    )
    assert new not in str(event.payload) and new not in str(sms.payload)  # encrypted, never clear
    assert sms.recipient_staff_no == "PETITIONER"
    # Another receptionist may not; a supervisor may, through the API.
    other = client(app)
    token = sign_in(other, "A002")
    assert f'action="/cases/{no}/query-code"' not in other.get(f"/cases/{no}").text
    r = other.post(f"/cases/{no}/query-code", data={"csrf_token": token, "id_number": VALID_ID})
    assert r.status_code == 403
    r = c.post(
        f"/api/v1/cases/{no}/query-code", json={"id_number": VALID_ID}, headers=bearer(app, "G001")
    )
    assert r.status_code == 200 and r.json()["checked"] == "id_number"
    with engine.begin() as conn:
        assert not tracking.check_query_code(conn, no, new)
        assert tracking.check_query_code(conn, no, r.json()["query_code"])


def test_a_reposted_intake_form_makes_no_second_case(
    app: Any, c: TestClient, engine: Engine
) -> None:
    token = sign_in(c, "A001")
    form_token = c.get("/cases/new").text.split('name="form_token" value="')[1].split('"')[0]
    form = {**intake_form(), "csrf_token": token, "form_token": form_token}
    # The check step (越级访 here) carries the form's token to its buttons.
    check = c.post("/cases/new/check", data=form)
    assert check.status_code == 200 and f'value="{form_token}"' in check.text
    first = c.post("/cases/new/register", data=form)
    assert first.status_code == 303 and first.headers["location"].endswith("/receipt")
    again = c.post("/cases/new/register", data=form)  # the back button, a retry, a second tab
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    assert "该表单已经提交过，未重复登记" in c.get(again.headers["location"]).text
    assert c.post("/cases/new", data=form).headers["location"] == first.headers["location"]
    with engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(tables.case_t)).scalar() == 1
    # A new form (a new token) registers anew.
    fresh = c.get("/cases/new").text.split('name="form_token" value="')[1].split('"')[0]
    c.post("/cases/new", data={**form, "form_token": fresh})
    with engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(tables.case_t)).scalar() == 2


def test_withdraw_asks_the_request_and_a_confirmation(app: Any, c: TestClient) -> None:
    no = api_intake(app, c)["case_no"]
    token = sign_in(c, "A001")
    page = c.get(f"/cases/{no}").text
    assert 'name="request.date"' in page and "下一步：核对后确认撤回" in page
    r = c.post(f"/cases/{no}/actions/withdraw", data={"csrf_token": token})
    assert r.status_code == 422 and "请填写信访人的撤回请求" in r.text
    data = {
        "csrf_token": token,
        "request.date": "2026-11-26",
        "request.how": "电话记录",
        "reason": "补偿款已到位，不再反映",
    }
    r = c.post(f"/cases/{no}/actions/withdraw", data=data)
    assert r.status_code == 200
    text = words(r.text)
    assert "确认撤回" in text and "信访人于2026-11-26以电话记录方式请求撤回" in text, text
    assert api_case_state(app, c, no) == "registered"  # nothing kept before 「确认」
    r = c.post(f"/cases/{no}/actions/withdraw", data={**data, "confirmed": "1"})
    assert r.status_code == 303 and api_case_state(app, c, no) == "withdrawn"
    page = words(c.get(f"/cases/{no}").text)
    assert "撤回 信访人于2026-11-26以电话记录方式请求撤回：补偿款已到位，不再反映" in page, page


def api_case_state(app: Any, c: TestClient, no: str) -> str:
    """The case's state as the API reads it."""
    return c.get(f"/api/v1/cases/{no}", headers=bearer(app, "A001")).json()["state"]


def test_the_case_page_names_the_group_and_every_actor(app: Any, c: TestClient) -> None:
    reps = [
        {"name": "李四", "id_number": "", "phone": "13900139001", "address": ""},
        {"name": "王五", "id_number": "", "phone": "", "address": "玄武区中山路2号"},
    ]
    no = api_intake(app, c, group_size=12, representatives=reps)["case_no"]
    api_act(
        app,
        c,
        no,
        "reassign",
        "G001",
        to_staff_no="A002",
        reason="原责任人休假",
        reason_code="leave",
    )
    sign_in(c, "G001")
    page = words(c.get(f"/cases/{no}").text)
    assert "信访人 王建国" in page and "集体访代表 李四" in page and "集体访代表 王五" in page
    assert "新责任人 李强（A002）" in page and "原责任人 张敏（A001）" in page, page
    assert "变更原因" in page and "变更说明 原责任人休假" in page
    assert "（PETITIONER）" not in page and "JF" not in page
