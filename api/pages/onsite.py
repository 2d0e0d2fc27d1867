"""On-site intake (下移接待) on a phone: one short form for a group visit, posted whole.

``/cases/new/onsite`` asks for the place, the headcount, the common matter, up to five
representatives (the first is the petitioner) and photos from the phone's camera; one post
registers it all in one transaction (``cases.repeat.onsite``) and goes to the receipt. It works
without JavaScript. With it, ``/static/onsite.js`` keeps the draft in the browser while the
connection is down and posts it once it is back; the form's one-time token makes a retry of a
post that did land go to the case it made, never a second one. The script asks, with a header,
for where to go instead of a redirect: following the redirect itself would spend the receipt's
one showing of the 查询码.
"""

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import FormData

from api.deps import AppContext, Ctx, Form, PageIntake, User, form_str
from api.pages.common import claim_form, redirect, render
from api.pages.paper import uploads
from api.security import add_flash
from cases.casework import form_tokens
from cases.paper import attachments
from cases.repeat import onsite
from cases.store.retry import in_transaction
from workflow.errors import InvalidInput
from workflow.intake import MAX_REPRESENTATIVES

router = APIRouter(include_in_schema=False)

PATH = "/cases/new/onsite"
#: The rows of representatives read from a post: past the statute's five, so a sixth sent is
#: refused in words (intake.too_many_representatives), never silently dropped.
READ_ROWS = 20
#: A representative's fields on this form (an address is not asked for at the site).
REP_FIELDS = ("name", "phone", "id_number")
REP_LABELS = {"name": "姓名", "phone": "联系电话", "id_number": "身份证号码"}
#: The header the page's script sends: it wants ``{"location": …}`` rather than a redirect.
SCRIPT_HEADER = "x-shoujie-draft"
#: The fields of the form, as shown again after a mistake (files are never shown again).
TEXT_FIELDS = ("place", "group_size", "category", "region_code", "subject", "content", "requests")


def onsite_body(form: FormData) -> tuple[dict[str, Any], dict[int, int]]:
    """The intake body the form describes, and which form row each representative came from."""
    reps: list[dict[str, str]] = []
    rows: dict[int, int] = {}
    for i in range(READ_ROWS):
        person = {k: form_str(form, f"representatives.{i}.{k}") for k in REP_FIELDS}
        if any(person.values()):
            rows[len(reps)] = i
            reps.append(person)
    body: dict[str, Any] = {
        "channel": "visit",
        "category": form_str(form, "category") or "appeal",
        "region_code": form_str(form, "region_code"),
        "subject": form_str(form, "subject"),
        "content": form_str(form, "content"),
        "requests": form_str(form, "requests"),
        "group_size": form_str(form, "group_size"),
        # The first representative is the petitioner the office answers (条例第二十条第三款).
        "petitioner": dict(reps[0]) if reps else {"name": ""},
        "representatives": reps,
    }
    return body, rows


def field_errors(
    exc: InvalidInput, rows: Mapping[int, int]
) -> tuple[dict[str, str], dict[str, str]]:
    """Messages and machine codes by form field; the petitioner's and each representative's go
    to their row."""
    errors = exc.details.get("errors") or [
        {"field": exc.field, "code": exc.code, "message": exc.message}
    ]
    first_row = rows.get(0, 0)
    out: dict[str, str] = {}
    codes: dict[str, str] = {}
    for err in errors:
        field = err.get("field") or "_form"
        if field.startswith("petitioner"):
            # The petitioner is the first representative's row: one message there is enough.
            field = f"representatives.{first_row}" + field.removeprefix("petitioner")
            if field == f"representatives.{first_row}":
                field += ".name"
        m = re.match(r"representatives\.(\d+)(\..*)?$", field)
        if m and int(m.group(1)) in rows:
            field = f"representatives.{rows[int(m.group(1))]}{m.group(2) or ''}"
        out.setdefault(field, err["message"])
        codes.setdefault(field, err.get("code") or exc.code)
    return out, codes


def _form_page(
    request: Request,
    user: User,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    status: int = 200,
    codes: Mapping[str, str] | None = None,
) -> HTMLResponse:
    ctx: AppContext = request.app.state.ctx
    settings = ctx.rt.settings
    # The rows past the first open by themselves when anything was typed or refused in them.
    later = re.compile(r"representatives\.([1-9]\d*)\.")
    more_open = any(later.match(k) and v for k, v in values.items()) or any(
        later.match(k) for k in errors
    )
    return render(
        request,
        "onsite.html",
        user=user,
        status=status,
        values=values,
        errors=errors,
        error_codes=codes or {},
        rep_rows=MAX_REPRESENTATIVES,
        rep_fields=REP_LABELS,
        more_open=more_open,
        attachment_limits={
            "file": attachments.size_text(settings.attachment_max_bytes),
            "case": attachments.size_text(settings.attachment_case_max_bytes),
        },
    )


def _done(request: Request, target: str, message: str, kind: str) -> Response:
    """Where the post leads: a redirect, or for the page's script the address to go to."""
    add_flash(request.session, message, kind)
    if request.headers.get(SCRIPT_HEADER) == "1":
        return JSONResponse({"location": target})
    return redirect(target)


@router.get(PATH)
def onsite_page(request: Request, user: PageIntake) -> Response:
    """The on-site form (下移接待), made for a phone."""
    return _form_page(request, user, {"category": "appeal"}, {})


@router.post(PATH)
def onsite_submit(request: Request, ctx: Ctx, user: PageIntake, form: Form) -> Response:
    """Register the group visit on site; on a mistake the form again, what was typed kept."""
    body, rows = onsite_body(form)
    files = uploads(form)
    place = form_str(form, "place")
    now = ctx.clock.now()

    def register(conn: Any) -> tuple[dict[str, Any] | None, str | None]:
        token, earlier = claim_form(conn, form, user.staff_no, now)
        if earlier:
            return None, earlier
        case = onsite.register_on_site(
            conn,
            ctx.rt,
            body=body,
            place=place,
            files=files,
            actor_staff_no=user.staff_no,
            now=now,
        )
        if token:
            form_tokens.settle(conn, token, f"/cases/{case['case_no']}/receipt")
        return case, None

    try:
        # Retried whole on a deadlock or a busy database, the token's claim included.
        case, earlier = in_transaction(ctx.engine, register)
    except InvalidInput as exc:
        values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        values.pop("csrf_token", None)
        messages, codes = field_errors(exc, rows)
        return _form_page(request, user, values, messages, status=422, codes=codes)
    if earlier or case is None:
        return _done(request, earlier or "/", "该表单已经提交过，未重复登记", "info")
    # The 查询码 rides to the receipt in the session, never in a URL (as the intake form's).
    request.session["receipt"] = {
        "case_no": case["case_no"],
        "code": ctx.rt.cipher.encrypt(case["query_code"]),
    }
    who = case.get("alerted")
    told = f"，已提醒 {who['name']}（{who['staff_no']}）关注" if who else ""
    photos = f"，照片{len(case['attachments'])}张已保存" if case["attachments"] else ""
    message = f"已登记集体访（下移接待），案件编号 {case['case_no']}{photos}{told}"
    return _done(request, f"/cases/{case['case_no']}/receipt", message, "success")
