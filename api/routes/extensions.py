"""Extension requests (延期申请, 条例第三十四条): the owner asks, a supervisor decides."""

from typing import Any

from fastapi import APIRouter

from api.deps import (
    SIGNED_IN,
    WITH_BODY,
    ApiActor,
    ApiEscalations,
    ApiWorker,
    Ctx,
    ExtensionBody,
    Id,
    problems,
)
from api.schemas.supervision import DecisionIn, ExtensionRequest
from cases.db import reader
from cases.store.retry import in_transaction
from cases.supervision import extensions

router = APIRouter(prefix="/api/v1", tags=["escalations"])


@router.post(
    "/cases/{case_no}/extension-requests",
    status_code=201,
    summary="申请延期（首接责任人）",
    response_model=ExtensionRequest,
    responses=problems(
        *SIGNED_IN, *WITH_BODY, 404, 409, s409="当前不能延期，或已有待审批的延期申请"
    ),
)
def extension_request_api(
    ctx: Ctx, user: ApiActor, case_no: str, body: ExtensionBody = None
) -> dict[str, Any]:
    """The owner asks to extend the handling period by ``days`` (1–30) for a ``reason``."""
    # The body is checked by the rule itself, after who may ask and whether the case may be
    # extended at all: a stranger to the case hears "not yours" before "days missing".
    body = body or {}
    return in_transaction(
        ctx.engine,
        lambda conn: extensions.request_extension(
            conn,
            ctx.rt,
            case_no=case_no,
            actor_staff_no=user.staff_no,
            days=body.get("days"),
            reason=body.get("reason"),
            now=ctx.clock.now(),
        ),
    )


@router.get(
    "/extension-requests",
    summary="待审批的延期申请",
    response_model=list[ExtensionRequest],
    responses=problems(*SIGNED_IN),
)
def extension_requests_api(ctx: Ctx, user: ApiEscalations) -> list[dict[str, Any]]:
    """Extension requests waiting for a decision, the oldest first."""
    with reader(ctx.engine).begin() as conn:
        return extensions.pending_extensions(conn, ctx.rt)


@router.post(
    "/extension-requests/{request_id}/decision",
    summary="审批延期申请",
    response_model=ExtensionRequest,
    responses=problems(*SIGNED_IN, *WITH_BODY, 404, 409),
)
def extension_decision_api(
    ctx: Ctx, user: ApiWorker, request_id: Id, body: DecisionIn
) -> dict[str, Any]:
    """Approve (performs ``extend`` and records the notice to the petitioner) or refuse."""
    return in_transaction(
        ctx.engine,
        lambda conn: extensions.decide_extension(
            conn,
            ctx.rt,
            request_id=request_id,
            actor_staff_no=user.staff_no,
            approve=body.approve,
            note=body.note,
            now=ctx.clock.now(),
        ),
    )
