"""The web application: JSON API, pages, errors as problem+json, and the background sweeper.

``shoujie serve`` runs ``create_app`` as a uvicorn factory; tests call it with their own engine,
runtime and fixed clock.
"""

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import intake_extra, reports, routes
from api.auth import TooManyAttempts
from api.deps import AppContext, LoginRequired, Public, Unauthenticated
from api.pages import site
from api.pages.common import error_page
from api.pages.templating import template_env
from api.queue import router as queue_router
from api.security import SESSION_MAX_AGE, BackOff, TokenIssuer, derive_key
from cases.db import engine_for, ping
from cases.notify.worker import deliver
from cases.reports.briefing import run_briefing
from cases.runtime import Runtime
from cases.settings import Clock, settings
from cases.supervision.sweeper import sweep
from workflow.errors import DomainError

log = logging.getLogger("shoujie")

STATIC = Path(__file__).resolve().parent / "static"

MAX_BODY = 1024 * 1024
#: The admin's photo upload carries a photo of up to 2 MB, plus the form around it.
LARGER_BODIES = {"/admin/staff/": 2 * 1024 * 1024 + 64 * 1024}


def create_app(
    engine: Engine | None = None,
    rt: Runtime | None = None,
    clock: Clock | None = None,
    *,
    sweep_interval: float | None = None,
    deliver_interval: float | None = None,
) -> FastAPI:
    """The application; anything not given is read from the environment (contract.md).

    The sweeper runs every ``sweep_interval`` seconds (default ``SHOUJIE_SWEEP_INTERVAL``, 60;
    0 turns it off). The notification worker (``cases.notify.worker``) and the daily briefing run
    every ``deliver_interval`` seconds (default ``SHOUJIE_DELIVER_INTERVAL``, 10; 0 turns it off).
    """
    if engine is None or rt is None or clock is None:
        s = settings()
        engine = engine or engine_for(s.database_url)
        rt = rt or Runtime.from_settings(s)
        clock = clock or Clock(s.fixed_now)
    if sweep_interval is None:
        sweep_interval = float(os.environ.get("SHOUJIE_SWEEP_INTERVAL", "60"))
    if deliver_interval is None:
        deliver_interval = float(os.environ.get("SHOUJIE_DELIVER_INTERVAL", "10"))
    secret = rt.settings.secret_key
    ctx = AppContext(
        engine=engine,
        rt=rt,
        clock=clock,
        templates=template_env(rt.tz),
        tokens=TokenIssuer(secret),
        login_by_staff=BackOff(threshold=5),
        login_by_ip=BackOff(threshold=20),
        track_by_case=BackOff(threshold=5),
        track_by_ip=BackOff(threshold=20),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_sweep_loop(ctx, sweep_interval)) if sweep_interval else None
        courier = (
            asyncio.create_task(_deliver_loop(ctx, deliver_interval)) if deliver_interval else None
        )
        try:
            yield
        finally:
            for t in (task, courier):
                if t is not None:
                    t.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await t

    app = FastAPI(
        title="首接 Shoujie",
        summary="信访接待首接负责制案件跟踪 — JSON API",
        version="0.1.0",
        lifespan=lifespan,
        # Swagger UI and ReDoc load third-party scripts from a CDN; the description is enough.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.ctx = ctx
    app.state.sweep_interval = sweep_interval

    # Added innermost first: the body limit runs before anything reads a byte.
    app.add_middleware(
        SessionMiddleware,
        secret_key=derive_key(secret, "session"),
        session_cookie="shoujie_session",
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=rt.settings.env == "prod",
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit)

    _error_handlers(app)
    app.include_router(routes.router)
    app.include_router(site.router)
    app.include_router(queue_router)
    app.include_router(intake_extra.router)
    app.include_router(reports.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", tags=["health"], summary="数据库可用时返回 200")
    def healthz(_: Public) -> Response:
        """200 when the database answers, 503 otherwise."""
        try:
            ok = ping(ctx.engine)
        except Exception:  # noqa: BLE001  (any failure to answer is "not healthy")
            log.exception("health check failed")
            ok = False
        if ok:
            return JSONResponse({"status": "ok"})
        return problem(503, "health.db_unavailable", "数据库无法连接")

    return app


async def _sweep_loop(ctx: AppContext, interval: float) -> None:
    """Sweep now, then every ``interval`` seconds; a failed pass is logged and retried later."""
    while True:
        try:
            result = await run_in_threadpool(sweep, ctx.engine, ctx.rt, now=ctx.clock.now())
            if result["examined"]:
                log.info("sweep: %s", result)
        except Exception:  # noqa: BLE001  (the server must outlive a failed pass)
            log.exception("sweep failed")
        await asyncio.sleep(interval)


async def _deliver_loop(ctx: AppContext, interval: float) -> None:
    """Deliver the outbox (and, at its hour, the daily briefing) now, then every ``interval`` s."""

    def one_pass() -> dict[str, Any]:
        now = ctx.clock.now()
        try:
            run_briefing(ctx.engine, ctx.rt, now)
        except Exception:  # noqa: BLE001  (a failed briefing must not hold up the deliveries)
            log.exception("daily briefing failed")
        return deliver(ctx.engine, ctx.rt, now)

    while True:
        try:
            result = await run_in_threadpool(one_pass)
            if any(result.values()):
                log.info("deliver: %s", result)
        except Exception:  # noqa: BLE001  (the server must outlive a failed pass; nothing is lost)
            log.exception("delivery failed")
        await asyncio.sleep(interval)


# --- errors -----------------------------------------------------------------------------------------


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
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


_HTTP_DETAILS = {
    400: ("request.bad", "请求格式不正确"),
    401: ("auth.required", "请先登录"),
    403: ("permission.denied", "无权访问"),
    404: ("not_found", "找不到该页面或资源"),
    405: ("method.not_allowed", "不支持该请求方法"),
    413: ("request.too_large", "提交的内容过大（不超过1MB）"),
    415: ("request.unsupported_type", "不支持的内容类型"),
}


def _error_handlers(app: FastAPI) -> None:
    async def domain_error(request: Request, exc: Exception) -> Response:
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
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [_describe_validation(e) for e in exc.errors()]
        detail = errors[0]["message"] if errors else "请求内容不正确"
        if len(errors) > 1:
            detail += f"（另有{len(errors) - 1}处需要更正）"
        if is_api(request):
            return problem(422, "request.invalid", detail, errors=errors)
        return error_page(request, 422, detail)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code, detail = _HTTP_DETAILS.get(exc.status_code, ("http.error", "请求无法完成"))
        if is_api(request) or exc.status_code == 413:
            response = problem(exc.status_code, code, detail)
        else:
            response = error_page(request, exc.status_code, detail)
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        return response

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        from urllib.parse import urlencode

        return RedirectResponse(f"/login?{urlencode({'next': exc.next_path})}", status_code=303)

    async def unexpected(request: Request, exc: Exception) -> Response:
        # Logged with its traceback by the server; the user gets one Chinese sentence.
        if is_api(request):
            return problem(500, "server.error", "服务器内部错误，请稍后重试")
        return error_page(request, 500, "服务器内部错误，请稍后重试")

    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(LoginRequired, login_required)


_VALIDATION_KINDS = {
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
_LOCATIONS = {"body": "请求内容", "query": "查询参数", "path": "路径参数", "header": "请求头"}


def _describe_validation(err: Any) -> dict[str, Any]:
    """FastAPI's own validation error, said in Chinese with the field it is about."""
    loc = [str(p) for p in err.get("loc", ())]
    if err.get("type") == "json_invalid":
        loc = loc[:1]  # the rest is a character offset, not a field
    where = _LOCATIONS.get(loc[0], loc[0]) if loc else "请求"
    field = ".".join(loc[1:]) or None
    what = _VALIDATION_KINDS.get(err.get("type", ""), "格式不正确")
    label = f"{where}「{field}」" if field else where
    return {
        "field": field,
        "code": f"request.{err.get('type', 'invalid')}",
        "message": label + what,
    }


# --- middleware -------------------------------------------------------------------------------------


class BodyTooLarge(StarletteHTTPException):
    """A request body over the limit (raised while it is read, when it came without a length)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimit:
    """Refuse request bodies over 1 MB (the photo upload: 2 MB) with 413 before reading them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def limit_for(path: str) -> int:
        """The largest body this path accepts."""
        for prefix, limit in LARGER_BODIES.items():
            if path.startswith(prefix):
                return limit
        return MAX_BODY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._refuse(scope, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Send) -> None:
        response = problem(413, "request.too_large", "提交的内容过大（不超过1MB，照片不超过2MB）")
        response.headers["Connection"] = "close"
        await response(scope, _drain, send)


async def _drain() -> Message:
    return {"type": "http.disconnect"}


class SecurityHeaders:
    """Headers every response carries; pages also get a strict CSP and are never cached."""

    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    extra.append((b"content-security-policy", self.CSP.encode()))
                if b"cache-control" not in present and not scope["path"].startswith("/static/"):
                    # Pages and API answers carry personal data: never keep them in a cache.
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + [h for h in extra if h[0] not in present]
            await send(message)

        await self.app(scope, receive, with_headers)
