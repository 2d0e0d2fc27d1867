"""Signing in and out on the pages: 工号 and 密码; each sign-in opens a new session (a row), whose
opaque id is the only thing the cookie carries, and signing out ends that row at once."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import BadCredentials, TooManyAttempts, authenticate, open_session
from api.deps import Ctx, Form, Public, client_ip, form_str
from api.pages.common import OptionalUser, redirect, render
from api.security import SESSION_COOKIE, add_flash, csrf_token, safe_next
from cases.accounts import sessions

router = APIRouter(include_in_schema=False)


def set_session_cookie(ctx: Ctx, response: Response, secret: str) -> None:
    """Hand the browser its session id: HttpOnly, SameSite=Lax, Secure in production."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(ctx.timeouts.web_max.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=ctx.rt.settings.env == "prod",
        path="/",
    )


@router.get("/login")
def login_page(request: Request, _: Public, user: OptionalUser, next: str = "/") -> Response:
    """The sign-in form (工号 + 密码)."""
    if user is not None:
        return redirect(safe_next(next))
    return render(request, "login.html", user=None, next=safe_next(next), staff_no="")


@router.post("/login")
def login(request: Request, ctx: Ctx, _: Public, form: Form) -> Response:
    """Sign in; a new session (and CSRF token) begins, so a planted session is worth nothing."""
    staff_no = form_str(form, "staff_no")
    password = form.get("password")
    target = safe_next(form_str(form, "next"))
    try:
        user = authenticate(
            ctx, staff_no, password if isinstance(password, str) else "", client_ip(request)
        )
    except (BadCredentials, TooManyAttempts) as exc:
        response = render(
            request,
            "login.html",
            user=None,
            status=exc.http_status,
            next=target,
            staff_no=staff_no[:64],
            error=exc.message,
        )
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        with ctx.engine.begin() as conn:
            sessions.end_secret(conn, old, now=ctx.session_now(), reason="replaced")
    secret = open_session(ctx, request, user, sessions.WEB)
    request.session.clear()
    csrf_token(request.session)
    if user.must_change_password:
        add_flash(request.session, "管理员已重置您的密码，请先设置新密码", "info")
        target = "/account/password"
    else:
        add_flash(request.session, f"{user.name}（{user.staff_no}），您好")
    response = redirect(target)
    set_session_cookie(ctx, response, secret)
    return response


@router.post("/logout")
def logout(request: Request, ctx: Ctx, _: Public, form: Form) -> Response:
    """Sign out: the session ends in the database, so a saved copy of the cookie opens nothing."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with ctx.engine.begin() as conn:
            sessions.end_secret(conn, secret, now=ctx.session_now(), reason="logout")
    request.session.clear()
    add_flash(request.session, "已退出登录")
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
