"""What every page shares: rendering a template for a request, error pages, post/redirect/get,
and a form's one unit of work with its flash message."""

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.deps import AppContext, User, form_str, page_user_or_none
from api.security import add_flash, csrf_token, pop_flashes, safe_next
from cases.casework import form_tokens
from cases.db import reader
from cases.notify import inbox
from workflow.errors import DomainError

#: A page that anyone may see, signed in or not (the top bar shows who is).
OptionalUser = Annotated[User | None, Depends(page_user_or_none)]


def render(
    request: Request, name: str, *, user: User | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page from templates/, with the user, the session's CSRF token and its flash messages."""
    ctx: AppContext = request.app.state.ctx
    unread = 0
    if user is not None:
        # One index range per page (ix_outbox_recipient_read_at): the count in the top bar.
        with reader(ctx.engine).connect() as conn:
            unread = inbox.unread_count(conn, user.staff_no)
            ctx.rt.regions(conn)  # the list region_label reads (re-read at most every 30 s)
    html = ctx.templates.get_template(name).render(
        request=request,
        user=user,
        inbox_unread=unread,
        csrf_token=csrf_token(request.session),
        flashes=pop_flashes(request.session),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page (the API answers problem+json instead)."""
    return render(
        request,
        "error.html",
        user=None,
        status=status,
        status_code=status,
        message=message,
        # A refused form: the browser's back button returns to it with what was typed.
        refused_form=status == 422 and request.method == "POST",
    )


def redirect(url: str) -> RedirectResponse:
    """303 See Other: the browser follows with a GET (post/redirect/get)."""
    return RedirectResponse(url, status_code=303)


def case_url(case_no: str) -> str:
    """The case page's address."""
    return f"/cases/{quote(case_no)}"


def back_to(form: FormData, default: str) -> str:
    """Where a form goes back to: its ``next`` field on this site, else ``default``."""
    return safe_next(form_str(form, "next") or default)


def run_form(
    request: Request,
    ctx: AppContext,
    back: str,
    done: str,
    work: Callable[[Any], Any],
    *,
    form: FormData | None = None,
    staff_no: str = "",
) -> Response:
    """Run one unit of work for a page form; flash its outcome and go back (post/redirect/get).

    A ``form`` carrying a one-time token is claimed in the same transaction: a re-post (a retry,
    a second tab) does nothing twice and is sent where the first post went."""
    try:
        with ctx.engine.begin() as conn:
            token, earlier = (
                claim_form(conn, form, staff_no, ctx.clock.now()) if form else (None, None)
            )
            if earlier is not None:
                return already_done(request, earlier or back, "该表单已经提交过，未重复办理")
            work(conn)
            if token:
                form_tokens.settle(conn, token, back)
    except DomainError as exc:
        if exc.http_status == 403:
            raise  # a refusal is a page of its own, not a flash
        add_flash(request.session, exc.message, "error")
        return redirect(back)
    add_flash(request.session, done, "success")
    return redirect(back)


def claim_form(conn: Any, form: FormData, staff_no: str, now: Any) -> tuple[str | None, str | None]:
    """Claim the form's one-time token in this transaction: (the token, or None when the form
    carries none; where an earlier post of the same form led, or None when this post is the first)."""
    token = form_str(form, form_tokens.FIELD)
    if not form_tokens.valid(token):
        return None, None
    return token, form_tokens.claim(conn, token, staff_no=staff_no, now=now)


def already_done(
    request: Request, target: str, message: str = "该表单已经提交过，未重复登记"
) -> RedirectResponse:
    """A re-posted form: nothing made twice, back to what the first post made."""
    add_flash(request.session, message, "info")
    return redirect(target)
