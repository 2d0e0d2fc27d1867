"""Helpers for the web tests: an office with passwords, an app on a fixed clock, sign-in."""

import re
from datetime import datetime
from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Engine, select, update

from api.app import create_app
from cases.accounts import sessions
from cases.runtime import Runtime
from cases.settings import Clock
from cases.store import tables
from conftest import at
from tests.factories import OFFICE_STAFF, intake_body, make_office

PASSWORD = "correct-horse-7"
#: A Thursday morning, a working day, in the official calendar's last loaded year.
NOW = at("2026-11-26 10:00")
ROLES_BY_STAFF = {no: spec[1] for no, spec in OFFICE_STAFF.items()}


@cache
def password_hash() -> str:
    """One argon2 hash for every test account, with cheap parameters.

    Verification reads the parameters from the hash, so sign-in takes a millisecond in tests
    instead of the 0.1 s the production parameters cost (cases.security.hash_password).
    """
    return Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def make_web_office(engine: Engine, now: datetime = NOW) -> None:
    """The test office of tests.factories, every member with the same password."""
    make_office(engine, now)
    with engine.begin() as conn:
        conn.execute(update(tables.staff_t).values(password_hash=password_hash()))


def make_app(engine: Engine, rt: Runtime, now: datetime = NOW) -> FastAPI:
    """The app on a fixed clock, without the background sweeper."""
    return create_app(engine=engine, rt=rt, clock=Clock(now), sweep_interval=0)


def client(app: FastAPI) -> TestClient:
    """A client that does not follow redirects (tests look at them)."""
    return TestClient(app, follow_redirects=False)


def bearer(app: FastAPI, staff_no: str) -> dict[str, str]:
    """An Authorization header for a staff member: a token opened as POST /auth/token would."""
    ctx = app.state.ctx
    with ctx.engine.begin() as conn:
        staff_id = conn.execute(
            select(tables.staff_t.c.id).where(tables.staff_t.c.staff_no == staff_no)
        ).scalar()
        if staff_id is None:
            return {"Authorization": "Bearer sjt_no-such-account"}
        token = sessions.open_session(
            conn, staff_id=staff_id, kind=sessions.API, now=ctx.clock.now(), timeouts=ctx.timeouts
        )
    return {"Authorization": f"Bearer {token}"}


def csrf_of(html: str) -> str:
    """The CSRF token in a page's form."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def sign_in(c: TestClient, staff_no: str, password: str = PASSWORD) -> str:
    """Sign in through /login; return the new session's CSRF token."""
    token = csrf_of(c.get("/login").text)
    r = c.post(
        "/login",
        data={"staff_no": staff_no, "password": password, "csrf_token": token, "next": "/"},
    )
    assert r.status_code == 303, r.text
    return csrf_of(c.get("/track").text)


def api_intake(app: FastAPI, c: TestClient, staff_no: str = "A001", **overrides: Any) -> dict:
    """Register a case through the API; return its JSON (with the 查询码)."""
    r = c.post("/api/v1/cases", json=intake_body(**overrides), headers=bearer(app, staff_no))
    assert r.status_code == 201, r.text
    return r.json()


def api_act(
    app: FastAPI, c: TestClient, case_no: str, action: str, staff_no: str, **payload: Any
) -> dict:
    """Take an action through the API; return the case JSON."""
    r = c.post(
        f"/api/v1/cases/{case_no}/actions/{action}",
        json=payload or None,
        headers=bearer(app, staff_no),
    )
    assert r.status_code == 200, r.text
    return r.json()
