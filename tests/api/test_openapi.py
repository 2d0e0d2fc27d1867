"""The OpenAPI document describes every body, enum and error of the JSON API."""

from typing import Any

from fastapi.testclient import TestClient

from workflow import lifecycle
from workflow.periods import LEVELS, PERIODS

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def spec(c: TestClient) -> dict[str, Any]:
    return c.get("/openapi.json").json()


def test_every_error_is_problem_json_with_its_schema(c: TestClient) -> None:
    document = spec(c)
    operations = [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]
    assert (
        len(operations) == 52
    )  # /readyz, the 查询码 reissue, the search by POST and the six of 联合会办 among them
    for path, method, op in operations:
        errors = {s: r for s, r in op["responses"].items() if int(s) >= 400}
        assert "500" in errors, (method, path)
        for status, response in errors.items():
            assert response["content"] == {"application/problem+json": {"schema": PROBLEM_REF}}, (
                method,
                path,
                status,
            )
        if path.startswith("/api/v1") and path != "/api/v1/auth/token":
            assert {"401", "403"} <= set(errors), (method, path)
        ok = next(r for s, r in op["responses"].items() if s.startswith("2"))
        assert ok["content"], (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    problem = document["components"]["schemas"]["Problem"]
    assert {"status", "code", "detail"} <= set(problem["required"])
    assert {"errors", "allowed_actions"} <= set(problem["properties"])


def test_enums_and_bodies_are_described(c: TestClient) -> None:
    document = spec(c)
    schemas = document["components"]["schemas"]
    case = schemas["Case"]["properties"]
    assert case["state"]["enum"] == list(lifecycle.STATE_LABELS)
    assert case["category"]["enum"] == list(lifecycle.CATEGORY_LABELS)
    assert case["channel"]["enum"] == list(lifecycle.CHANNEL_LABELS)
    clock = schemas["Clock"]["properties"]
    assert clock["status"]["enum"] == ["running", "paused", "stopped", "lapsed"]
    assert clock["name"]["enum"] == list(PERIODS)
    assert clock["level"]["anyOf"][0]["enum"] == list(LEVELS)
    paths = document["paths"]
    intake = paths["/api/v1/cases"]["post"]["requestBody"]["content"]["application/json"]
    assert intake["schema"] == {"$ref": "#/components/schemas/IntakeIn"}
    assert set(schemas["IntakeIn"]["required"]) >= {"channel", "category", "petitioner"}
    act = paths["/api/v1/cases/{case_no}/actions/{action}"]["post"]
    action = next(p for p in act["parameters"] if p["name"] == "action")
    assert action["schema"]["enum"] == lifecycle.ACTIONS
    assert act["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ActionIn")
    stats = paths["/api/v1/stats"]["get"]
    fmt = next(p for p in stats["parameters"] if p["name"] == "format")
    assert fmt["schema"]["enum"] == ["json", "csv", "xlsx"]
    assert set(stats["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv; charset=utf-8",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
