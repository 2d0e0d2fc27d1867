"""The pages: sign-in, CSRF, intake with field errors, receipt, case page, search, tracking, wall."""

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cases.casework import search, tracking
from cases.runtime import Runtime
from cases.store import tables
from tests.factories import intake_body
from tests.web import (
    PASSWORD,
    api_act,
    api_intake,
    client,
    csrf_of,
    make_app,
    make_web_office,
    sign_in,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    make_web_office(engine)
    return make_app(engine, rt)


@pytest.fixture
def c(app: Any) -> TestClient:
    return client(app)


@pytest.fixture
def sc(sqlite_engine: Engine, rt: Runtime) -> TestClient:
    """A client on SQLite only, for what does not depend on the database."""
    make_web_office(sqlite_engine)
    return client(make_app(sqlite_engine, rt))


def text_of(page: str) -> str:
    """The page's text without tags, entities decoded (what a reader sees)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def intake_form(**overrides: str) -> dict[str, str]:
    form = {
        "channel": "visit",
        "category": "appeal",
        "region_code": "320102",
        "group_size": "1",
        "petitioner.name": "王建国",
        "petitioner.id_number": "11010519491231002X",
        "petitioner.phone": "13800138000",
        "petitioner.address": "南京市玄武区中山路1号",
        "subject": "拆迁补偿款未发放",
        "content": "补偿款至今未到位。",
        "requests": "尽快发放",
    }
    form.update(overrides)
    return form


# --- sign-in -----------------------------------------------------------------------------------


def test_sign_in_sets_a_safe_session_cookie(c: TestClient) -> None:
    page = c.get("/login")
    assert page.status_code == 200 and "工号" in page.text and "密码" in page.text
    token = csrf_of(page.text)
    r = c.post(
        "/login",
        data={"staff_no": "A001", "password": PASSWORD, "csrf_token": token, "next": "/cases"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/cases"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    # A new session begins at sign-in: the token of the anonymous page no longer works.
    assert csrf_of(c.get("/track").text) != token
    desk = c.get("/")
    assert desk.status_code == 200 and "张敏" in desk.text and "我的案件" in desk.text


def test_wrong_password_keeps_the_staff_no_and_says_so(sc: TestClient) -> None:
    c = sc
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"staff_no": "A001", "password": "x", "csrf_token": token})
    assert r.status_code == 401
    assert "工号或密码不正确" in r.text and 'value="A001"' in r.text


def test_sign_in_locks_after_five_failures(sc: TestClient) -> None:
    c = sc
    token = csrf_of(c.get("/login").text)
    for _ in range(5):
        r = c.post("/login", data={"staff_no": "A002", "password": "x", "csrf_token": token})
    assert r.status_code == 429 and "锁定" in r.text and "1分钟后再试" in r.text
    r = c.post("/login", data={"staff_no": "A002", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and r.headers["retry-after"]


def test_next_never_leaves_the_site(sc: TestClient) -> None:
    c = sc
    token = csrf_of(c.get("/login").text)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        c.cookies.clear()
        token = csrf_of(c.get("/login").text)
        r = c.post(
            "/login",
            data={"staff_no": "A001", "password": PASSWORD, "csrf_token": token, "next": target},
        )
        assert r.headers["location"] == "/", target


def test_anonymous_pages_redirect_to_login_and_back(sc: TestClient) -> None:
    c = sc
    r = c.get("/cases?q=王")
    assert r.status_code == 303
    location = urlsplit(r.headers["location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/cases?q=%E7%8E%8B"]}


def test_logout_ends_the_session(sc: TestClient) -> None:
    c = sc
    token = sign_in(c, "A001")
    r = c.post("/logout", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert c.get("/").status_code == 303
    assert "已退出登录" in c.get("/login").text


def test_every_page_post_needs_the_csrf_token(sc: TestClient) -> None:
    c = sc
    sign_in(c, "A001")
    for data in ({}, {"csrf_token": "forged"}):
        r = c.post("/cases/new", data={**intake_form(), **data})
        assert r.status_code == 403 and "页面已过期" in r.text
    r = c.post("/logout", data={})
    assert r.status_code == 403
    assert c.get("/").status_code == 200  # still signed in


def test_pages_carry_security_headers(sc: TestClient) -> None:
    c = sc
    r = c.get("/login")
    assert "script-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-frame-options"] == "DENY"
    assert c.get("/static/style.css").status_code == 200


# --- intake --------------------------------------------------------------------------------------


def test_intake_errors_keep_what_was_typed(c: TestClient) -> None:
    token = sign_in(c, "A001")
    form = intake_form(
        **{
            "petitioner.phone": "12345",
            "subject": "",
            "group_size": "3",
            # The representative was typed in the third row: the error must show there.
            "representatives.2.name": "李四",
            "representatives.2.phone": "999",
        }
    )
    r = c.post("/cases/new", data={**form, "csrf_token": token})
    assert r.status_code == 422
    page = r.text
    assert "有 3 处需要更正" in page
    assert 'value="王建国"' in page and 'value="李四"' in page and 'value="12345"' in page
    phone_block = page.split('id="f-petitioner-phone"')[1].split("</div>")[0]
    assert "联系电话号码无效" in phone_block
    rep_cell = page.split('id="f-representatives-2-phone"')[1].split("</td>")[0]
    assert "第1位代表联系电话" in rep_cell
    assert "标题不能为空" in page.split('id="f-subject"')[1].split("</div>")[0]
    assert '<details class="card" open>' in page


def test_group_visit_with_representatives(c: TestClient, app: Any, engine: Engine) -> None:
    token = sign_in(c, "A001")
    form = intake_form(
        group_size="12",
        **{
            "representatives.0.name": "李四",
            "representatives.0.phone": "13900139000",
            "representatives.1.name": "赵五",
            "representatives.1.address": "玄武区",
        },
    )
    r = c.post("/cases/new", data={**form, "csrf_token": token})
    assert r.status_code == 303, r.text
    no = r.headers["location"].split("/")[2]
    case = c.get(f"/cases/{no}").text
    assert "集体访 12人" in case
    with engine.begin() as conn:
        reps = conn.execute(select(search.rep_t)).all()
    assert len(reps) == 2


def test_intake_then_receipt_shows_the_query_code_once(c: TestClient, engine: Engine) -> None:
    token = sign_in(c, "A001")
    r = c.post("/cases/new", data={**intake_form(), "csrf_token": token})
    assert r.status_code == 303
    url = r.headers["location"]
    assert re.fullmatch(r"/cases/2026-\d{6}/receipt", url)
    no = url.split("/")[2]
    receipt = c.get(url).text
    m = re.search(r'class="mono big code">([A-Z0-9]{5}) ([A-Z0-9]{5})<', receipt)
    assert m, receipt
    code = m.group(1) + m.group(2)
    assert code not in url
    with engine.begin() as conn:
        assert tracking.check_query_code(conn, no, code)
    text = text_of(receipt)
    assert "信访事项登记回执" in text and no in text
    assert "受理告知期限" in text and "2026-12-11（周五）" in text
    assert "自2026-11-26次日起算15日" in text
    assert "@media print" in c.get("/static/style.css").text
    # Shown once: the next view of the receipt no longer carries it.
    again = c.get(url).text
    assert code not in again and "已不再显示" in again


# --- the case page -------------------------------------------------------------------------------


def test_case_page_shows_clocks_timeline_and_only_allowed_actions(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    api_act(app, c, case["case_no"], "note", "A001", text="已联系信访人")
    sign_in(c, "A001")
    page = c.get(f"/cases/{case['case_no']}").text
    forms = re.findall(r'action="/cases/[^"]+/actions/(\w+)"', page)
    assert forms == ["accept", "transfer", "assign", "withdraw", "note"]
    assert "reject" not in forms  # 不予受理 is for supervisors only
    text = text_of(page)
    assert "受理告知期限" in text and "届满 2026-12-11（周五）" in text
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


def test_desk_sorts_my_cases(app: Any, c: TestClient) -> None:
    api_intake(app, c, received_at="2026-10-20T09:00:00+08:00", subject="早已超期")
    api_intake(app, c, received_at="2026-11-12T09:00:00+08:00", subject="快到期")
    api_intake(app, c, subject="今天登记")
    api_intake(app, c, "A002", subject="别人的")
    sign_in(c, "A001")
    page = c.get("/").text
    counts = {
        label: int(n)
        for n, label in re.findall(
            r'class="stat-num">(\d+)</span><span class="stat-label">([^<]+)<', page
        )
    }
    assert counts == {"首接在办": 3, "已超期": 1, "临近期限": 1, "待写跟踪记录": 0}
    sections = {
        name: text_of(page.split(f'id="{name}"')[1].split("</section>")[0])
        for name in ("overdue", "due-soon", "open")
    }
    assert "早已超期" in sections["overdue"] and "快到期" not in sections["overdue"]
    assert "快到期" in sections["due-soon"]
    assert "今天登记" in sections["open"] and "别人的" not in page


def test_handler_desk_lists_cases_awaiting_a_reply(app: Any, c: TestClient) -> None:
    case = api_intake(app, c, subject="待答复的事")
    api_act(app, c, case["case_no"], "accept", "A001")
    sign_in(c, "H001")
    page = c.get("/").text
    assert "待答复事项" in page and "待答复的事" in page


# --- search, escaping, confidentiality ----------------------------------------------------------


def test_search_by_number_name_phone_and_id(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    api_intake(
        app,
        c,
        subject="别的事",
        petitioner={"name": "李梅", "phone": "025-83456789", "address": "鼓楼区"},
    )
    sign_in(c, "H001")
    for q in (case["case_no"], "建国", "138-0013-8000", "+86 138 0013 8000", "11010519491231002x"):
        page = c.get("/cases", params={"q": q}).text
        assert case["case_no"] in page and "别的事" not in page, q
    assert "李梅" in c.get("/cases", params={"q": "02583456789"}).text
    assert "没有找到" in c.get("/cases", params={"q": "无此人"}).text


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


# --- public tracking -------------------------------------------------------------------------------


def track(c: TestClient, no: str, code: str) -> Any:
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
    api_act(app, c, no, "reply", "H001", outcome="support", opinion="予以支持，内部意见")
    page = anon.get(f"/track/{no}").text
    assert "内部意见" not in page and "/rating" in page
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
    assert r.status_code == 429 and "查询失败次数过多，请在1分钟后再试" in r.text


def test_track_guessing_is_slowed_per_address(app: Any, c: TestClient) -> None:
    from api.security import BackOff

    app.state.ctx.track_by_ip = BackOff(threshold=3)
    case = api_intake(app, c)
    anon = client(app)
    for n in range(3):
        track(anon, f"2026-00009{n}", "AAAAAAAAAA")
    assert track(anon, case["case_no"], case["query_code"]).status_code == 429


# --- the staff wall and its administration --------------------------------------------------------


def upload(c: TestClient, token: str, staff_no: str, data: bytes, name: str = "p.png") -> Any:
    return c.post(
        f"/admin/staff/{staff_no}",
        data={"csrf_token": token, "pledge": "群众利益无小事"},
        files={"photo": (name, data, "image/png")},
    )


def test_staff_wall_is_public(app: Any) -> None:
    page = client(app).get("/staff")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "党员公示" in text and "张敏" in text and "A001" in text and "第一党小组" in text


def test_admin_uploads_photos_checked_by_their_bytes(app: Any, c: TestClient) -> None:
    token = sign_in(c, "AD01")
    assert c.get("/admin/staff").status_code == 200
    r = upload(c, token, "A001", PNG)
    assert r.status_code == 303
    assert "已更新 A001" in c.get("/admin/staff").text
    photo = client(app).get("/staff/A001/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.content == PNG
    assert upload(c, token, "A002", JPEG, "p.jpg").status_code == 303
    assert client(app).get("/staff/A002/photo").headers["content-type"] == "image/jpeg"
    wall = client(app).get("/staff").text
    assert 'src="/staff/A001/photo"' in wall and "群众利益无小事" in wall
    # A GIF or a script named .png is refused, whatever the name and declared type say.
    for bad in (b"GIF89a" + b"\x00" * 20, b"<script>alert(1)</script>"):
        upload(c, token, "A003", bad)
        assert "照片只能是 JPEG 或 PNG 格式" in c.get("/admin/staff").text
    upload(c, token, "A003", PNG + b"\x00" * (2 * 1024 * 1024))
    assert "照片不能超过2MB" in c.get("/admin/staff").text
    assert client(app).get("/staff/A003/photo").status_code == 404
    r = upload(c, token, "A003", PNG + b"\x00" * (3 * 1024 * 1024))
    assert r.status_code == 413


def test_only_admins_manage_staff(app: Any, c: TestClient) -> None:
    token = sign_in(c, "A001")
    assert c.get("/admin/staff").status_code == 403
    assert upload(c, token, "A001", PNG).status_code == 403
    assert client(app).get("/staff/A001/photo").status_code == 404


def test_error_pages_are_html_in_chinese(app: Any, c: TestClient) -> None:
    sign_in(c, "A001")
    r = c.get("/cases/2026-999999")
    assert r.status_code == 404 and "没有编号为 2026-999999 的信访事项" in r.text
    assert r.headers["content-type"].startswith("text/html")
    assert c.get("/no/such/page").status_code == 404


def test_intake_page_service_errors_for_bodies(app: Any, c: TestClient) -> None:
    token = sign_in(c, "A001")
    body = intake_form(received_at="2027-01-01T09:00")
    r = c.post("/cases/new", data={**body, "csrf_token": token})
    assert r.status_code == 422 and "接收时间不能晚于当前时间" in r.text
    assert intake_body()  # the API and page bodies agree on field names


def test_escalation_queue_page(app: Any, c: TestClient, engine: Engine, rt: Any) -> None:
    from cases.supervision.sweeper import sweep
    from tests.web import NOW

    api_intake(app, c, received_at="2026-10-08T09:00:00+08:00", subject="早就超期")
    sweep(engine, rt, now=NOW)
    sign_in(c, "G001")
    page = c.get("/escalations").text
    assert "督办队列" in page and "早就超期" in page and "挂牌督办" in page
    assert 'class="active">待处理' in page
    assert "队列为空" in c.get("/escalations?status=resolved").text
    desk = c.get("/").text
    assert 'href="/escalations"><span class="stat-num">1</span>' in desk
