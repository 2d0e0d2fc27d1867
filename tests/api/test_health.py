"""/healthz and the OpenAPI document (api/routes/health.py)."""

from typing import Any

from fastapi.testclient import TestClient

from cases.runtime import Runtime
from tests.api.helpers import assert_problem
from tests.web import (
    client,
    make_app,
)


def test_health_and_openapi(app: Any, c: TestClient) -> None:
    assert c.get("/healthz").json() == {"status": "ok"}
    spec = c.get("/openapi.json").json()
    for path in (
        "/api/v1/auth/token",
        "/api/v1/cases",
        "/api/v1/cases/{case_no}",
        "/api/v1/cases/{case_no}/events",
        "/api/v1/cases/{case_no}/actions/{action}",
        "/api/v1/escalations",
    ):
        assert path in spec["paths"], path
    assert not any(p.startswith("/track") for p in spec["paths"])


def test_health_answers_503_when_the_database_does_not(rt: Runtime, tmp_path: Any) -> None:
    from cases.db import make_engine

    app = make_app(make_engine(f"sqlite:///{tmp_path}/missing/dir/x.db"), rt)
    r = client(app).get("/healthz")
    assert_problem(r, 503, "health.db_unavailable")
