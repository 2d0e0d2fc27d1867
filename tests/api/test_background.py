"""The sweeper the server runs beside the requests (api/background.py)."""

import time

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cases.casework import intake
from cases.runtime import Runtime
from cases.store import tables
from conftest import at
from tests.factories import intake_body
from tests.web import (
    NOW,
    make_app,
    make_web_office,
)


def test_background_sweeper_runs_inside_the_app(sqlite_engine: Engine, rt: Runtime) -> None:
    from api.app import create_app
    from cases.settings import Clock

    make_web_office(sqlite_engine)
    app = create_app(engine=sqlite_engine, rt=rt, clock=Clock(NOW), sweep_interval=0.05)
    with sqlite_engine.begin() as conn:
        intake.intake(
            conn,
            rt,
            body=intake_body(received_at="2026-10-08T09:00:00+08:00"),
            actor_staff_no="A001",
            now=at("2026-11-01 09:00"),
        )
    with TestClient(app):
        deadline = time.monotonic() + 5
        count = 0
        while time.monotonic() < deadline and not count:
            time.sleep(0.05)
            with sqlite_engine.begin() as conn:
                count = conn.execute(
                    select(func.count()).select_from(tables.escalation_t)
                ).scalar_one()
    assert count >= 1


def test_sweeper_off_when_interval_is_zero(sqlite_engine: Engine, rt: Runtime) -> None:
    app = make_app(sqlite_engine, rt)
    assert app.state.sweep_interval == 0
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200
