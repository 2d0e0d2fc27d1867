"""Errors as problem+json in Chinese (api/errors.py): the framework's, unknown routes, the unexpected."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cases.casework import reading
from tests.api.helpers import assert_problem
from tests.web import (
    bearer,
)


def test_framework_validation_is_problem_json_in_chinese(app: Any, c: TestClient) -> None:
    headers = {**bearer(app, "A001"), "Content-Type": "application/json"}
    r = c.post("/api/v1/cases", content=b'{"channel": ', headers=headers)
    body = assert_problem(r, 422, "request.invalid")
    assert body["detail"] == "请求内容不是有效的 JSON"
    r = c.post("/api/v1/cases", content=b"[1, 2]", headers=headers)
    assert_problem(r, 422, "request.invalid")
    r = c.get("/api/v1/cases?limit=0", headers=bearer(app, "A001"))
    body = assert_problem(r, 422)
    assert body["errors"][0]["field"] == "limit"


def test_unknown_routes_are_problem_json(app: Any, c: TestClient) -> None:
    assert_problem(c.get("/api/v1/nothing-here", headers=bearer(app, "A001")), 404)
    assert_problem(c.get("/api/v1/cases/2026-999999", headers=bearer(app, "A001")), 404)


def test_unexpected_failure_is_problem_json(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(reading, "show", boom)
    c = TestClient(app, raise_server_exceptions=False)
    r = c.get("/api/v1/cases/2026-000001", headers=bearer(app, "A001"))
    body = assert_problem(r, 500, "server.error")
    assert "disk on fire" not in r.text and body["detail"] == "服务器内部错误，请稍后重试"
