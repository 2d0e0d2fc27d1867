"""Bearer tokens (OAuth2 password form) held in the database, who I am, signing out, timeouts, and
throttling of guesses shared by every worker (api/routes/auth.py, cases/accounts)."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from api.security import client_address, wait_text
from cases.accounts import throttle
from cases.models import AuthSession, Throttle
from cases.runtime import Runtime
from cases.store import tables
from tests.api.helpers import assert_problem
from tests.web import NOW, PASSWORD, bearer, client, make_app, make_web_office


def token_of(c: TestClient, staff_no: str = "A001", password: str = PASSWORD) -> str:
    r = c.post("/api/v1/auth/token", data={"username": staff_no, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def test_token_for_staff_no_and_password(app: Any, c: TestClient, engine: Engine) -> None:
    r = c.post("/api/v1/auth/token", data={"username": "A001", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 8 * 3600
    assert body["access_token"].startswith("sjt_") and body["must_change_password"] is False
    me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {
        "staff_no": "A001",
        "name": "张敏",
        "role": "receptionist",
        "role_label": "接访员",
        "must_change_password": False,
    }
    # The database holds the token's hash only: the token itself is nowhere in it.
    with engine.begin() as conn:
        stored = conn.execute(select(AuthSession.__table__.c.secret_hash)).scalars().all()
    assert stored and body["access_token"] not in stored


def test_wrong_password_and_bad_tokens_are_401(app: Any, c: TestClient) -> None:
    r = c.post("/api/v1/auth/token", data={"username": "A001", "password": "nope"})
    assert_problem(r, 401, "auth.invalid_credentials")
    r = c.post("/api/v1/auth/token", data={"username": "NOBODY", "password": PASSWORD})
    assert_problem(r, 401, "auth.invalid_credentials")
    r = c.get("/api/v1/cases", headers={"Authorization": "Bearer forged.token.value"})
    body = assert_problem(r, 401, "auth.invalid_token")
    assert r.headers["www-authenticate"] == "Bearer"
    assert body["detail"] == "访问令牌无效、已过期或已注销，请重新登录"


def test_logout_ends_the_token_at_once(app: Any, c: TestClient) -> None:
    headers = {"Authorization": f"Bearer {token_of(c)}"}
    assert c.get("/api/v1/me", headers=headers).status_code == 200
    assert c.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert_problem(c.get("/api/v1/me", headers=headers), 401, "auth.invalid_token")


def test_token_dies_when_the_account_is_deactivated(
    app: Any, c: TestClient, engine: Engine
) -> None:
    headers = bearer(app, "A001")
    assert c.get("/api/v1/me", headers=headers).status_code == 200
    with engine.begin() as conn:
        conn.execute(
            tables.staff_t.update().where(tables.staff_t.c.staff_no == "A001").values(active=False)
        )
    assert_problem(c.get("/api/v1/me", headers=headers), 401)


def test_token_ends_after_idle_and_absolute_timeouts(app: Any, c: TestClient) -> None:
    clock = app.state.ctx.clock
    headers = bearer(app, "A001")
    # Used every 20 minutes it lives on, until its absolute end after 8 hours.
    for step in range(1, 24):
        clock.fixed = NOW + timedelta(minutes=20 * step)
        assert c.get("/api/v1/me", headers=headers).status_code == 200, step
    clock.fixed = NOW + timedelta(hours=8)
    assert_problem(c.get("/api/v1/me", headers=headers), 401, "auth.invalid_token")
    # Unused for longer than the idle timeout (30 minutes), it has ended.
    headers = bearer(app, "A001")
    clock.fixed = NOW + timedelta(hours=8, minutes=31)
    assert_problem(c.get("/api/v1/me", headers=headers), 401, "auth.invalid_token")


def test_guessing_waits_per_account_and_client_not_for_the_owner(
    sqlite_engine: Engine, rt: Runtime
) -> None:
    make_web_office(sqlite_engine)
    app = make_app(sqlite_engine, rt)
    guesser = client(app)
    for _ in range(4):  # a few typos are free
        r = guesser.post("/api/v1/auth/token", data={"username": "A001", "password": "wrong"})
        assert_problem(r, 401, "auth.invalid_credentials")
    r = guesser.post("/api/v1/auth/token", data={"username": "A001", "password": "wrong"})
    body = assert_problem(r, 429, "auth.throttled")
    assert "失败次数过多，请在2秒后再试" in body["detail"]
    assert r.headers["retry-after"] == "2"
    # While it waits even the right password is not checked from there.
    r = guesser.post("/api/v1/auth/token", data={"username": "A001", "password": PASSWORD})
    assert_problem(r, 429, "auth.throttled")
    # The account's owner, at another desk, signs in: the account itself is never locked.
    owner = TestClient(app, client=("10.1.2.3", 50000))
    assert (
        owner.post(
            "/api/v1/auth/token", data={"username": "A001", "password": PASSWORD}
        ).status_code
        == 200
    )
    # Each further failure from the guesser doubles the wait.
    app.state.ctx.clock.fixed = NOW + timedelta(seconds=3)
    r = guesser.post("/api/v1/auth/token", data={"username": "A001", "password": "wrong"})
    assert r.status_code == 429 and r.headers["retry-after"] == "4"


def test_guessing_many_accounts_from_one_client_waits(
    sqlite_engine: Engine, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(throttle, "PER_CLIENT", throttle.Rule(free=3))
    make_web_office(sqlite_engine)
    app = make_app(sqlite_engine, rt)
    c = client(app)
    for staff_no in ("A001", "A002", "A003"):
        c.post("/api/v1/auth/token", data={"username": staff_no, "password": "wrong"})
    r = c.post("/api/v1/auth/token", data={"username": "G001", "password": "wrong"})
    assert_problem(r, 429, "auth.throttled")


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    from ipaddress import ip_network

    proxies = (ip_network("10.0.0.0/8"),)
    # From a trusted proxy: the right-most address that is not a proxy.
    assert client_address("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.7", proxies) == "203.0.113.9"
    # From anyone else, the header is whatever they wrote: ignored.
    assert client_address("198.51.100.1", "1.2.3.4", proxies) == "198.51.100.1"
    assert client_address("10.0.0.5", "not-an-address", proxies) == "10.0.0.5"
    assert client_address("10.0.0.5", "1.2.3.4", ()) == "10.0.0.5"


def test_delays_grow_and_are_capped() -> None:
    rule = throttle.Rule(free=2, base=timedelta(seconds=2), cap=timedelta(seconds=60))
    assert [rule.delay(n).total_seconds() for n in range(1, 9)] == [0, 0, 2, 4, 8, 16, 32, 60]
    assert wait_text(59) == "59秒" and wait_text(61) == "2分钟" and wait_text(3600) == "1小时"


def test_housekeeping_forgets_long_ended_sessions_and_idle_guess_counters(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    from cases.accounts.housekeeping import prune

    recent = bearer(app, "A001")
    ended = token_of(c, "A002")
    c.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {ended}"})
    c.post("/api/v1/auth/token", data={"username": "A003", "password": "wrong"})
    with engine.connect() as conn:
        assert conn.execute(select(Throttle)).first() is not None
        before = conn.execute(select(AuthSession.id)).all()
    assert len(before) == 2
    # A day on, the guess counters (per account and client, per client) are forgotten; the
    # sessions are kept for the admin to see.
    assert prune(engine, NOW + timedelta(days=1, hours=1)) == {"sessions": 0, "throttle": 2}
    with engine.connect() as conn:
        assert conn.execute(select(Throttle)).first() is None
    # A month after they ended, the sessions go too.
    assert prune(engine, NOW + timedelta(days=31))["sessions"] == 2
    with engine.connect() as conn:
        assert conn.execute(select(AuthSession.id)).all() == []
    assert_problem(c.get("/api/v1/me", headers=recent), 401, "auth.invalid_token")
