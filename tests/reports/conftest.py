"""Fixtures of the reports' tests: the hand-worked month, and the web app over it."""

from typing import Any

import pytest
from sqlalchemy import Engine

from cases.runtime import Runtime
from conftest import at
from tests.reports.month import build_month, november
from tests.web import client, make_app


@pytest.fixture
def month(engine: Engine, rt: Runtime) -> dict[str, Any]:
    """The hand-worked month built, with November's statistics."""
    numbers = build_month(engine, rt)
    return {"numbers": numbers, "stats": november(engine, rt), "engine": engine, "rt": rt}


@pytest.fixture
def web(month: dict[str, Any]) -> dict[str, Any]:
    """The month, with the app and a client on 2026-12-01."""
    app = make_app(month["engine"], month["rt"], at("2026-12-01 10:00"))
    return {**month, "app": app, "c": client(app)}
