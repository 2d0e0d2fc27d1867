"""The request-body limit (api/middleware.py): 413 with or without a Content-Length."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import assert_problem
from tests.factories import intake_body
from tests.web import (
    bearer,
)


def test_oversized_body_is_413(app: Any, c: TestClient) -> None:
    big = intake_body(content="信" * 400_000)  # 1.2 MB in UTF-8
    r = c.post("/api/v1/cases", json=big, headers=bearer(app, "A001"))
    assert_problem(r, 413, "request.too_large")


def test_oversized_chunked_body_is_413(app: Any, c: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(20):
            yield b"x" * 64 * 1024  # 1.25 MB in all, sent without a Content-Length

    headers = {**bearer(app, "A001"), "Content-Type": "application/json"}
    r = c.post("/api/v1/cases", content=chunks(), headers=headers)
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert_problem(r, 413, "request.too_large")
