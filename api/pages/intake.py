"""Registering a petition on the pages: the intake form, the candidates step before saving (earlier
and similar matters, the skip-level verdict, the group), then a new matter or a repeat contact.

The form posts to ``/cases/new/check``, which registers at once when there is nothing to decide
(the region picker's steps come back to the form first, ``api.pages.region_picker``);
``/cases/new/register`` registers a new matter (optionally transferring it to the level with
authority), ``/cases/new/repeat`` records a repeat on the original case. The plain
``POST /cases/new`` registers without the step.
"""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection
from starlette.datastructures import FormData

from api.deps import AppContext, Ctx, Form, PageIntake, User, form_str
from api.pages import region_picker
from api.pages.common import already_done, case_url, claim_form, redirect, render
from api.pages.paper import uploads
from api.security import add_flash
from cases.casework import form_tokens, intake
from cases.db import reader
from cases.paper import attachments
from cases.repeat import candidates, contacts, jurisdiction, registration
from cases.store import staff
from cases.store.retry import in_transaction
from workflow.errors import ActionNotAllowed, Conflict, InvalidInput
from workflow.intake import MAX_REPRESENTATIVES, validate_intake

router = APIRouter(include_in_schema=False)

PERSON_FIELDS = ("name", "id_number", "phone", "address")
#: Fields of the candidates step that are not part of the intake body.
CONTROL_FIELDS = frozenset(
    {
        "csrf_token",
        "handled_below",
        "on_site",
        "on_site_place",
        "contact_summary",
        "repeat_case_no",
        "repeat_of",
        "transfer",
        region_picker.STEP,
    }
)


# --- the form and its errors ----------------------------------------------------------------------


def intake_from_form(form: FormData, tz: Any) -> tuple[dict[str, Any], dict[int, int]]:
    """The intake body a form describes, and which form row each representative came from."""

    def get(name: str) -> str:
        return form_str(form, name)

    body: dict[str, Any] = {
        "channel": get("channel"),
        "category": get("category"),
        "region_code": get("region_code"),
        "subject": get("subject"),
        "content": get("content"),
        "requests": get("requests"),
        "group_size": get("group_size") or "1",
        "petitioner": {k: get(f"petitioner.{k}") for k in PERSON_FIELDS},
    }
    reps: list[dict[str, str]] = []
    rows: dict[int, int] = {}
    for i in range(MAX_REPRESENTATIVES):
        person = {k: get(f"representatives.{i}.{k}") for k in PERSON_FIELDS}
        if any(person.values()):
            rows[len(reps)] = i
            reps.append(person)
    if reps:
        body["representatives"] = reps
    accused = {k: get(f"accused.{k}") for k in ("name", "unit")}
    if any(accused.values()):
        body["accused"] = accused
    received = get("received_at")
    if received:
        try:
            # A datetime-local input has no zone: it is the office's local time.
            body["received_at"] = datetime.fromisoformat(received).replace(tzinfo=tz).isoformat()
        except ValueError:
            body["received_at"] = received
    return body, rows


def field_errors(exc: InvalidInput, rows: Mapping[int, int]) -> dict[str, str]:
    """Messages by form field name; a representative's error goes back to the row it was typed in."""
    errors = exc.details.get("errors") or [{"field": exc.field, "message": exc.message}]
    out: dict[str, str] = {}
    for err in errors:
        field = err.get("field") or "_form"
        m = re.match(r"representatives\.(\d+)(\..*)?$", field)
        if m and int(m.group(1)) in rows:
            field = f"representatives.{rows[int(m.group(1))]}{m.group(2) or ''}"
        out.setdefault(field, err["message"])
    return out


def _intake_form(
    request: Request,
    user: User,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    status: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    """The intake form, with what was typed, each field's error, and the region picker's levels."""
    # The representatives' rows open by themselves for a group visit or anything typed in them.
    rep_open = values.get("group_size", "1") not in ("", "1") or any(
        k.startswith("representatives") and v for k, v in [*values.items(), *errors.items()]
    )
    ctx: AppContext = request.app.state.ctx
    with reader(ctx.engine).connect() as conn:
        listed = ctx.rt.regions(conn)
        staged = attachments.staged(
            conn, token=values.get("attachment_token", ""), staff_no=user.staff_no
        )
    settings = ctx.rt.settings
    return render(
        request,
        "intake.html",
        staged=staged,
        attachment_limits={
            "file": attachments.size_text(settings.attachment_max_bytes),
            "case": attachments.size_text(settings.attachment_case_max_bytes),
        },
        user=user,
        status=status,
        values=values,
        errors=errors,
        rep_open=rep_open,
        notice=notice,
        picker=region_picker.levels(listed, values.get("region_code", "")),
        region_known=listed.accepts(values.get("region_code", "")),
    )


def _settled(
    request: Request, ctx: AppContext, user: User, form: FormData
) -> tuple[FormData, Response | None]:
    """The form with the region its picker or address settles on; or the form again, when a
    level is still to choose or the region was just read from the address."""
    with reader(ctx.engine).connect() as conn:
        settled = region_picker.settle(form, ctx.rt.regions(conn))
    if settled.notice is None:
        return region_picker.with_code(form, settled.code), None
    values = {k: v for k, v in _carried(form).items() if not k.startswith("region")}
    values["region_code"] = settled.code
    return form, _intake_form(request, user, values, {}, notice=settled.notice)


def _carried(form: FormData) -> dict[str, str]:
    """What the intake form held, to carry through the candidates step in hidden fields."""
    return {
        k: v
        for k, v in form.multi_items()
        if isinstance(v, str) and k not in CONTROL_FIELDS and v and not k.startswith("region.")
    }


def _with_uploads(
    request: Request, ctx: AppContext, user: User, form: FormData
) -> tuple[FormData, Response | None]:
    """Stage the files the form carried (kept until the case is registered, under a token the
    form then carries); a file refused shows the form again with the reason beside the field."""
    files = uploads(form)
    token = form_str(form, "attachment_token")
    kept = [(k, v) for k, v in form.multi_items() if k not in ("files", "attachment_token")]
    if files:
        try:
            with ctx.engine.begin() as conn:
                token = attachments.stage(
                    conn,
                    ctx.rt,
                    files=files,
                    token=token or None,
                    actor_staff_no=user.staff_no,
                    now=ctx.clock.now(),
                )
        except InvalidInput as exc:
            values = {k: v for k, v in kept if isinstance(v, str) and k != "csrf_token"}
            if token:
                values["attachment_token"] = token
            return form, _intake_form(request, user, values, {"files": exc.message}, status=422)
    return FormData([*kept, *([("attachment_token", token)] if token else [])]), None


def _attach_staged(conn: Any, ctx: AppContext, user: User, form: FormData, case_no: str) -> None:
    """The staged files onto the case just registered, in its transaction."""
    attachments.attach_staged(
        conn,
        ctx.rt,
        case_no=case_no,
        token=form_str(form, "attachment_token"),
        actor_staff_no=user.staff_no,
        now=ctx.clock.now(),
    )


def _checked(form: FormData, name: str) -> bool:
    return form_str(form, name) in ("1", "on", "true")


def receipt_url(case_no: str) -> str:
    """The registration receipt's address."""
    return case_url(case_no) + "/receipt"


def _to_receipt(
    request: Request, ctx: AppContext, case: Mapping[str, Any], message: str
) -> Response:
    """The 查询码 rides to the receipt in the session (signed, and encrypted here), never in a URL."""
    request.session["receipt"] = {
        "case_no": case["case_no"],
        "code": ctx.rt.cipher.encrypt(case["query_code"]),
    }
    add_flash(request.session, message, "success")
    return redirect(receipt_url(case["case_no"]))


# --- the plain form -------------------------------------------------------------------------------


@router.get("/cases/new")
def intake_page(request: Request, user: PageIntake) -> Response:
    """The intake form."""
    return _intake_form(
        request, user, {"channel": "visit", "category": "appeal", "group_size": "1"}, {}
    )


@router.post("/cases/new")
def intake_submit(request: Request, ctx: Ctx, user: PageIntake, form: Form) -> Response:
    """Register; on a mistake show the form again, with what was typed and each field's error."""
    form, step = _with_uploads(request, ctx, user, form)
    if step is not None:
        return step
    form, step = _settled(request, ctx, user, form)
    if step is not None:
        return step
    body, rows = intake_from_form(form, ctx.rt.tz)
    now = ctx.clock.now()
    try:

        def register(conn: Connection) -> tuple[dict[str, Any] | None, str | None]:
            token, earlier = claim_form(conn, form, user.staff_no, now)
            if earlier:
                return None, earlier
            made = intake.intake(conn, ctx.rt, body=body, actor_staff_no=user.staff_no, now=now)
            _attach_staged(conn, ctx, user, form, made["case_no"])
            if token:
                form_tokens.settle(conn, token, receipt_url(made["case_no"]))
            return made, None

        # Retried whole on a deadlock or a busy database, the form's token claim included.
        case, earlier = in_transaction(ctx.engine, register)
        if earlier or case is None:
            return already_done(request, earlier or "/")
    except InvalidInput as exc:
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _intake_form(request, user, values, field_errors(exc, rows), status=422)
    return _to_receipt(request, ctx, case, f"已登记，案件编号 {case['case_no']}")


# --- the candidates step --------------------------------------------------------------------------


def _check_page(
    request: Request,
    ctx: AppContext,
    user: User,
    form: FormData,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    """Validate the intake, find its candidates and its jurisdiction, and show them."""
    form, step = _settled(request, ctx, user, form)
    if step is not None:
        return step
    values = _carried(form)
    body, rows = intake_from_form(form, ctx.rt.tz)
    handled_below = _checked(form, "handled_below")
    now = ctx.clock.now()
    try:
        valid = validate_intake(body, now=now, regions=ctx.rt.regions())
    except InvalidInput as exc:
        return _intake_form(request, user, values, field_errors(exc, rows), status=422)
    with reader(ctx.engine).connect() as conn:
        actor, row = staff.get_actor(conn, user.staff_no)
        found = candidates.find(conn, ctx.rt, valid, now=now, viewer=actor, viewer_unit=row.unit)
        where = jurisdiction.classify_here(
            conn, valid.region_code, channel=valid.channel, handled_below=handled_below
        )
    if not found and not where.offer_transfer and valid.group_size == 1 and not error:
        # Nothing to decide: register at once, as the plain form did.
        return _register(request, ctx, user, form)
    return render(
        request,
        "candidates.html",
        user=user,
        status=status,
        values=values,
        valid=valid,
        candidates=[{**c.as_json(ctx.rt.tz), "petitioner_id": c.petitioner_id} for c in found],
        where=where,
        handled_below=handled_below,
        error=error,
        on_site=_checked(form, "on_site"),
        on_site_place=form_str(form, "on_site_place"),
        level_labels=jurisdiction.LEVEL_LABELS,
    )


def _register(request: Request, ctx: AppContext, user: User, form: FormData) -> Response:
    """Register a new matter from the form; the 查询码 rides to the receipt in the session."""
    body, rows = intake_from_form(form, ctx.rt.tz)
    now = ctx.clock.now()
    try:
        with ctx.engine.begin() as conn:
            token, earlier = claim_form(conn, form, user.staff_no, now)
            if earlier:
                return already_done(request, earlier)
            case = registration.register(
                conn,
                ctx.rt,
                body=body,
                actor_staff_no=user.staff_no,
                now=now,
                handled_below=_checked(form, "handled_below"),
                on_site=_checked(form, "on_site"),
                on_site_place=form_str(form, "on_site_place"),
                transfer=_checked(form, "transfer"),
                repeat_of=form_str(form, "repeat_of") or None,
            )
            _attach_staged(conn, ctx, user, form, case["case_no"])
            if token:
                form_tokens.settle(conn, token, receipt_url(case["case_no"]))
    except InvalidInput as exc:
        return _intake_form(request, user, _carried(form), field_errors(exc, rows), status=422)
    except ActionNotAllowed as exc:
        # The transfer offered would send an accusation to the unit it accuses (第三十条第三款):
        # nothing is registered; the check page says why.
        return _check_page(request, ctx, user, form, error=exc.message, status=409)
    message = f"已登记，案件编号 {case['case_no']}"
    if case["state"] == "transferred":
        message += f"，并已转送{case['jurisdiction']['organ']}"
    return _to_receipt(request, ctx, case, message)


@router.post("/cases/new/check")
def intake_check(request: Request, ctx: Ctx, user: PageIntake, form: Form) -> Response:
    """Before saving: the petitioner's earlier and similar matters, skip-level and group notes."""
    form, step = _with_uploads(request, ctx, user, form)
    if step is not None:
        return step
    return _check_page(request, ctx, user, form)


@router.post("/cases/new/register")
def intake_register(request: Request, ctx: Ctx, user: PageIntake, form: Form) -> Response:
    """「不是，继续登记」: register a new matter (and transfer it, when asked)."""
    return _register(request, ctx, user, form)


@router.post("/cases/new/repeat")
def intake_repeat(request: Request, ctx: Ctx, user: PageIntake, form: Form) -> Response:
    """「是同一事项：记为重复访」: a contact on the original case; nothing is accepted anew."""
    case_no = form_str(form, "repeat_case_no")
    body, rows = intake_from_form(form, ctx.rt.tz)
    now = ctx.clock.now()
    try:
        with ctx.engine.begin() as conn:
            token, earlier = claim_form(conn, form, user.staff_no, now)
            if earlier:
                return already_done(request, earlier)
            result = contacts.record_repeat(
                conn,
                ctx.rt,
                case_no=case_no,
                body=body,
                actor_staff_no=user.staff_no,
                now=now,
                summary=form_str(form, "contact_summary"),
                on_site=_checked(form, "on_site"),
                handled_below=_checked(form, "handled_below"),
            )
            # Materials brought to a repeat visit go on the original case.
            _attach_staged(conn, ctx, user, form, case_no)
            if token:
                form_tokens.settle(conn, token, case_url(case_no))
    except InvalidInput as exc:
        return _intake_form(request, user, _carried(form), field_errors(exc, rows), status=422)
    except Conflict as exc:
        return _check_page(request, ctx, user, form, error=exc.message, status=409)
    told = "、".join(result["notified"])
    add_flash(
        request.session,
        f"已记为重复访（信访事项 {case_no}），未重复受理"
        + (f"；已通知 {told}" if told else "")
        + f"。告知信访人：{result['guidance']}",
        "error" if result["refused"] else "success",
    )
    return redirect(case_url(case_no))
