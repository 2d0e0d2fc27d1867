"""Signing in and out on the pages: 工号 and 密码, a new session at each sign-in."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import BadCredentials, TooManyAttempts, authenticate
from api.deps import Ctx, Form, Public, client_ip, form_str
from api.pages.common import OptionalUser, redirect, render
from api.security import add_flash, csrf_token, safe_next

router = APIRouter(include_in_schema=False)


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
        user, fingerprint = authenticate(
            ctx, staff_no, password if isinstance(password, str) else "", client_ip(request)
        )
    except (BadCredentials, TooManyAttempts) as exc:
        response = render(
            request,
            "login.html",
            user=None,
            status=exc.http_status,
            next=target,
            staff_no=staff_no,
            error=exc.message,
        )
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    request.session.clear()
    request.session["staff_no"] = user.staff_no
    request.session["fp"] = fingerprint
    csrf_token(request.session)
    add_flash(request.session, f"{user.name}（{user.staff_no}），您好")
    return redirect(target)


@router.post("/logout")
def logout(request: Request, _: Public, form: Form) -> Response:
    """Sign out."""
    request.session.clear()
    add_flash(request.session, "已退出登录")
    return redirect("/login")
