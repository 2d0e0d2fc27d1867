"""The JSON API under /api/v1 (contract.md, "HTTP"): bearer tokens, cases, actions.

The escalation queue's API lives with its pages in ``api.queue``.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import authenticate
from api.deps import (
    ApiActor,
    ApiIntake,
    ApiReader,
    ApiStaff,
    Ctx,
    Public,
    client_ip,
    refuse_action,
)
from cases.casework import actions, intake, reading, search
from workflow import lifecycle
from workflow.errors import Conflict, DomainError, InvalidInput

router = APIRouter(prefix="/api/v1")

_PROBLEM = {"content": {"application/problem+json": {}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "未登录或访问令牌无效", **_PROBLEM},
    403: {"description": "无权操作", **_PROBLEM},
}

_INTAKE_EXAMPLE = {
    "channel": "visit",
    "category": "appeal",
    "petitioner": {
        "name": "王建国",
        "id_number": "11010519491231002X",
        "phone": "13800138000",
        "address": "南京市玄武区中山路1号",
    },
    "region_code": "320102",
    "subject": "拆迁补偿款未发放",
    "content": "2025年签订拆迁协议后补偿款至今未到位。",
    "requests": "尽快发放补偿款",
}


@router.post(
    "/auth/token",
    tags=["auth"],
    summary="以工号和密码换取访问令牌（OAuth2 password）",
    responses={
        401: {"description": "工号或密码不正确", **_PROBLEM},
        429: {"description": "失败次数过多，暂时锁定", **_PROBLEM},
    },
)
def issue_token(
    request: Request,
    ctx: Ctx,
    _: Public,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> dict[str, Any]:
    """A bearer token for the JSON API; ``username`` is the 工号."""
    user, fingerprint = authenticate(ctx, form.username, form.password, client_ip(request))
    return {
        "access_token": ctx.tokens.issue(user.staff_no, fingerprint),
        "token_type": "bearer",
        "expires_in": ctx.tokens.lifetime,
    }


@router.get("/me", tags=["auth"], summary="当前用户", responses=_ERRORS)
def me(user: ApiStaff) -> dict[str, Any]:
    """The signed-in staff member."""
    return {
        "staff_no": user.staff_no,
        "name": user.name,
        "role": user.role,
        "role_label": user.role_label,
    }


@router.post(
    "/cases",
    status_code=201,
    tags=["cases"],
    summary="登记信访事项",
    responses={**_ERRORS, 422: {"description": "登记内容有误（errors 列出每个字段）", **_PROBLEM}},
)
def create_case(
    ctx: Ctx,
    user: ApiIntake,
    response: Response,
    body: Annotated[dict[str, Any], Body(examples=[_INTAKE_EXAMPLE])],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    handled_below: Annotated[
        bool,
        Query(description="信访人持有下级机关的处理意见（此时不计越级访，第二十条）"),
    ] = False,
) -> dict[str, Any]:
    """Register a case; the answer carries the 查询码 once and the matter's jurisdiction
    (``flags.skip_level`` for 越级访). A retried ``Idempotency-Key`` returns the first answer
    instead of registering twice."""
    with ctx.engine.begin() as conn:
        case = intake.intake(
            conn,
            ctx.rt,
            body=body,
            actor_staff_no=user.staff_no,
            now=ctx.clock.now(),
            idempotency_key=idempotency_key or None,
            handled_below=handled_below,
        )
    response.headers["Location"] = f"/api/v1/cases/{case['case_no']}"
    response.headers["ETag"] = f'"{case["version"]}"'
    return case


@router.get("/cases", tags=["cases"], summary="信访事项列表", responses=_ERRORS)
def list_cases(
    ctx: Ctx,
    user: ApiReader,
    owner: Annotated[str | None, Query(description="首接责任人工号")] = None,
    state: Annotated[str | None, Query(description="状态，如 registered")] = None,
    q: Annotated[str | None, Query(description="案件编号、信访人姓名、电话或身份证号")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Cases, newest first, as the user may see them."""
    with ctx.engine.begin() as conn:
        return search.search_cases(
            conn,
            ctx.rt,
            viewer_staff_no=user.staff_no,
            now=ctx.clock.now(),
            q=q or "",
            owner=owner,
            state=state,
            limit=limit,
        )


@router.get("/cases/{case_no}", tags=["cases"], summary="查看信访事项", responses=_ERRORS)
def get_case(ctx: Ctx, user: ApiReader, case_no: str, response: Response) -> dict[str, Any]:
    """One case with its clocks and the actions this user may take now."""
    with ctx.engine.begin() as conn:
        case = reading.show(
            conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=ctx.clock.now()
        )
    response.headers["ETag"] = f'"{case["version"]}"'
    return case


@router.get(
    "/cases/{case_no}/events", tags=["cases"], summary="信访事项办理过程", responses=_ERRORS
)
def get_events(ctx: Ctx, user: ApiReader, case_no: str) -> list[dict[str, Any]]:
    """The case's steps, oldest first (for the accused unit, without their contents)."""
    with ctx.engine.begin() as conn:
        case = reading.show(
            conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=ctx.clock.now()
        )
        events = reading.case_events(conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no)
    return hide_payloads(case, events)


def hide_payloads(case: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the events' contents when the case is hidden from this viewer (条例第三十条第三款)."""
    if not case["petitioner"].get("confidential"):
        return events
    return [{**e, "payload": {}} for e in events]


def parse_if_match(value: str | None) -> int | None:
    """The case version an ``If-Match`` header names: ``3``, ``"3"`` or ``W/"3"``."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput(
            "request.bad_if_match", "If-Match 应为信访事项的版本号，如 3", field="If-Match"
        )
    return int(text)


class PreconditionFailed(DomainError):
    """The If-Match version is not the case's current one (HTTP 412)."""

    exit_code = 5
    http_status = 412


@router.post(
    "/cases/{case_no}/actions/{action}",
    tags=["cases"],
    summary="办理操作（受理、转送、答复……）",
    responses={
        **_ERRORS,
        409: {
            "description": "当前状态不能执行该操作（allowed_actions 列出可执行的操作）",
            **_PROBLEM,
        },
        412: {"description": "If-Match 版本已过期", **_PROBLEM},
        422: {"description": "操作内容有误", **_PROBLEM},
    },
)
def take_action(
    ctx: Ctx,
    user: ApiActor,
    case_no: str,
    action: str,
    response: Response,
    payload: Annotated[dict[str, Any] | None, Body()] = None,
    if_match: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Perform one action on a case; an ``If-Match: <version>`` refuses it if the case changed."""
    if action not in lifecycle.ACTIONS:
        raise InvalidInput("action.unknown", f"未知的操作：{action}", field="action")
    refuse_action(user, action)
    expected = parse_if_match(if_match)
    try:
        with ctx.engine.begin() as conn:
            case = actions.act(
                conn,
                ctx.rt,
                case_no=case_no,
                action=action,
                actor_staff_no=user.staff_no,
                payload=payload or {},
                now=ctx.clock.now(),
                expected_version=expected,
            )
    except Conflict as exc:
        if exc.code == "case.stale_version" and expected is not None:
            raise PreconditionFailed(exc.code, exc.message, **exc.details) from exc
        raise
    response.headers["ETag"] = f'"{case["version"]}"'
    return case
