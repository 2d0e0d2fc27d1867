"""Fixtures of the page tests: the web office's app on each backend, and clients of it."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.runtime import Runtime
from tests.web import client, make_app, make_web_office


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    """The web office's app on a fixed clock, on each backend."""
    make_web_office(engine)
    return make_app(engine, rt)


@pytest.fixture
def c(app: Any) -> TestClient:
    """A client of ``app`` (redirects are not followed)."""
    return client(app)


@pytest.fixture
def sc(sqlite_engine: Engine, rt: Runtime) -> TestClient:
    """A client on SQLite only, for what does not depend on the database."""
    make_web_office(sqlite_engine)
    return client(make_app(sqlite_engine, rt))
