"""The daily briefing (每日例会) as a page: mine, and my branch's."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Ctx, PageReader
from api.pages.common import render
from cases.reports import briefing as briefings

router = APIRouter(include_in_schema=False)


@router.get("/briefing")
def briefing_page(request: Request, ctx: Ctx, user: PageReader) -> Response:
    """The daily briefing (每日例会): mine, and my branch's."""
    with ctx.engine.begin() as conn:
        data = briefings.briefing_for(
            conn, ctx.rt, staff_no=user.staff_no, role=user.role, now=ctx.clock.now()
        )
    return render(request, "briefing.html", user=user, b=data)
