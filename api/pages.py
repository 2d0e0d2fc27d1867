"""Server-rendered pages (zh-CN): plain HTML forms, post/redirect/get, no JavaScript needed."""

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment
from starlette.datastructures import FormData, UploadFile

from api.auth import BadCredentials, TooManyAttempts, authenticate
from api.deps import (
    AppContext,
    Ctx,
    Form,
    PageActor,
    PageAdmin,
    PageIntake,
    PageReader,
    PageStaff,
    Public,
    User,
    client_ip,
    form_str,
    page_user_or_none,
    refuse_action,
)
from api.security import (
    add_flash,
    csrf_token,
    permits,
    pop_flashes,
    safe_next,
    wait_text,
)
from cases.casework import actions, desk, intake, reading, search, standing, tracking
from cases.crypto import normalise_query_code
from cases.notify import inbox
from cases.organisation import directory, roster, wall
from cases.supervision import labels, panels
from workflow import lifecycle
from workflow.actions import FIELDS as ACTION_FIELDS
from workflow.errors import Conflict, DomainError, InvalidInput, NotFound
from workflow.intake import MAX_REPRESENTATIVES
from workflow.lifecycle import ACTION_LABELS, CATEGORY_LABELS, CHANNEL_LABELS, STATE_LABELS, Actor
from workflow.periods import LEVEL_LABELS, PERIODS

router = APIRouter(include_in_schema=False)

OptionalUser = Annotated[User | None, Depends(page_user_or_none)]

CLOCK_STATUS_LABELS = {
    "running": "计时中",
    "paused": "暂停",
    "stopped": "已停止",
    "lapsed": "已届满",
}
WEEKDAYS = "一二三四五六日"

#: The petitioner rates through the tracking page with no account, as the ``petitioner`` role that
#: may take only record_evaluation, and only after the 查询码 was checked; the audit trail records
#: the 工号 "PETITIONER", not a staff member.
PETITIONER = Actor(staff_no="PETITIONER", role="petitioner", name="信访人")

TRACK_GRANT_SECONDS = 3600


#: Actions that end or refuse a matter: drawn apart, as a warning.
GRAVE_ACTIONS = frozenset({"reject", "withdraw", "close", "reply_reexamination"})

_PAYLOAD_LABELS = {
    "channel": "信访形式",
    "category": "类别",
    "region_code": "行政区划",
    "group_size": "人数",
    "received_at": "接收时间",
    "reason_code": "理由",
    "guidance": "告知",
    "organ": "机关",
    "report_by": "报结日期",
    "accepted_on": "受理日期",
    "summary": "办结报告",
    "days": "延长天数",
    "reason": "理由",
    "outcome": "处理意见",
    "opinion": "意见书",
    "to_staff_no": "新责任人",
    "from_staff_no": "原责任人",
    "text": "记录",
    "rating": "评价",
    "comment": "评价意见",
    "clock_label": "期限",
    "level_label": "级别",
    "due_date": "届满日",
    "recipients": "通知",
    "old_due_date": "原届满日",
    "new_due_date": "新届满日",
    "why": "原因",
    **labels.PAYLOAD_LABELS,
}


def _payload_value(action: str, key: str, value: Any, tz: Any) -> str:
    if key == "reason_code":
        table: Mapping[str, Any] = (
            lifecycle.REASSIGN_REASONS if action == "reassign" else lifecycle.REJECT_REASONS
        )
        found = table.get(value, value)
        return found[0] if isinstance(found, tuple) else str(found)
    if key == "outcome":
        return lifecycle.OUTCOMES.get(value, value)
    if key == "rating":
        return lifecycle.RATINGS.get(value, value)
    if key == "category":
        return CATEGORY_LABELS.get(value, value)
    if key == "channel":
        return CHANNEL_LABELS.get(value, value)
    if key == "received_at":
        return format_dt(value, tz)
    if key == "days":
        return f"{value}日"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def event_lines(event: Mapping[str, Any], tz: Any) -> list[tuple[str, str]]:
    """An event's contents as (label, value) lines in Chinese."""
    out = []
    for key, value in (event.get("payload") or {}).items():
        if key in _PAYLOAD_LABELS and value not in (None, "", []):
            out.append((_PAYLOAD_LABELS[key], _payload_value(event["action"], key, value, tz)))
    return out


# --- templates --------------------------------------------------------------------------------------


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def format_dt(value: Any, tz: Any = None) -> str:
    """An instant in the office's local time ``tz``: 2026-11-26 09:30."""
    dt = _as_datetime(value)
    if dt is None:
        return ""
    if dt.tzinfo is not None and tz is not None:
        dt = dt.astimezone(tz)
    return dt.strftime("%Y-%m-%d %H:%M")


def format_date(value: Any) -> str:
    """A date with its weekday: 2026-12-11（周五）."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return ""
    return f"{value.isoformat()}（周{WEEKDAYS[value.weekday()]}）"


def install_filters(env: Environment, tz: Any) -> None:
    """Filters and label tables the templates use; instants are shown in ``tz``."""
    env.filters["dt"] = lambda value: format_dt(value, tz)
    env.filters["day"] = format_date
    env.globals.update(
        STATE_LABELS=STATE_LABELS,
        ACTION_LABELS=ACTION_LABELS,
        ROLE_LABELS=lifecycle.ROLE_LABELS,
        CATEGORY_LABELS=CATEGORY_LABELS,
        CHANNEL_LABELS=CHANNEL_LABELS,
        LEVEL_LABELS=LEVEL_LABELS,
        CLOCK_STATUS_LABELS=CLOCK_STATUS_LABELS,
        OUTCOMES=lifecycle.OUTCOMES,
        RATINGS=lifecycle.RATINGS,
        ACTION_FIELDS=ACTION_FIELDS,
        GRAVE_ACTIONS=GRAVE_ACTIONS,
        MAX_REPRESENTATIVES=MAX_REPRESENTATIVES,
        permits=permits,
    )


def render(
    request: Request, name: str, *, user: User | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page from templates/, with the user, the session's CSRF token and its flash messages."""
    ctx: AppContext = request.app.state.ctx
    unread = 0
    if user is not None:
        # One index range per page (ix_outbox_recipient_read_at): the count in the top bar.
        with ctx.engine.connect() as conn:
            unread = inbox.unread_count(conn, user.staff_no)
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
    )


def redirect(url: str) -> RedirectResponse:
    """303 See Other: the browser follows with a GET (post/redirect/get)."""
    return RedirectResponse(url, status_code=303)


def case_url(case_no: str) -> str:
    """The case page's address."""
    return f"/cases/{quote(case_no)}"


# --- sign-in ---------------------------------------------------------------------------------------


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


# --- the desk ---------------------------------------------------------------------------------------


@router.get("/")
def desk_page(request: Request, ctx: Ctx, user: PageStaff) -> Response:
    """My desk: the cases I own — overdue, due soon, waiting for a tracking note."""
    if user.role == "admin":
        return redirect("/admin/staff")
    if user.role == "auditor":
        return redirect("/cases")
    with ctx.engine.begin() as conn:
        data = desk.desk(conn, ctx.rt, staff_no=user.staff_no, role=user.role, now=ctx.clock.now())
        extras = panels.desk_extras(
            conn, ctx.rt, staff_no=user.staff_no, role=user.role, now=ctx.clock.now()
        )
    return render(request, "desk.html", user=user, desk=data, extras=extras)


# --- cases -------------------------------------------------------------------------------------------


@router.get("/cases")
def cases_page(
    request: Request,
    ctx: Ctx,
    user: PageReader,
    q: str = "",
    state: str = "",
    mine: str = "",
) -> Response:
    """Search by case number, petitioner name, phone or ID number; filter by state and owner."""
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
    return render(request, "cases.html", user=user, cases=found, q=q, state=state, mine=bool(mine))


PERSON_FIELDS = ("name", "id_number", "phone", "address")


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
) -> HTMLResponse:
    # The representatives' rows open by themselves for a group visit or anything typed in them.
    rep_open = values.get("group_size", "1") not in ("", "1") or any(
        k.startswith("representatives") and v for k, v in [*values.items(), *errors.items()]
    )
    return render(
        request,
        "intake.html",
        user=user,
        status=status,
        values=values,
        errors=errors,
        rep_open=rep_open,
    )


@router.get("/cases/new")
def intake_page(request: Request, user: PageIntake) -> Response:
    """The intake form."""
    return _intake_form(
        request, user, {"channel": "visit", "category": "appeal", "group_size": "1"}, {}
    )


@router.post("/cases/new")
def intake_submit(request: Request, ctx: Ctx, user: PageIntake, form: Form) -> Response:
    """Register; on a mistake show the form again, with what was typed and each field's error."""
    body, rows = intake_from_form(form, ctx.rt.tz)
    try:
        with ctx.engine.begin() as conn:
            case = intake.intake(
                conn, ctx.rt, body=body, actor_staff_no=user.staff_no, now=ctx.clock.now()
            )
    except InvalidInput as exc:
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _intake_form(request, user, values, field_errors(exc, rows), status=422)
    # The 查询码 rides to the receipt in the session (signed, and encrypted here), never in a URL.
    request.session["receipt"] = {
        "case_no": case["case_no"],
        "code": ctx.rt.cipher.encrypt(case["query_code"]),
    }
    add_flash(request.session, f"已登记，案件编号 {case['case_no']}", "success")
    return redirect(case_url(case["case_no"]) + "/receipt")


def _show(ctx: AppContext, conn: Any, case_no: str, user: User) -> dict[str, Any]:
    return reading.show(
        conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=ctx.clock.now()
    )


@router.get("/cases/{case_no}/receipt")
def receipt_page(request: Request, ctx: Ctx, user: PageReader, case_no: str) -> Response:
    """The printable registration receipt (登记回执); the 查询码 appears on the first view only."""
    with ctx.engine.begin() as conn:
        case = _show(ctx, conn, case_no, user)
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
    track_url = str(request.base_url).rstrip("/") + "/track"
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
        levels = standing.clock_levels(conn, ctx.rt, case_no, now)
        names = directory.staff_names(conn, (e["actor"] for e in events))
        candidates = (
            directory.owner_candidates(conn) if "reassign" in case["allowed_actions"] else []
        )
        extras = panels.case_extras(
            conn, ctx.rt, case_no=case_no, staff_no=user.staff_no, role=user.role, now=now
        )
    hidden = bool(case["petitioner"].get("confidential"))
    clocks = [
        {**c, "live_level": levels.get(i)}
        for i, c in enumerate(case["clocks"])
        if c["status"] in ("running", "paused")
    ]
    finished = [c for c in case["clocks"] if c["status"] not in ("running", "paused")]
    timeline = [
        {
            **e,
            "label": labels.EVENT_LABELS.get(e["action"], e["action_label"]),
            "actor_name": names.get(e["actor"], "系统" if e["actor"] == "SYSTEM" else ""),
            # For the accused unit a step shows only what happened and when, never its contents.
            "lines": [] if hidden else event_lines(e, ctx.rt.tz),
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
        candidates=candidates,
        action_errors=action_errors or {},
        action_values=action_values or {},
        periods=PERIODS,
        extras=extras,
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
    payload = {f.name: form_str(form, f.name) for f in ACTION_FIELDS.get(action, ())}
    payload = {k: v for k, v in payload.items() if v != ""}
    version = form_str(form, "version")
    try:
        with ctx.engine.begin() as conn:
            actions.act(
                conn,
                ctx.rt,
                case_no=case_no,
                action=action,
                actor_staff_no=user.staff_no,
                payload=payload,
                now=ctx.clock.now(),
                expected_version=int(version) if version.isdigit() else None,
            )
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
    add_flash(request.session, f"已{ACTION_LABELS[action]}", "success")
    return redirect(case_url(case_no))


# --- public tracking -----------------------------------------------------------------------------


def _track_form(
    request: Request, user: User | None, *, case_no: str = "", error: str = "", status: int = 200
) -> HTMLResponse:
    return render(request, "track.html", user=user, case_no=case_no, error=error, status=status)


@router.get("/track")
def track_page(request: Request, _: Public, user: OptionalUser) -> Response:
    """The petitioner's tracking form: case number and 查询码."""
    return _track_form(request, user)


@router.post("/track")
def track_submit(request: Request, ctx: Ctx, _: Public, user: OptionalUser, form: Form) -> Response:
    """Check the case number and 查询码; guessing is slowed per address and per case number."""
    case_no = form_str(form, "case_no").upper()[:20]
    code = normalise_query_code(form_str(form, "code"))[:40]
    ip_key, case_key = f"ip:{client_ip(request)}", f"case:{case_no}"
    wait = max(ctx.track_by_ip.locked_for(ip_key), ctx.track_by_case.locked_for(case_key))
    if wait > 0:
        return _track_form(
            request,
            user,
            case_no=case_no,
            error=f"查询失败次数过多，请在{wait_text(wait)}后再试",
            status=429,
        )
    with ctx.engine.begin() as conn:
        ok = bool(case_no and code) and tracking.check_query_code(conn, case_no, code)
    if not ok:
        wait = max(ctx.track_by_ip.fail(ip_key), ctx.track_by_case.fail(case_key))
        error = "案件编号或查询码不正确，请核对回执后重新输入"
        if wait > 0:
            error += f"。失败次数过多，请在{wait_text(wait)}后再试"
        return _track_form(request, user, case_no=case_no, error=error, status=400)
    ctx.track_by_case.succeed(case_key)
    grants = dict(request.session.get("track") or {})
    grants = {k: v for k, v in grants.items() if isinstance(v, int | float)}
    grants[case_no] = ctx.clock.now().timestamp()
    # Only the last few cases: the session cookie must stay small.
    request.session["track"] = dict(sorted(grants.items(), key=lambda kv: kv[1])[-3:])
    return redirect(f"/track/{quote(case_no)}")


def _granted(request: Request, ctx: AppContext, case_no: str) -> bool:
    grants = request.session.get("track") or {}
    at = grants.get(case_no) if isinstance(grants, dict) else None
    if not isinstance(at, int | float):
        return False
    return 0 <= ctx.clock.now().timestamp() - at <= TRACK_GRANT_SECONDS


@router.get("/track/{case_no}")
def track_case(request: Request, ctx: Ctx, _: Public, user: OptionalUser, case_no: str) -> Response:
    """The public view of one case, once its 查询码 was given in this session."""
    if not _granted(request, ctx, case_no):
        add_flash(request.session, "请输入案件编号和查询码", "info")
        return redirect("/track")
    with ctx.engine.begin() as conn:
        view = tracking.public_view(conn, ctx.rt, case_no=case_no, now=ctx.clock.now())
    return render(request, "track_case.html", user=user, view=view, ratings=lifecycle.RATINGS)


@router.post("/track/{case_no}/rating")
def track_rate(request: Request, ctx: Ctx, _: Public, case_no: str, form: Form) -> Response:
    """The petitioner rates the outcome once: 满意 · 基本满意 · 不满意."""
    if not _granted(request, ctx, case_no):
        add_flash(request.session, "请先输入案件编号和查询码", "error")
        return redirect("/track")
    rating = form_str(form, "rating")
    comment = form_str(form, "comment")[:1000]
    payload = {"rating": rating, **({"comment": comment} if comment else {})}
    try:
        with ctx.engine.begin() as conn:
            actions.act(
                conn,
                ctx.rt,
                case_no=case_no,
                action="record_evaluation",
                actor_staff_no=PETITIONER.staff_no,
                payload=payload,
                now=ctx.clock.now(),
                actor=PETITIONER,
            )
    except DomainError as exc:
        add_flash(request.session, exc.message, "error")
        return redirect(f"/track/{quote(case_no)}")
    add_flash(request.session, "感谢您的评价", "success")
    return redirect(f"/track/{quote(case_no)}")


# --- the staff wall ----------------------------------------------------------------------------------


@router.get("/staff")
def staff_page(request: Request, ctx: Ctx, _: Public, user: OptionalUser) -> Response:
    """The public staff wall (党员公示): photo, 工号, name, group and pledge."""
    with ctx.engine.begin() as conn:
        people = wall.staff_wall(conn)
    groups: dict[str, list[dict[str, Any]]] = {}
    for person in people:
        groups.setdefault(person["group_name"] or "其他工作人员", []).append(person)
    return render(request, "staff.html", user=user, groups=groups)


@router.get("/staff/{staff_no}/photo")
def staff_photo(ctx: Ctx, _: Public, staff_no: str) -> Response:
    """A staff member's photo (public, like the wall)."""
    with ctx.engine.begin() as conn:
        found = wall.staff_photo(conn, staff_no)
    if found is None:
        raise NotFound("photo.not_found", "没有照片", staff_no=staff_no)
    data, kind = found
    return Response(data, media_type=kind, headers={"Cache-Control": "public, max-age=300"})


@router.get("/admin/staff")
def admin_staff_page(request: Request, ctx: Ctx, user: PageAdmin) -> Response:
    """Staff administration: photos and pledges for the wall."""
    with ctx.engine.begin() as conn:
        people = wall.staff_admin_list(conn)
    return render(request, "admin_staff.html", user=user, people=people)


@router.post("/admin/staff/{staff_no}")
def admin_staff_update(
    request: Request, ctx: Ctx, user: PageAdmin, staff_no: str, form: Form
) -> Response:
    """Upload a photo (JPEG or PNG by its bytes, at most 2 MB) and/or change the pledge."""
    upload = form.get("photo")
    pledge = form.get("pledge")
    try:
        with ctx.engine.begin() as conn:
            if isinstance(upload, UploadFile) and upload.filename:
                data = upload.file.read(wall.MAX_PHOTO_BYTES + 1)
                wall.set_staff_photo(conn, staff_no=staff_no, data=data)
            if isinstance(pledge, str):
                wall.set_staff_pledge(conn, staff_no=staff_no, pledge=pledge)
    except InvalidInput as exc:
        add_flash(request.session, f"{staff_no}：{exc.message}", "error")
        return redirect("/admin/staff")
    add_flash(request.session, f"已更新 {staff_no}", "success")
    return redirect("/admin/staff")
