"""Errors as answers: problem+json (RFC 9457) on the API, an error page elsewhere.

Every refusal keeps the machine ``code`` and the Chinese ``detail`` its ``DomainError`` carries;
FastAPI's own validation errors are said in Chinese with the field they are about.
"""

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import TooManyAttempts
from api.deps import LoginRequired, Unauthenticated
from api.pages.common import error_page
from cases.store import retry
from workflow.errors import DomainError

log = logging.getLogger("shoujie")

PROBLEM_JSON = "application/problem+json"
SERVER_ERROR = "服务器内部错误，请稍后重试"

#: What the framework's own refusals say: status → (code, Chinese detail).
HTTP_DETAILS = {
    400: ("request.bad", "请求格式不正确"),
    401: ("auth.required", "请先登录"),
    403: ("permission.denied", "无权访问"),
    404: ("not_found", "找不到该页面或资源"),
    405: ("method.not_allowed", "不支持该请求方法"),
    413: ("request.too_large", "提交的内容过大（不超过1MB）"),
    415: ("request.unsupported_type", "不支持的内容类型"),
}

VALIDATION_KINDS = {
    "missing": "不能为空",
    "json_invalid": "不是有效的 JSON",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "string_type": "应为文字",
    "dict_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "date_from_datetime_parsing": "应为日期，如 2026-12-31",
    "date_parsing": "应为日期，如 2026-12-31",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
}
LOCATIONS = {"body": "请求内容", "query": "查询参数", "path": "路径参数", "header": "请求头"}


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API (errors as problem+json) rather than a page."""
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/openapi.json")


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem: ``status``, ``code``, a Chinese ``detail`` and any extra members."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def describe_validation(err: Any) -> dict[str, Any]:
    """FastAPI's own validation error, said in Chinese with the field it is about."""
    loc = [str(p) for p in err.get("loc", ())]
    if err.get("type") == "json_invalid":
        loc = loc[:1]  # the rest is a character offset, not a field
    where = LOCATIONS.get(loc[0], loc[0]) if loc else "请求"
    field = ".".join(loc[1:]) or None
    what = VALIDATION_KINDS.get(err.get("type", ""), "格式不正确")
    label = f"{where}「{field}」" if field else where
    return {
        "field": field,
        "code": f"request.{err.get('type', 'invalid')}",
        "message": label + what,
    }


async def domain_error(request: Request, exc: Exception) -> Response:
    """A refusal of the rules: its status, code and Chinese message (and its details)."""
    assert isinstance(exc, DomainError)
    status = exc.http_status
    extra: dict[str, Any] = {
        k: v for k, v in exc.details.items() if isinstance(v, str | int | list | None)
    }
    if status == 422 and "errors" not in extra:
        extra["errors"] = [
            {"field": exc.details.get("field"), "code": exc.code, "message": exc.message}
        ]
    if is_api(request):
        response = problem(status, exc.code, exc.message, **extra)
        if isinstance(exc, Unauthenticated):
            response.headers["WWW-Authenticate"] = "Bearer"
    else:
        response = error_page(request, status, exc.message)
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(exc, TooManyAttempts) or retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    """A request the framework could not read: 422 with every field that needs correcting."""
    assert isinstance(exc, RequestValidationError)
    errors = [describe_validation(e) for e in exc.errors()]
    detail = errors[0]["message"] if errors else "请求内容不正确"
    if len(errors) > 1:
        detail += f"（另有{len(errors) - 1}处需要更正）"
    if is_api(request):
        return problem(422, "request.invalid", detail, errors=errors)
    return error_page(request, 422, detail)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (404, 405, 413 …) in Chinese."""
    assert isinstance(exc, StarletteHTTPException)
    code, detail = HTTP_DETAILS.get(exc.status_code, ("http.error", "请求无法完成"))
    if is_api(request) or exc.status_code == 413:
        response = problem(exc.status_code, code, detail)
    else:
        response = error_page(request, exc.status_code, detail)
    for k, v in (exc.headers or {}).items():
        response.headers[k] = v
    return response


async def login_required(request: Request, exc: Exception) -> Response:
    """A page that needs a user: to /login, then back."""
    assert isinstance(exc, LoginRequired)
    if exc.change_password:
        return RedirectResponse(exc.next_path, status_code=303)
    return RedirectResponse(f"/login?{urlencode({'next': exc.next_path})}", status_code=303)


#: Seconds a client is asked to wait when the database cannot serve (503).
DB_RETRY_AFTER = 2


async def database_error(request: Request, exc: Exception) -> Response:
    """The database down, out of connections, too slow or contended past every retry: 503 with
    ``Retry-After`` (the connection is kept: nothing went wrong with the request). Any other
    database error is a bug and goes on to ``unexpected`` (500, logged with its traceback)."""
    if not retry.is_unavailable(exc):
        raise exc
    log.warning(
        "database unavailable: %s %s: %s", request.method, request.url.path, retry.one_line(exc)
    )
    if is_api(request):
        response = problem(503, "db.unavailable", retry.UNAVAILABLE_MESSAGE)
    else:
        response = error_page(request, 503, retry.UNAVAILABLE_MESSAGE)
    response.headers["Retry-After"] = str(DB_RETRY_AFTER)
    return response


async def unexpected(request: Request, exc: Exception) -> Response:
    """Anything else: logged with its traceback by the server; the user gets one Chinese sentence."""
    if is_api(request):
        return problem(500, "server.error", SERVER_ERROR)
    return error_page(request, 500, SERVER_ERROR)


def install_handlers(app: FastAPI) -> None:
    """Answer every error as problem+json on the API and as a page elsewhere."""
    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(PoolTimeout, database_error)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(LoginRequired, login_required)
