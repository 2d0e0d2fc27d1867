"""Accounts through the JSON API: one's own password and sessions, an admin's reset (a change
forced at the next sign-in), deactivation, revocation, the administrative log; and throttling
that two app instances on one database share (api/routes/accounts.py, cases/accounts)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.runtime import Runtime
from tests.api.helpers import assert_problem
from tests.web import PASSWORD, bearer, make_app

NEW = "stone-lantern-river-42"


def token(c: TestClient, staff_no: str = "A001", password: str = PASSWORD) -> dict[str, str]:
    r = c.post("/api/v1/auth/token", data={"username": staff_no, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_changing_my_password_ends_my_other_tokens(app: Any, c: TestClient) -> None:
    mine, other = token(c), token(c)
    body = {"current_password": PASSWORD, "new_password": NEW}
    r = c.post("/api/v1/me/password", json=body, headers=mine)
    assert r.status_code == 200 and r.json() == {"sessions_ended": 1}
    assert c.get("/api/v1/me", headers=mine).status_code == 200
    assert_problem(c.get("/api/v1/me", headers=other), 401, "auth.invalid_token")
    # The old password opens nothing; the new one does.
    r = c.post("/api/v1/auth/token", data={"username": "A001", "password": PASSWORD})
    assert_problem(r, 401)
    token(c, "A001", NEW)


def test_the_policy_refuses_weak_passwords(app: Any, c: TestClient) -> None:
    headers = token(c)
    for new, code in (
        ("short", "password.too_short"),
        ("1qaz2wsx3edc", "password.common"),
        ("a001-my-own-number", "password.personal"),
    ):
        r = c.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": new},
            headers=headers,
        )
        assert_problem(r, 422, code)
    r = c.post(
        "/api/v1/me/password",
        json={"current_password": "wrong", "new_password": NEW},
        headers=headers,
    )
    assert_problem(r, 403, "password.wrong_current")


def test_admin_reset_forces_a_change_at_next_sign_in(app: Any, c: TestClient) -> None:
    before = token(c, "A002")
    r = c.post("/api/v1/staff/A002/password-reset", headers=bearer(app, "AD01"))
    assert r.status_code == 200
    temporary = r.json()["temporary_password"]
    assert len(temporary) == 16
    assert_problem(c.get("/api/v1/me", headers=before), 401)
    r = c.post("/api/v1/auth/token", data={"username": "A002", "password": temporary})
    assert r.json()["must_change_password"] is True
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    # Nothing but the password change until it is done.
    assert_problem(c.get("/api/v1/cases", headers=headers), 403, "auth.password_change_required")
    r = c.post(
        "/api/v1/me/password",
        json={"current_password": temporary, "new_password": NEW},
        headers=headers,
    )
    assert r.status_code == 200
    assert c.get("/api/v1/cases", headers=headers).status_code == 200


def test_deactivation_ends_tokens_at_once_and_only_admins_may(app: Any, c: TestClient) -> None:
    victim = token(c, "A002")
    assert_problem(c.post("/api/v1/staff/A002/deactivate", headers=bearer(app, "G001")), 403)
    r = c.post("/api/v1/staff/A002/deactivate", headers=bearer(app, "AD01"))
    assert r.json() == {"staff_no": "A002", "active": False, "sessions_ended": 1}
    assert_problem(c.get("/api/v1/me", headers=victim), 401)
    r = c.post("/api/v1/auth/token", data={"username": "A002", "password": PASSWORD})
    assert_problem(r, 401)
    assert c.post("/api/v1/staff/A002/reactivate", headers=bearer(app, "AD01")).status_code == 200
    token(c, "A002")


def test_sessions_are_listed_and_revoked(app: Any, c: TestClient) -> None:
    mine, other = token(c), token(c)
    listed = c.get("/api/v1/me/sessions", headers=mine).json()
    assert [s["current"] for s in listed] == [False, True]
    r = c.delete(f"/api/v1/me/sessions/{listed[0]['id']}", headers=mine)
    assert r.status_code == 200
    assert_problem(c.get("/api/v1/me", headers=other), 401)
    # Someone else's session is not mine to end; an admin may.
    theirs = token(c, "A002")
    their_id = c.get("/api/v1/me/sessions", headers=theirs).json()[0]["id"]
    assert_problem(c.delete(f"/api/v1/me/sessions/{their_id}", headers=mine), 404)
    admin = bearer(app, "AD01")
    assert [s["id"] for s in c.get("/api/v1/staff/A002/sessions", headers=admin).json()] == [
        their_id
    ]
    assert c.delete(f"/api/v1/sessions/{their_id}", headers=admin).status_code == 200
    assert_problem(c.get("/api/v1/me", headers=theirs), 401)
    events = c.get("/api/v1/admin/events", headers=admin).json()
    assert [e["action"] for e in events[:2]] == ["session.revoked", "session.revoked"]
    assert events[0]["actor_staff_no"] == "AD01" and events[0]["subject"] == "A002"
    assert events[0]["action_label"] == "注销会话或令牌"


def test_two_app_instances_share_the_throttle_and_the_sessions(engine: Engine, rt: Runtime) -> None:
    """Two workers (two apps on one database): the count and a logout hold in both."""
    from tests.web import make_web_office

    make_web_office(engine)
    one, two = TestClient(make_app(engine, rt)), TestClient(make_app(engine, rt))
    for n in range(4):
        c = one if n % 2 else two
        r = c.post("/api/v1/auth/token", data={"username": "A001", "password": "wrong"})
        assert_problem(r, 401)
    r = one.post("/api/v1/auth/token", data={"username": "A001", "password": "wrong"})
    assert_problem(r, 429, "auth.throttled")
    r = two.post("/api/v1/auth/token", data={"username": "A001", "password": PASSWORD})
    assert_problem(r, 429, "auth.throttled")
    headers = token(one, "A002")
    assert two.get("/api/v1/me", headers=headers).status_code == 200
    assert one.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert_problem(two.get("/api/v1/me", headers=headers), 401)
