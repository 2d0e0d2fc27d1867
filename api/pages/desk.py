"""My desk, the page a signed-in member lands on: the cases I own, by urgency."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Ctx, PageStaff
from api.pages.common import redirect, render
from cases.casework import desk
from cases.supervision import panels

router = APIRouter(include_in_schema=False)


@router.get("/")
def desk_page(request: Request, ctx: Ctx, user: PageStaff) -> Response:
    """My desk: the cases I own — overdue, due soon, waiting for a tracking note."""
    if user.role == "admin":
        return redirect("/admin/staff")
    if user.role == "auditor":
        return redirect("/cases")
    with ctx.engine.begin() as conn:
        data = desk.desk(conn, ctx.rt, staff_no=user.staff_no, role=user.role, now=ctx.clock.now())
        extras = panels.desk_extras(
            conn, ctx.rt, staff_no=user.staff_no, role=user.role, now=ctx.clock.now()
        )
    return render(request, "desk.html", user=user, desk=data, extras=extras)
