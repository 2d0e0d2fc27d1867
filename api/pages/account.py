"""One's own account on the pages: change the password (forced after an admin's reset), see one's
sessions and tokens and end any of them."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Ctx, Form, Id, PageStaff, User
from api.pages.common import redirect, render, run_form
from api.security import add_flash
from cases.accounts import lifecycle, sessions
from workflow.errors import DomainError

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, ctx: Ctx, user: User, *, error: str = "", status: int = 200
) -> Response:
    with ctx.engine.begin() as conn:
        rows = sessions.open_sessions(
            conn, user.staff_id or 0, now=ctx.session_now(), timeouts=ctx.timeouts
        )
    return render(request, "account.html", user=user, sessions=rows, error=error, status=status)


@router.get("/account")
def account_page(request: Request, ctx: Ctx, user: PageStaff) -> Response:
    """My account: the password form and my open sessions and tokens."""
    return _page(request, ctx, user)


@router.get("/account/password")
def password_page(request: Request, ctx: Ctx, user: PageStaff) -> Response:
    """The password form (where an account whose password was reset is sent)."""
    return _page(request, ctx, user)


@router.post("/account/password")
def password_submit(request: Request, ctx: Ctx, user: PageStaff, form: Form) -> Response:
    """Change my password; my other sessions and tokens end, this one stays."""
    new = form.get("new_password")
    new = new if isinstance(new, str) else ""
    if new != form.get("new_password2"):
        return _page(request, ctx, user, error="两次输入的新密码不一致", status=422)
    current = form.get("current_password")
    try:
        with ctx.engine.begin() as conn:
            ended = lifecycle.change_own_password(
                conn,
                ctx.rt.audit_key,
                staff_no=user.staff_no,
                current=current if isinstance(current, str) else "",
                new=new,
                now=ctx.session_now(),
                keep_session=user.session_id,
            )
    except DomainError as exc:
        return _page(request, ctx, user, error=exc.message, status=exc.http_status)
    note = f"，其他 {ended} 个会话和令牌已结束" if ended else ""
    add_flash(request.session, f"密码已修改{note}", "success")
    return redirect("/")


@router.post("/account/sessions/{session_id}/revoke")
def revoke_submit(
    request: Request, ctx: Ctx, user: PageStaff, session_id: Id, form: Form
) -> Response:
    """End one of my sessions or tokens."""
    return run_form(
        request,
        ctx,
        "/account",
        "已注销",
        lambda conn: lifecycle.revoke(
            conn,
            ctx.rt.audit_key,
            actor=user.staff_no,
            session_id=session_id,
            now=ctx.session_now(),
            only_of=user.staff_no,
        ),
    )
