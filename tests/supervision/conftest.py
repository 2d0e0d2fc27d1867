"""Fixtures of the supervisor-queue tests: the web office's app, and a client on it."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.runtime import Runtime
from tests.supervision.helpers import create
from tests.web import client, make_web_office


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    make_web_office(engine)
    return create(engine, rt)


@pytest.fixture
def c(app: Any) -> TestClient:
    return client(app)
