"""Helpers for the repeat, skip-level and group tests: rewordings, registering, confirming a repeat,
counting rows, the app with the intake-extra routes."""

from datetime import datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine, func, select

import cases.models  # noqa: F401  (registers the tables)
from cases.models import CaseContact, Outbox
from cases.repeat import contacts, registration
from cases.runtime import Runtime
from cases.store import tables
from conftest import at
from tests.web import make_app

EARLIER = at("2026-10-10 10:00")
NOW = at("2026-11-26 10:00")
contact_t = CaseContact.__table__
outbox_t = Outbox.__table__

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
    """Register a matter through ``cases.repeat.registration.register``; return its number."""
    with engine.begin() as conn:
        return registration.register(conn, rt, body=body, actor_staff_no=who, now=when)["case_no"]


def app_with_repeat(engine: Engine, rt: Runtime, now: datetime) -> FastAPI:
    """The app on a fixed clock (its routers include the intake-extra routes)."""
    return make_app(engine, rt, now)


def totals(engine: Engine) -> dict[str, int]:
    """Rows in the case, contact and outbox tables."""
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (tables.case_t, contact_t, outbox_t)
        }


def confirm(
    engine: Engine,
    rt: Runtime,
    case_no: str,
    body: dict[str, Any],
    who: str = "A002",
    **kw: Any,
) -> dict[str, Any]:
    """Record a confirmed repeat of ``case_no`` at ``NOW`` (one transaction)."""
    with engine.begin() as conn:
        return contacts.record_repeat(
            conn, rt, case_no=case_no, body=body, actor_staff_no=who, now=NOW, **kw
        )
