"""Helpers for the repeat, skip-level and group tests: rewordings, registering, the app with the
intake-extra routes."""

from datetime import datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from api import intake_extra
from cases.repeat import petitions as repeat
from cases.runtime import Runtime
from tests.web import make_app

#: tests.factories.intake_body's matter (拆迁补偿款未发放) as the petitioner tells it another time.
REWORDED = {
    "subject": "征收补偿迟迟不到位",
    "content": "前年和街道签了征收协议，说好的补偿金到现在一分没给。",
    "requests": "要求兑现补偿",
}
#: Another person's identity numbers (GB 11643 check digits).
OTHER_ID = "320102198001011238"
THIRD_ID = "320106197505053213"


def register(
    engine: Engine, rt: Runtime, body: dict[str, Any], *, when: datetime, who: str = "A001"
) -> str:
    """Register a matter through ``cases.repeat.register``; return its number."""
    with engine.begin() as conn:
        return repeat.register(conn, rt, body=body, actor_staff_no=who, now=when)["case_no"]


def app_with_repeat(engine: Engine, rt: Runtime, now: datetime) -> FastAPI:
    """The app on a fixed clock, with the intake-extra routes (included once)."""
    app = make_app(engine, rt, now)
    paths = {getattr(r, "path", None) for r in app.routes}
    if "/api/v1/intake/candidates" not in paths:
        app.include_router(intake_extra.router)
    return app
