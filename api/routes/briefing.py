"""The daily briefing (每日例会): mine, and my branch's."""

from typing import Any

from fastapi import APIRouter

from api.deps import SIGNED_IN, ApiReader, Ctx, problems
from api.schemas.reports import Briefing
from cases.reports import briefing

router = APIRouter(prefix="/api/v1", tags=["briefing"])


@router.get(
    "/briefing", summary="每日例会", response_model=Briefing, responses=problems(*SIGNED_IN)
)
def briefing_api(ctx: Ctx, user: ApiReader) -> dict[str, Any]:
    """The daily briefing as of now: mine, and the branches' for those who lead them."""
    with ctx.engine.begin() as conn:
        return briefing.briefing_for(
            conn, ctx.rt, staff_no=user.staff_no, role=user.role, now=ctx.clock.now()
        )
