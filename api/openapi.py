"""The OpenAPI document at /openapi.json: FastAPI's, plus the schemas the routes name by
reference (the problem+json error, and the bodies the rules check themselves)."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.deps import RULE_CHECKED, SCHEMAS
from api.schemas.common import Problem


def referenced_schemas() -> dict[str, Any]:
    """The component schemas of the problem and of every rule-checked body, with their parts."""
    models: list[tuple[type[BaseModel], Any]] = [(Problem, "serialization")]
    models += [(m, "validation") for m in RULE_CHECKED.values()]
    _, top = models_json_schema(models, ref_template=SCHEMAS + "{model}")
    # models_json_schema names each model by its key; a model is its own top-level entry.
    return dict(top.get("$defs", {}))


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
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point
