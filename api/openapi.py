"""The OpenAPI document at /openapi.json: FastAPI's, plus the schemas the routes name by
reference (the problem+json error, and the bodies the rules check themselves)."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.deps import PROBLEM_JSON, RULE_CHECKED, SCHEMAS
from api.input_guard import ID_FIELD
from api.schemas.common import Problem


def referenced_schemas() -> dict[str, Any]:
    """The component schemas of the problem and of every rule-checked body, with their parts."""
    models: list[tuple[type[BaseModel], Any]] = [(Problem, "serialization")]
    models += [(m, "validation") for m in RULE_CHECKED.values()]
    _, top = models_json_schema(models, ref_template=SCHEMAS + "{model}")
    # models_json_schema names each model by its key; a model is its own top-level entry.
    return dict(top.get("$defs", {}))


#: What api.input_guard answers to any route that takes input, whatever its own documentation.
GUARD_ANSWERS = {
    422: "内容有误：含控制字符、改变文字方向的字符或只含不可见字符（errors 列出字段）",
    404: "编号超出范围，找不到该记录",
}


def document_guard(document: dict[str, Any]) -> None:
    """Add the input guard's answers to every operation that takes input: 422 to any with
    parameters or a body, 404 to any with an id among its parameters."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            params = operation.get("parameters", [])
            statuses = []
            if params or "requestBody" in operation:
                statuses.append(422)
            if any(ID_FIELD.search(p.get("name", "")) for p in params):
                statuses.append(404)
            for status in statuses:
                operation["responses"].setdefault(
                    str(status),
                    {
                        "description": GUARD_ANSWERS[status],
                        "content": {PROBLEM_JSON: {"schema": {"$ref": SCHEMAS + "Problem"}}},
                    },
                )


def install_openapi(app: FastAPI) -> None:
    """Serve FastAPI's document with the referenced schemas added (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in referenced_schemas().items():
                schemas.setdefault(name, schema)
            document_guard(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point
