"""The cases on the pages: the search list, one case with its deadlines, timeline and action
forms (their fields come from ``workflow.actions``), and the printable registration receipt."""

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection

from api.deps import AppContext, Ctx, Form, PageActor, PageReader, User, form_str, refuse_action
from api.pages.common import case_url, redirect, render
from api.pages.templating import event_lines
from api.security import add_flash
from cases.casework import actions, parties, query_codes, reading, search
from cases.joint.view import joint_of
from cases.organisation import directory, roster
from cases.paper import attachments
from cases.paper.trail import paper_trail
from cases.store.retry import in_transaction
from cases.supervision import panels
from workflow import glossary, lifecycle
from workflow.actions import check_window_fields, payload_from_form
from workflow.confidentiality import HIDDEN
from workflow.errors import Conflict, DomainError, InvalidInput
from workflow.joint import DECIDING_ROLES as JOINT_DECIDING_ROLES
from workflow.lifecycle import ACTION_LABELS, STATE_LABELS, Actor
from workflow.periods import PERIODS

router = APIRouter(include_in_schema=False)

#: Actions taken only after a confirmation page: 撤回 ends the matter for good.
CONFIRMED_ACTIONS = frozenset({"withdraw"})


@router.get("/cases")
def cases_page(
    request: Request,
    ctx: Ctx,
    user: PageReader,
    q: str = "",
    state: str = "",
    mine: str = "",
) -> Response:
    """Cases by case number or petitioner name; filter by state and owner. A phone or ID number is
    searched by the form's POST (``/cases/search``), never in the URL the access log keeps."""
    if search.names_a_number(q):
        return render(
            request, "cases.html", user=user, cases=[], q="", state="", mine=False,
            status=400, error=search.NUMBER_IN_URL,
        )  # fmt: skip
    return _search_page(request, ctx, user, q, state, bool(mine))


@router.post("/cases/search")
def cases_search(request: Request, ctx: Ctx, user: PageReader, form: Form) -> Response:
    """The search form: by case number, petitioner name, phone or ID number, in the POST body."""
    return _search_page(
        request,
        ctx,
        user,
        form_str(form, "q"),
        form_str(form, "state"),
        bool(form_str(form, "mine")),
    )


def _search_page(
    request: Request, ctx: AppContext, user: User, q: str, state: str, mine: bool
) -> Response:
    state = state if state in STATE_LABELS else ""
    with ctx.engine.begin() as conn:
        found = search.search_cases(
            conn,
            ctx.rt,
            viewer_staff_no=user.staff_no,
            now=ctx.clock.now(),
            q=q[:100],
            state=state or None,
            owner=user.staff_no if mine else None,
        )
    return render(request, "cases.html", user=user, cases=found, q=q, state=state, mine=mine)


def case_hidden(case: Mapping[str, Any]) -> bool:
    """Whether the page keeps the petitioner, the contents and the papers from the viewer: the
    accused unit (条例第三十条第三款), or a receptionist reading another's case (its summary)."""
    return bool(case["petitioner"].get("confidential")) or case.get("scope") == "summary"


def _show(ctx: AppContext, conn: Any, case_no: str, user: User) -> dict[str, Any]:
    return reading.show(
        conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=ctx.clock.now()
    )


@router.get("/cases/{case_no}/receipt")
def receipt_page(request: Request, ctx: Ctx, user: PageReader, case_no: str) -> Response:
    """The printable registration receipt (登记回执); the 查询码 appears on the first view only."""
    with ctx.engine.begin() as conn:
        case = reading.show_full(
            conn,
            ctx.rt,
            case_no=case_no,
            viewer_staff_no=user.staff_no,
            now=ctx.clock.now(),
            what="登记回执",
        )
        office = roster.office(conn)
    code = None
    receipt = request.session.get("receipt")
    if isinstance(receipt, dict) and receipt.get("case_no") == case_no:
        request.session.pop("receipt")
        try:
            code = ctx.rt.cipher.decrypt(str(receipt.get("code")))
        except ValueError:
            code = None
    acceptance = next((c for c in case["clocks"] if c["name"] == "acceptance"), None)
    # The configured public address: the Host header is the client's to choose.
    track_url = ctx.rt.settings.base_url + "/track"
    return render(
        request,
        "receipt.html",
        user=user,
        case=case,
        code=code,
        acceptance=acceptance,
        office_name=office.name if office is not None else "信访接待窗口",
        track_url=track_url,
    )


def _case_page(
    request: Request,
    ctx: AppContext,
    user: User,
    case_no: str,
    *,
    status: int = 200,
    action_errors: Mapping[str, str] | None = None,
    action_values: Mapping[str, Mapping[str, str]] | None = None,
) -> HTMLResponse:
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        case = _show(ctx, conn, case_no, user)
        events = reading.case_events(conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no)
        names = directory.staff_names(conn, glossary.staff_numbers(events))
        people = parties.case_parties(conn, case_no=case_no, hidden=case_hidden(case))
        candidates = (
            directory.owner_candidates(conn) if "reassign" in case["allowed_actions"] else []
        )
        extras = panels.case_extras(
            conn, ctx.rt, case_no=case_no, staff_no=user.staff_no, role=user.role, now=now
        )
        hidden = case_hidden(case)
        # The accused unit's staff see neither the notices nor the materials (第三十条第三款).
        paper = {"notices": [], "attachments": []} if hidden else paper_trail(conn, case_no)
        joint = None if hidden else joint_of(conn, ctx.rt, case_no=case_no, now=now)
    if hidden:
        # What supervision asked of the case would tell the accused what it is about (第三十条第三款).
        extras["notices"] = [{**n, "text": HIDDEN, "answer": None} for n in extras["notices"]]
        extras["extensions"] = [{**x, "reason": HIDDEN} for x in extras["extensions"]]
    # 联合会办: an organ's part is named by its organ beside the clock's label.
    organ_of = {o["clock"]: o["organ"] for o in (joint or {}).get("organs", [])}
    case["clocks"] = [
        {**c, "label": f"{c['label']}（{organ_of[c['name']]}）"} if c["name"] in organ_of else c
        for c in case["clocks"]
    ]
    clocks = [c for c in case["clocks"] if c["status"] in ("running", "paused")]
    finished = [c for c in case["clocks"] if c["status"] not in ("running", "paused")]
    timeline = [
        {
            **e,
            "label": glossary.event_label(e["action"]),
            "actor_text": glossary.event_actor(e, names),
            # For the accused unit a step shows only what happened and when, never its contents.
            "lines": [] if hidden else event_lines(e, ctx.rt.tz, ctx.rt.regions(), names),
        }
        for e in reversed(events)
    ]
    return render(
        request,
        "case.html",
        user=user,
        status=status,
        case=case,
        clocks=clocks,
        finished_clocks=finished,
        timeline=timeline,
        hidden=hidden,
        summary=case.get("scope") == "summary",
        candidates=candidates,
        action_errors=action_errors or {},
        action_values=action_values or {},
        periods=PERIODS,
        extras=extras,
        parties=people,
        may_reissue=not hidden
        and (user.staff_no == case["owner"]["staff_no"] or user.role in query_codes.REISSUE_ROLES),
        paper=paper,
        joint=joint,
        may_set_up_joint=user.role in JOINT_DECIDING_ROLES,
        may_attach=not hidden
        and attachments.permits(
            Actor(staff_no=user.staff_no, role=user.role), case["owner"]["staff_no"]
        ),
    )


@router.get("/cases/{case_no}")
def case_page(request: Request, ctx: Ctx, user: PageReader, case_no: str) -> Response:
    """One case: facts, deadlines with their reckoning, the timeline, and the actions open to me."""
    return _case_page(request, ctx, user, case_no)


@router.post("/cases/{case_no}/actions/{action}")
def case_action(
    request: Request, ctx: Ctx, user: PageActor, case_no: str, action: str, form: Form
) -> Response:
    """Take one action from its small form, then back to the case page with a message."""
    if action not in lifecycle.ACTIONS:
        raise InvalidInput("action.unknown", f"未知的操作：{action}", field="action")
    refuse_action(user, action)
    payload = payload_from_form(action, lambda name: form_str(form, name))
    payload = {k: v for k, v in payload.items() if v != ""}
    version = form_str(form, "version")
    # A grave step that ends the matter on the petitioner's word is confirmed on a page of its
    # own first (no script needed): everything is checked, nothing kept until 「确认」.
    confirming = action in CONFIRMED_ACTIONS and form_str(form, "confirmed") != "1"
    try:
        check_window_fields(action, payload)

        def step(conn: Connection) -> dict[str, Any]:
            return actions.act(
                conn,
                ctx.rt,
                case_no=case_no,
                action=action,
                actor_staff_no=user.staff_no,
                payload=payload,
                now=ctx.clock.now(),
                expected_version=int(version) if version.isdigit() else None,
            )

        if confirming:
            # Checked in a transaction that is rolled back: nothing kept until 「确认」.
            with ctx.engine.connect() as conn, conn.begin() as trans:
                case = step(conn)
                trans.rollback()
        else:
            in_transaction(ctx.engine, step)
    except InvalidInput as exc:
        return _case_page(
            request,
            ctx,
            user,
            case_no,
            status=422,
            action_errors={action: exc.message},
            action_values={action: payload},
        )
    except Conflict as exc:
        message = exc.message
        if exc.code == "case.stale_version":
            message = "信访事项已被他人修改，请查看最新情况后重新操作"
        add_flash(request.session, message, "error")
        return redirect(case_url(case_no))
    except DomainError as exc:
        if exc.http_status in (403, 404):
            raise  # a refusal or a missing case is a page of its own, not a flash
        add_flash(request.session, exc.message, "error")
        return redirect(case_url(case_no))
    if confirming:
        return render(
            request,
            "confirm_action.html",
            user=user,
            case=case,
            action=action,
            version=version,
            payload=payload,
            lines=event_lines({"action": action, "payload": payload}, ctx.rt.tz),
        )
    add_flash(request.session, f"已{ACTION_LABELS[action]}", "success")
    return redirect(case_url(case_no))


@router.post("/cases/{case_no}/query-code")
def reissue_query_code(
    request: Request, ctx: Ctx, user: PageActor, case_no: str, form: Form
) -> Response:
    """Issue a new 查询码 once the petitioner's identity is checked; the receipt shows it once."""
    try:
        with ctx.engine.begin() as conn:
            issued = query_codes.reissue(
                conn,
                ctx.rt,
                case_no=case_no,
                actor_staff_no=user.staff_no,
                id_number=form_str(form, "id_number")[:40],
                phone=form_str(form, "phone")[:40],
                send_sms=form_str(form, "send_sms") in ("1", "on"),
                now=ctx.clock.now(),
            )
    except InvalidInput as exc:
        return _case_page(
            request, ctx, user, case_no, status=422, action_errors={"query_code": exc.message}
        )
    # As at intake: the code rides to the receipt in the session, encrypted, never in a URL.
    request.session["receipt"] = {
        "case_no": case_no,
        "code": ctx.rt.cipher.encrypt(issued["query_code"]),
    }
    sent = "，并已交短信发送给信访人" if issued["sms"] else ""
    add_flash(request.session, f"已重新发放查询码，原查询码已作废{sent}", "success")
    return redirect(case_url(case_no) + "/receipt")
