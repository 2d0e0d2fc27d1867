"""The admins' account pages: reset a password (the temporary one shown once), deactivate and
reactivate, anyone's sessions and tokens and their revocation, and the administrative log."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Ctx, Form, Id, PageAdmin
from api.pages.common import redirect, render, run_form
from api.security import add_flash
from cases.accounts import admin_log, lifecycle, sessions
from cases.organisation import wall
from workflow.errors import DomainError

router = APIRouter(include_in_schema=False)


@router.get("/admin/staff")
def admin_staff_page(request: Request, ctx: Ctx, user: PageAdmin) -> Response:
    """Staff administration: photos and pledges for the wall, accounts, the administrative log."""
    return staff_admin_page(request, ctx, user)


def staff_admin_page(
    request: Request, ctx: Ctx, user: PageAdmin, *, temporary: tuple[str, str] | None = None
) -> Response:
    """The staff page with accounts' states and the latest administrative events."""
    with ctx.engine.begin() as conn:
        people = wall.staff_admin_list(conn)
        states = {a["staff_no"]: a for a in lifecycle.accounts(conn)}
        events = admin_log.recent(conn, 20)
    for p in people:
        p["must_change_password"] = states.get(p["staff_no"], {}).get("must_change_password")
    return render(
        request, "admin_staff.html", user=user, people=people, events=events, temporary=temporary
    )


@router.post("/admin/staff/{staff_no}/reset")
def reset_submit(
    request: Request, ctx: Ctx, user: PageAdmin, staff_no: str, form: Form
) -> Response:
    """Reset a password: a temporary one, shown on this page once and changed at next sign-in."""
    try:
        with ctx.engine.begin() as conn:
            password = lifecycle.set_password(
                conn,
                ctx.rt.audit_key,
                actor=user.staff_no,
                staff_no=staff_no,
                password=None,
                now=ctx.clock.now(),
            )
    except DomainError as exc:
        if exc.http_status == 403:
            raise
        add_flash(request.session, exc.message, "error")
        return redirect("/admin/staff")
    # Shown in this answer only: never in a cookie, a flash or the log.
    return staff_admin_page(request, ctx, user, temporary=(staff_no, password))


def _set_active(
    request: Request, ctx: Ctx, user: Any, staff_no: str, active: bool, done: str
) -> Response:
    return run_form(
        request,
        ctx,
        "/admin/staff",
        done,
        lambda conn: lifecycle.set_active(
            conn,
            ctx.rt.audit_key,
            actor=user.staff_no,
            staff_no=staff_no,
            active=active,
            now=ctx.clock.now(),
        ),
    )


@router.post("/admin/staff/{staff_no}/deactivate")
def deactivate_submit(
    request: Request, ctx: Ctx, user: PageAdmin, staff_no: str, form: Form
) -> Response:
    """Deactivate an account: its sessions and tokens end at once."""
    return _set_active(
        request, ctx, user, staff_no, False, f"已停用 {staff_no}，其会话和令牌已结束"
    )


@router.post("/admin/staff/{staff_no}/reactivate")
def reactivate_submit(
    request: Request, ctx: Ctx, user: PageAdmin, staff_no: str, form: Form
) -> Response:
    """Reactivate an account."""
    return _set_active(request, ctx, user, staff_no, True, f"已启用 {staff_no}")


@router.get("/admin/staff/{staff_no}/sessions")
def sessions_page(request: Request, ctx: Ctx, user: PageAdmin, staff_no: str) -> Response:
    """A staff member's open sessions and tokens, each with a revoke button."""
    with ctx.engine.begin() as conn:
        row = lifecycle.account(conn, staff_no)
        rows = sessions.open_sessions(conn, row.id, now=ctx.clock.now(), timeouts=ctx.timeouts)
    return render(request, "admin_sessions.html", user=user, person=row, sessions=rows)


@router.post("/admin/sessions/{session_id}/revoke")
def revoke_submit(
    request: Request, ctx: Ctx, user: PageAdmin, session_id: Id, form: Form
) -> Response:
    """End anyone's session or token."""
    return run_form(
        request,
        ctx,
        "/admin/staff",
        f"已注销会话或令牌 #{session_id}",
        lambda conn: lifecycle.revoke(
            conn, ctx.rt.audit_key, actor=user.staff_no, session_id=session_id, now=ctx.clock.now()
        ),
    )
