"""Answering a supervision notice (督办单): the case's owner, or a supervisor or leader for them."""

from typing import Any

from fastapi import APIRouter

from api.deps import SIGNED_IN, WITH_BODY, AnswerBody, ApiActor, Ctx, Id, problems
from api.schemas.supervision import Notice
from cases.store.retry import in_transaction
from cases.supervision import notices

router = APIRouter(prefix="/api/v1", tags=["escalations"])


@router.post(
    "/notices/{notice_id}/answer",
    summary="答复督办单",
    response_model=Notice,
    responses=problems(*SIGNED_IN, *WITH_BODY, 404, 409, s409="该督办单已经答复"),
)
def answer_api(ctx: Ctx, user: ApiActor, notice_id: Id, body: AnswerBody = None) -> dict[str, Any]:
    """The case's owner (or a supervisor or leader) answers a supervision notice: ``answer``."""
    return in_transaction(
        ctx.engine,
        lambda conn: notices.answer_notice(
            conn,
            ctx.rt,
            notice_id=notice_id,
            actor_staff_no=user.staff_no,
            answer=(body or {}).get("answer"),
            now=ctx.clock.now(),
        ),
    )
