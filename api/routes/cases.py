"""Cases: register, list, read, their steps, and the actions taken on them."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response
from pydantic import WithJsonSchema

from api.deps import (
    SIGNED_IN,
    WITH_BODY,
    ActionBody,
    ApiActor,
    ApiIntake,
    ApiReader,
    Ctx,
    IntakeBody,
    enum_param,
    problems,
    refuse_action,
)
from api.schemas.cases import (
    Case,
    Event,
    NewCase,
    QueryCodeIssued,
    QueryCodeReissue,
    SearchBody,
)
from cases.casework import actions, intake, query_codes, reading, search
from cases.db import reader
from cases.store.retry import in_transaction
from workflow import lifecycle
from workflow.errors import Conflict, DomainError, InvalidInput

router = APIRouter(prefix="/api/v1", tags=["cases"])

#: ``3``, ``"3"``, ``W/"3"`` or ``*`` (any version).
IF_MATCH = r'^\s*(\*|(W/)?"?[0-9]+"?)\s*$'


@router.post(
    "/cases",
    status_code=201,
    summary="登记信访事项",
    response_model=NewCase,
    response_model_exclude_unset=True,
    responses=problems(
        *SIGNED_IN,
        *WITH_BODY,
        409,
        s409="同一 Idempotency-Key 已被他人使用",
        s422="登记内容有误（errors 列出每个字段）",
    ),
)
def create_case(
    ctx: Ctx,
    user: ApiIntake,
    response: Response,
    body: IntakeBody,
    idempotency_key: Annotated[
        str | None, Header(max_length=200, description="重试时用同一个值，只登记一次")
    ] = None,
    handled_below: Annotated[
        bool,
        Query(description="信访人持有下级机关的处理意见（此时不计越级访，第二十条）"),
    ] = False,
) -> dict[str, Any]:
    """Register a case; the answer carries the 查询码 once and the matter's jurisdiction
    (``flags.skip_level`` for 越级访). A retried ``Idempotency-Key`` returns the first answer
    instead of registering twice."""
    case = in_transaction(
        ctx.engine,
        lambda conn: intake.intake(
            conn,
            ctx.rt,
            body=body,
            actor_staff_no=user.staff_no,
            now=ctx.clock.now(),
            idempotency_key=idempotency_key or None,
            handled_below=handled_below,
        ),
    )
    response.headers["Location"] = f"/api/v1/cases/{case['case_no']}"
    response.headers["ETag"] = f'"{case["version"]}"'
    return case


@router.get(
    "/cases",
    summary="信访事项列表",
    response_model=list[Case],
    response_model_exclude_unset=True,
    responses=problems(*SIGNED_IN, 422),
)
def list_cases(
    ctx: Ctx,
    user: ApiReader,
    owner: Annotated[str | None, Query(description="首接责任人工号")] = None,
    state: Annotated[
        str | None, enum_param(lifecycle.STATE_LABELS, "状态，如 registered"), Query()
    ] = None,
    q: Annotated[str | None, Query(description="案件编号、信访人姓名、电话或身份证号")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Cases, newest first, as the user may see them. ``q`` takes a case number or a name; a
    phone or ID number is refused here (422 ``search.use_post``): the access log would keep it,
    so it goes in the body of ``POST /api/v1/cases/search``."""
    search.refuse_number_in_url(q)
    with reader(ctx.engine).begin() as conn:
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


@router.post(
    "/cases/search",
    summary="查询信访事项（按电话、身份证号等）",
    response_model=list[Case],
    response_model_exclude_unset=True,
    responses=problems(*SIGNED_IN, *WITH_BODY, 422),
)
def search_cases(ctx: Ctx, user: ApiReader, body: SearchBody) -> list[dict[str, Any]]:
    """Cases by case number, petitioner name, phone or ID number, the number in the body (never
    in a URL); another's case comes back to a receptionist as its summary (``scope``)."""
    with reader(ctx.engine).begin() as conn:
        return search.search_cases(
            conn,
            ctx.rt,
            viewer_staff_no=user.staff_no,
            now=ctx.clock.now(),
            q=body.q,
            owner=body.owner,
            state=body.state,
            limit=body.limit,
        )


@router.get(
    "/cases/{case_no}",
    summary="查看信访事项",
    response_model=Case,
    response_model_exclude_unset=True,
    responses=problems(*SIGNED_IN, 404, 422),
)
def get_case(ctx: Ctx, user: ApiReader, case_no: str, response: Response) -> dict[str, Any]:
    """One case with its clocks and the actions this user may take now."""
    with reader(ctx.engine).begin() as conn:
        case = reading.show(
            conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=ctx.clock.now()
        )
    response.headers["ETag"] = f'"{case["version"]}"'
    return case


@router.get(
    "/cases/{case_no}/events",
    summary="信访事项办理过程",
    response_model=list[Event],
    response_model_exclude_unset=True,
    responses=problems(*SIGNED_IN, 404, 422),
)
def get_events(ctx: Ctx, user: ApiReader, case_no: str) -> list[dict[str, Any]]:
    """The case's steps, oldest first (for the accused unit, without their contents)."""
    with reader(ctx.engine).begin() as conn:
        return reading.case_events(conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no)


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
    summary="办理操作（受理、转送、答复……）",
    response_model=Case,
    response_model_exclude_unset=True,
    responses=problems(
        *SIGNED_IN,
        *WITH_BODY,
        404,
        409,
        412,
        s409="当前状态不能执行该操作（allowed_actions 列出可执行的操作），或版本已过期",
        s412="If-Match 版本已过期（version 为当前版本）",
        s422="未知的操作，或操作内容有误",
    ),
)
def take_action(
    ctx: Ctx,
    user: ApiActor,
    case_no: str,
    action: Annotated[str, enum_param(lifecycle.ACTIONS, "操作"), Path()],
    response: Response,
    payload: ActionBody = None,
    if_match: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "pattern": IF_MATCH}),
        Header(description="信访事项的版本号：版本已变时拒绝（412）"),
    ] = None,
) -> dict[str, Any]:
    """Perform one action on a case; an ``If-Match: <version>`` refuses it if the case changed."""
    if action not in lifecycle.ACTIONS:
        raise InvalidInput("action.unknown", f"未知的操作：{action}", field="action")
    refuse_action(user, action)
    expected = parse_if_match(if_match)
    try:
        case = in_transaction(
            ctx.engine,
            lambda conn: actions.act(
                conn,
                ctx.rt,
                case_no=case_no,
                action=action,
                actor_staff_no=user.staff_no,
                payload=payload or {},
                now=ctx.clock.now(),
                expected_version=expected,
            ),
        )
    except Conflict as exc:
        if exc.code == "case.stale_version" and expected is not None:
            raise PreconditionFailed(exc.code, exc.message, **exc.details) from exc
        raise
    response.headers["ETag"] = f'"{case["version"]}"'
    return case


@router.post(
    "/cases/{case_no}/query-code",
    summary="重新发放查询码",
    response_model=QueryCodeIssued,
    responses=problems(
        *SIGNED_IN,
        *WITH_BODY,
        404,
        s422="未核对或核对不符（身份证号码、联系电话）",
    ),
)
def reissue_query_code(
    ctx: Ctx, user: ApiActor, case_no: str, body: QueryCodeReissue
) -> dict[str, Any]:
    """The owner or a supervisor issues a new 查询码 after checking the petitioner's identity
    (ID number, or phone when none is on record); the old code stops working; the reissue is
    recorded on the case; ``send_sms`` sends the new code to the petitioner's phone. Each call
    issues a new code: a retry never answers with an earlier one."""
    with ctx.engine.begin() as conn:
        return query_codes.reissue(
            conn,
            ctx.rt,
            case_no=case_no,
            actor_staff_no=user.staff_no,
            id_number=body.id_number,
            phone=body.phone,
            send_sms=body.send_sms,
            now=ctx.clock.now(),
        )
