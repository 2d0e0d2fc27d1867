"""The app on the test office (its members share one password), and a client for it."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.runtime import Runtime
from tests.web import client, make_app, make_web_office


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    make_web_office(engine)
    return make_app(engine, rt)


@pytest.fixture
def c(app: Any) -> TestClient:
    return client(app)
