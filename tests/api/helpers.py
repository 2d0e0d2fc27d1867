"""Helpers for the API tests: what a problem+json answer must look like."""

import re
from typing import Any

CJK = re.compile(r"[\u4e00-\u9fff]")
PROBLEM = "application/problem+json"


def assert_problem(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status
    assert CJK.search(body["detail"]), body
    if code:
        assert body["code"] == code, body
    return body
