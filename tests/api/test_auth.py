"""Bearer tokens (OAuth2 password form), who I am, and the back-off against guessing (api/routes/auth.py)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.security import BackOff, wait_text
from cases.runtime import Runtime
from cases.store import tables
from tests.api.helpers import assert_problem
from tests.web import (
    PASSWORD,
    bearer,
    client,
    make_app,
    make_web_office,
)


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
