"""My messages on the pages, and how I want to receive them (channels, e-mail, mobile)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Ctx, Form, PageStaff, form_str
from api.pages.common import back_to, redirect, render, run_form
from cases.notify import channels, inbox, preferences

router = APIRouter(include_in_schema=False)


@router.get("/inbox")
def inbox_page(request: Request, ctx: Ctx, user: PageStaff, unread: str = "") -> Response:
    """My messages, and how I want to receive them."""
    with ctx.engine.begin() as conn:
        messages = inbox.messages_for(conn, ctx.rt, user.staff_no, unread_only=bool(unread))
        prefs = preferences.preferences(conn, user.staff_no)
    return render(
        request, "inbox.html", user=user, messages=messages, prefs=prefs, unread_only=bool(unread)
    )


@router.post("/inbox/read")
def inbox_read_submit(request: Request, ctx: Ctx, user: PageStaff, form: Form) -> Response:
    """Mark one message (``id``) or all of mine as read."""
    raw = form_str(form, "id")
    message_id = int(raw) if raw.isdigit() else None
    with ctx.engine.begin() as conn:
        inbox.mark_read(conn, user.staff_no, ctx.clock.now(), message_id=message_id)
    return redirect(back_to(form, "/inbox"))


@router.post("/inbox/preferences")
def preferences_submit(request: Request, ctx: Ctx, user: PageStaff, form: Form) -> Response:
    """Save my channels, e-mail address and mobile number."""
    enabled = {c: form_str(form, f"channel.{c}") == "on" for c in channels.CHANNELS}
    phone = form_str(form, "phone")
    return run_form(
        request,
        ctx,
        "/inbox",
        "已保存通知设置",
        lambda conn: preferences.set_preferences(
            conn,
            ctx.rt,
            user.staff_no,
            enabled=enabled,
            now=ctx.clock.now(),
            email=form_str(form, "email"),
            # An empty box keeps the stored number; "-" removes it (the number is never shown back).
            phone=None if phone == "" else ("" if phone == "-" else phone),
        ),
    )
