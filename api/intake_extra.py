"""Repeat, skip-level and group petitions on the web: the candidates step before saving, repeat
contacts, and one petitioner's history.

Their JSON API is ``api.routes.intake``. Pages: ``/cases/new/check``
(where the intake form posts) shows the candidates with why each matched, the skip-level verdict
and the group, or registers at once when there is nothing to decide; from there
``/cases/new/repeat`` records the repeat and ``/cases/new/register`` registers a new matter
(optionally transferring it at once to the level with authority). ``/petitioners/{id}`` is one
person's history; ``/cases/{case_no}/petitioner`` leads there from a case.
"""

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from api import pages
from api.deps import (
    AppContext,
    Ctx,
    Form,
    PageIntake,
    PageReader,
    User,
    form_str,
)
from api.security import add_flash
from cases.repeat import candidates, contacts, history, jurisdiction, registration
from cases.store import staff
from workflow.errors import Conflict, InvalidInput
from workflow.intake import validate_intake

router = APIRouter()

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
    }
)


# --- pages ---------------------------------------------------------------------------------------


def _carried(form: FormData) -> dict[str, str]:
    """What the intake form held, to carry through the candidates step in hidden fields."""
    return {
        k: v for k, v in form.multi_items() if isinstance(v, str) and k not in CONTROL_FIELDS and v
    }


def _checked(form: FormData, name: str) -> bool:
    return form_str(form, name) in ("1", "on", "true")


def _intake_again(
    request: Request, user: User, values: dict[str, str], errors: dict[str, str]
) -> HTMLResponse:
    """The intake form again, with what was typed and each field's error."""
    rep_open = values.get("group_size", "1") not in ("", "1") or any(
        k.startswith("representatives") for k in [*values, *errors]
    )
    return pages.render(
        request,
        "intake.html",
        user=user,
        status=422,
        values=values,
        errors=errors,
        rep_open=rep_open,
    )


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
    values = _carried(form)
    body, rows = pages.intake_from_form(form, ctx.rt.tz)
    handled_below = _checked(form, "handled_below")
    now = ctx.clock.now()
    try:
        valid = validate_intake(body, now=now)
    except InvalidInput as exc:
        return _intake_again(request, user, values, pages.field_errors(exc, rows))
    with ctx.engine.connect() as conn:
        actor, row = staff.get_actor(conn, user.staff_no)
        found = candidates.find(conn, ctx.rt, valid, now=now, viewer=actor, viewer_unit=row.unit)
        where = jurisdiction.classify_here(conn, valid.region_code, handled_below=handled_below)
    if not found and not where.offer_transfer and valid.group_size == 1 and not error:
        # Nothing to decide: register at once, as the plain form did.
        return _register(request, ctx, user, form)
    return pages.render(
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
    body, rows = pages.intake_from_form(form, ctx.rt.tz)
    try:
        with ctx.engine.begin() as conn:
            case = registration.register(
                conn,
                ctx.rt,
                body=body,
                actor_staff_no=user.staff_no,
                now=ctx.clock.now(),
                handled_below=_checked(form, "handled_below"),
                on_site=_checked(form, "on_site"),
                on_site_place=form_str(form, "on_site_place"),
                transfer=_checked(form, "transfer"),
                repeat_of=form_str(form, "repeat_of") or None,
            )
    except InvalidInput as exc:
        return _intake_again(request, user, _carried(form), pages.field_errors(exc, rows))
    request.session["receipt"] = {
        "case_no": case["case_no"],
        "code": ctx.rt.cipher.encrypt(case["query_code"]),
    }
    message = f"已登记，案件编号 {case['case_no']}"
    if case["state"] == "transferred":
        message += f"，并已转送{case['jurisdiction']['organ']}"
    add_flash(request.session, message, "success")
    return pages.redirect(pages.case_url(case["case_no"]) + "/receipt")


@router.post("/cases/new/check", include_in_schema=False)
def intake_check(request: Request, ctx: Ctx, user: PageIntake, form: Form) -> Response:
    """Before saving: the petitioner's earlier and similar matters, skip-level and group notes."""
    return _check_page(request, ctx, user, form)


@router.post("/cases/new/register", include_in_schema=False)
def intake_register(request: Request, ctx: Ctx, user: PageIntake, form: Form) -> Response:
    """「不是，继续登记」: register a new matter (and transfer it, when asked)."""
    return _register(request, ctx, user, form)


@router.post("/cases/new/repeat", include_in_schema=False)
def intake_repeat(request: Request, ctx: Ctx, user: PageIntake, form: Form) -> Response:
    """「是同一事项：记为重复访」: a contact on the original case; nothing is accepted anew."""
    case_no = form_str(form, "repeat_case_no")
    body, rows = pages.intake_from_form(form, ctx.rt.tz)
    try:
        with ctx.engine.begin() as conn:
            result = contacts.record_repeat(
                conn,
                ctx.rt,
                case_no=case_no,
                body=body,
                actor_staff_no=user.staff_no,
                now=ctx.clock.now(),
                summary=form_str(form, "contact_summary"),
                on_site=_checked(form, "on_site"),
                handled_below=_checked(form, "handled_below"),
            )
    except InvalidInput as exc:
        return _intake_again(request, user, _carried(form), pages.field_errors(exc, rows))
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
    return pages.redirect(pages.case_url(case_no))


@router.get("/petitioners/{petitioner_id}", include_in_schema=False)
def petitioner_page(request: Request, ctx: Ctx, user: PageReader, petitioner_id: int) -> Response:
    """One person's cases and contacts (identity masked; accusations hidden from the accused)."""
    with ctx.engine.connect() as conn:
        person = history.petitioner_history(
            conn,
            ctx.rt,
            petitioner_id=petitioner_id,
            viewer_staff_no=user.staff_no,
            now=ctx.clock.now(),
        )
    return pages.render(request, "petitioner.html", user=user, history=person)


@router.get("/cases/{case_no}/petitioner", include_in_schema=False)
def case_petitioner(ctx: Ctx, user: PageReader, case_no: str) -> Response:
    """From a case to its petitioner's history page."""
    with ctx.engine.connect() as conn:
        petitioner_id = history.petitioner_of(conn, case_no=case_no, viewer_staff_no=user.staff_no)
    return pages.redirect(f"/petitioners/{petitioner_id}")
