"""Signing in and out: a safe session cookie, wrong passwords, lock-out, where ``next`` may lead."""

import base64
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from api.security import SESSION_COOKIE
from tests.web import PASSWORD, csrf_of, sign_in


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


def test_sign_in_waits_after_repeated_failures(sc: TestClient) -> None:
    c = sc
    token = csrf_of(c.get("/login").text)
    for _ in range(5):
        r = c.post("/login", data={"staff_no": "A002", "password": "x", "csrf_token": token})
    assert r.status_code == 429 and "失败次数过多，请在2秒后再试" in r.text
    r = c.post("/login", data={"staff_no": "A002", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and r.headers["retry-after"] == "2"


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


def test_a_saved_cookie_opens_nothing_after_logout(sc: TestClient) -> None:
    c = sc
    token = sign_in(c, "A001")
    saved = c.cookies.get(SESSION_COOKIE)
    assert saved and c.get("/").status_code == 200
    c.post("/logout", data={"csrf_token": token})
    # The browser forgot it; someone who kept a copy tries it again: the session has ended.
    c.cookies.set(SESSION_COOKIE, saved)
    r = c.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_the_cookie_carries_only_an_opaque_id(sc: TestClient) -> None:
    c = sc
    sign_in(c, "A001")
    cookie = c.cookies.get(SESSION_COOKIE)
    assert cookie and "A001" not in cookie and len(cookie) >= 40
    state = c.cookies.get("shoujie_state") or ""
    decoded = base64.b64decode(state.split(".")[0] + "==").decode("utf-8", "replace")
    assert "A001" not in decoded and "staff_no" not in decoded
