"""What routes depend on: the app's context, the signed-in user, the permission checks, and the
error answers and body shapes the API documents.

API routes take a bearer token; pages take the session cookie (an opaque id, its session a row). Both end in the same
``require`` check against ``api.security.PERMISSIONS``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from fastapi import Body, Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from jinja2 import Environment
from pydantic import BaseModel, WithJsonSchema
from sqlalchemy import Engine
from starlette.datastructures import FormData

from api.schemas.cases import ActionIn
from api.schemas.intake import INTAKE_EXAMPLE, ContactIn
from api.schemas.supervision import AnswerIn, ExtensionRequestIn
from api.security import (
    CSRF_FIELD,
    PERMISSION_LABELS,
    SESSION_COOKIE,
    client_address,
    csrf_valid,
    may_take,
    permits,
)
from cases.accounts import sessions
from cases.db import reader
from cases.reports.cache import ReportCache
from cases.runtime import Runtime
from cases.settings import Clock
from workflow.errors import DomainError, PermissionDenied
from workflow.intake import IntakeIn
from workflow.lifecycle import ACTION_LABELS, ROLE_LABELS


@dataclass
class AppContext:
    """Everything a request needs: the database, the runtime, the one clock, keys and limits."""

    engine: Engine
    rt: Runtime
    clock: Clock
    templates: Environment
    timeouts: sessions.Timeouts
    #: The training office (模拟情境演练): pages marked 「演练」, nothing delivered.
    training: bool = False
    #: The real time under the training office's clock: sessions and sign-in throttling count it,
    #: so a scenario's time jump does not sign the trainee out. None: ``clock`` is the real time.
    real_clock: Clock | None = None
    #: The statistics PDFs made, by (office, period, data version).
    reports: ReportCache = field(default_factory=ReportCache)
    #: The statistics and their charts, by (office, period, data version) and by the numbers
    #: drawn: computed and drawn once, not at every view (issue 16).
    figures: ReportCache = field(default_factory=lambda: ReportCache(size=32))
    #: The staff wall's 群众评价, by data version (the wall is public; a year's counts are not free).
    wall: ReportCache = field(default_factory=lambda: ReportCache(size=4))

    def session_now(self) -> datetime:
        """ "Now" for sessions, tokens and sign-in throttling: always the real time."""
        return (self.real_clock or self.clock).now()

    @property
    def secret_key(self) -> bytes:
        """The key that signs sessions and tokens."""
        return self.rt.settings.secret_key


@dataclass(frozen=True)
class User:
    """The signed-in staff member."""

    staff_no: str
    name: str
    role: str
    unit: str | None = None
    staff_id: int | None = None
    #: The session or token this request came with (its own entry in the list of sessions).
    session_id: int | None = None
    must_change_password: bool = False

    @property
    def role_label(self) -> str:
        """The role in Chinese."""
        return ROLE_LABELS.get(self.role, self.role)


class Unauthenticated(DomainError):
    """No valid sign-in: 401 on the API (pages redirect to /login instead)."""

    exit_code = 4
    http_status = 401


class LoginRequired(Exception):
    """A page asked for a user and there is none: redirect to /login, then back."""

    def __init__(self, next_path: str, *, change_password: bool = False) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        #: Signed in, but the password must be changed first: go straight to that page.
        self.change_password = change_password


class PasswordChangeRequired(DomainError):
    """An admin reset the password: nothing but choosing a new one until it is done (403)."""

    exit_code = 4
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            "auth.password_change_required", "管理员已重置您的密码，请先修改密码后再继续"
        )


class CsrfRejected(DomainError):
    """A page form came without this session's CSRF token."""

    exit_code = 4
    http_status = 403

    def __init__(self) -> None:
        super().__init__("csrf.invalid", "页面已过期或来源不明，请返回刷新页面后重试")


def get_ctx(request: Request) -> AppContext:
    """The app's context."""
    return request.app.state.ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


#: What an account whose password was reset may still reach: choosing a new one, and leaving.
PASSWORD_CHANGE_PATHS = frozenset(
    {"/account/password", "/logout", "/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"}
)


def holder_user(ctx: AppContext, secret: str, kind: str) -> User | None:
    """The active staff member whose open session or token this secret is, or None."""
    now = ctx.session_now()
    try:
        # Most requests only read their session: no write lock on SQLite.
        with reader(ctx.engine).begin() as conn:
            h = sessions.holder(
                conn, secret, kind=kind, now=now, timeouts=ctx.timeouts, read_only=True
            )
    except sessions.NeedsWrite:
        with ctx.engine.begin() as conn:
            h = sessions.holder(conn, secret, kind=kind, now=now, timeouts=ctx.timeouts)
    if h is None:
        return None
    return User(
        staff_no=h.staff_no,
        name=h.name,
        role=h.role,
        unit=h.unit,
        staff_id=h.staff_id,
        session_id=h.session_id,
        must_change_password=h.must_change_password,
    )


def api_user(
    request: Request, ctx: Ctx, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    """The user a bearer token names; 401 without a valid one."""
    if not token:
        raise Unauthenticated("auth.required", "请先登录：缺少访问令牌（Authorization: Bearer）")
    user = holder_user(ctx, token, sessions.API)
    if user is None:
        raise Unauthenticated("auth.invalid_token", "访问令牌无效、已过期或已注销，请重新登录")
    if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    return user


def page_user_or_none(request: Request, ctx: Ctx) -> User | None:
    """The user the session cookie names, or None (no cookie, or its session has ended)."""
    secret = request.cookies.get(SESSION_COOKIE)
    return holder_user(ctx, secret, sessions.WEB) if secret else None


def page_user(request: Request, user: Annotated[User | None, Depends(page_user_or_none)]) -> User:
    """The signed-in user; anyone else is sent to /login and back, and an account whose password
    was reset to the page that changes it."""
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise LoginRequired("/account/password", change_password=True)
    return user


def _refuse(permission: str, user: User) -> None:
    if not permits(permission, user.role):
        raise PermissionDenied(
            "permission.denied",
            f"{user.role_label}无权{PERMISSION_LABELS[permission]}",
            role=user.role,
        )


@cache
def api_permission(permission: str) -> Callable[..., User]:
    """A dependency: the API user, if their role holds ``permission`` (else 403)."""

    def dependency(user: Annotated[User, Depends(api_user)]) -> User:
        _refuse(permission, user)
        return user

    dependency.permission = permission  # type: ignore[attr-defined]  # read by the route table test
    return dependency


@cache
def page_permission(permission: str) -> Callable[..., User]:
    """A dependency: the page user, if their role holds ``permission`` (else a 403 page)."""

    def dependency(user: Annotated[User, Depends(page_user)]) -> User:
        _refuse(permission, user)
        return user

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


def public(request: Request) -> None:
    """Marks a route as public on purpose (the route table test knows it by this)."""


public.permission = "public"  # type: ignore[attr-defined]

ApiStaff = Annotated[User, Depends(api_permission("signed_in"))]
ApiReader = Annotated[User, Depends(api_permission("read_cases"))]
ApiIntake = Annotated[User, Depends(api_permission("intake"))]
ApiActor = Annotated[User, Depends(api_permission("act"))]
ApiEscalations = Annotated[User, Depends(api_permission("escalations"))]
ApiWorker = Annotated[User, Depends(api_permission("work_queue"))]

PageStaff = Annotated[User, Depends(page_permission("signed_in"))]
PageReader = Annotated[User, Depends(page_permission("read_cases"))]
PageIntake = Annotated[User, Depends(page_permission("intake"))]
PageActor = Annotated[User, Depends(page_permission("act"))]
PageEscalations = Annotated[User, Depends(page_permission("escalations"))]
PageWorker = Annotated[User, Depends(page_permission("work_queue"))]
PageDeliveries = Annotated[User, Depends(page_permission("manage_deliveries"))]
PageAdmin = Annotated[User, Depends(page_permission("manage_staff"))]
PageOffice = Annotated[User, Depends(page_permission("manage_office"))]
ApiAdmin = Annotated[User, Depends(api_permission("manage_staff"))]
ApiOffice = Annotated[User, Depends(api_permission("manage_office"))]
Public = Annotated[None, Depends(public)]


async def checked_form(request: Request) -> FormData:
    """The submitted form, after checking its CSRF token against the session's."""
    form = await request.form()
    if not csrf_valid(request.session, form.get(CSRF_FIELD)):
        raise CsrfRejected()
    return form


Form = Annotated[FormData, Depends(checked_form)]


def client_ip(request: Request) -> str:
    """The client's address: ``X-Forwarded-For`` is believed only from a trusted proxy
    (``SHOUJIE_TRUSTED_PROXIES``)."""
    ctx: AppContext = request.app.state.ctx
    return client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        ctx.rt.settings.trusted_proxies,
    )


def form_str(form: FormData | dict[str, Any], name: str) -> str:
    """A text field of a form, stripped ("" when missing or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def refuse_action(user: User, action: str) -> None:
    """403 before touching the case when the user's role may never take this action."""
    if not may_take(action, user.role):
        raise PermissionDenied(
            "permission.denied",
            f"{user.role_label}无权{ACTION_LABELS[action]}",
            action=action,
            role=user.role,
        )


# --- what the API documents --------------------------------------------------------------------

PROBLEM_JSON = "application/problem+json"
#: Where the OpenAPI document keeps its schemas (api.openapi fills it).
SCHEMAS = "#/components/schemas/"

#: Each error status with what it means on this API.
ERROR_MEANINGS: dict[int, str] = {
    400: "请求无法解析（如请求内容不是 UTF-8）",
    401: "未登录或访问令牌无效",
    403: "无权操作",
    404: "找不到",
    409: "当前状态不能执行该操作，或与已有记录冲突",
    412: "If-Match 版本已过期",
    413: "提交的内容过大（不超过1MB）",
    422: "内容有误（errors 列出每个需要更正的字段）",
    429: "失败次数过多，暂时锁定（Retry-After 说明等待秒数）",
    500: "服务器内部错误",
    503: "数据库无法连接",
}
#: What every route behind a bearer token may answer.
SIGNED_IN = (401, 403, 500)
#: What a route reading a JSON body may answer besides.
WITH_BODY = (400, 413, 422)


def problems(*statuses: int, **meanings: str) -> dict[int | str, dict[str, Any]]:
    """The problem+json answers a route documents; ``s409="…"`` says what 409 means there."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted(set(statuses)):
        out[status] = {
            "description": meanings.get(f"s{status}", ERROR_MEANINGS[status]),
            "content": {PROBLEM_JSON: {"schema": {"$ref": SCHEMAS + "Problem"}}},
        }
    return out


#: Request bodies the rules check themselves, documented by these models (api.openapi adds them).
RULE_CHECKED: dict[str, type[BaseModel]] = {}


def rule_checked(model: type[BaseModel]) -> WithJsonSchema:
    """A JSON object body documented by ``model`` but checked by the rules, after who may act and
    whether the case allows it, so each refusal keeps its own code and Chinese message."""
    RULE_CHECKED[model.__name__] = model
    return WithJsonSchema({"$ref": SCHEMAS + model.__name__})


def enum_param(values: Any, description: str = "") -> WithJsonSchema:
    """A text parameter documented as one of ``values``; the rules refuse any other in Chinese."""
    return WithJsonSchema({"type": "string", "enum": list(values), "description": description})


#: A row's id in a path: the database's integers are 32-bit (a larger number names nothing).
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]

IntakeBody = Annotated[
    dict[str, Any],
    rule_checked(IntakeIn),
    Body(openapi_examples={"visit": {"summary": "来访登记", "value": INTAKE_EXAMPLE}}),
]
ContactBody = Annotated[
    dict[str, Any],
    rule_checked(ContactIn),
    Body(
        openapi_examples={
            "repeat": {"summary": "重复访", "value": {**INTAKE_EXAMPLE, "summary": "再次来访催办"}},
            "on_site": {
                "summary": "下移接待",
                "value": {"kind": "on_site", "place": "某街道办事处", "summary": "现场接待"},
            },
        }
    ),
]
ActionBody = Annotated[
    dict[str, Any] | None,
    rule_checked(ActionIn),
    Body(openapi_examples={"note": {"summary": "跟踪记录", "value": {"text": "已电话联系"}}}),
]
AnswerBody = Annotated[
    dict[str, Any] | None,
    rule_checked(AnswerIn),
    Body(openapi_examples={"answer": {"value": {"answer": "已受理，正在核查"}}}),
]
ExtensionBody = Annotated[
    dict[str, Any] | None,
    rule_checked(ExtensionRequestIn),
    Body(openapi_examples={"days": {"value": {"days": 15, "reason": "需要实地调查"}}}),
]
