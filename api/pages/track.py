"""Public tracking: the petitioner looks up a case with its number and 查询码, and rates it once."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import AppContext, Ctx, Form, Public, User, client_ip, form_str
from api.pages.common import OptionalUser, redirect, render
from api.security import add_flash, wait_text
from cases.accounts import throttle
from cases.casework import actions, tracking
from cases.crypto import normalise_query_code
from cases.organisation import wall
from cases.paper import notices
from cases.paper.render import notice_pdf
from workflow import lifecycle
from workflow.errors import DomainError, NotFound
from workflow.lifecycle import Actor

router = APIRouter(include_in_schema=False)

#: The petitioner rates through the tracking page with no account, as the ``petitioner`` role that
#: may take only record_evaluation, and only after the 查询码 was checked; the audit trail records
#: the 工号 "PETITIONER", not a staff member.
PETITIONER = Actor(staff_no="PETITIONER", role="petitioner", name="信访人")

TRACK_GRANT_SECONDS = 3600


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
    client = client_ip(request)
    # Counted per (case, client) and per client, in the database: guessing from one place never
    # keeps the petitioner out from another, and every worker shares the count.
    per_case, per_client = (
        throttle.key("track", case_no, client),
        throttle.key("track-client", client),
    )
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        wait = throttle.wait(conn, [per_case, per_client], now=now)
    if wait > 0:
        response = _track_form(
            request,
            user,
            case_no=case_no,
            error=f"查询失败次数过多，请在{wait_text(wait)}后再试",
            status=429,
        )
        response.headers["Retry-After"] = str(int(wait + 0.999))
        return response
    with ctx.engine.begin() as conn:
        ok = bool(case_no and code) and tracking.check_query_code(conn, case_no, code)
        if ok:
            throttle.clear(conn, per_case)
        else:
            wait = max(
                throttle.fail(conn, per_case, throttle.PER_SUBJECT, now=now),
                throttle.fail(conn, per_client, throttle.PER_CLIENT, now=now),
            )
    if not ok:
        error = "案件编号或查询码不正确，请核对回执后重新输入"
        if wait > 0:
            error += f"。失败次数过多，请在{wait_text(wait)}后再试"
        return _track_form(request, user, case_no=case_no, error=error, status=400)
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
        papers = notices.notices_by_case_no(conn, case_no)
        # Once rated, the petitioner meets the first receiver who stood behind the case: the
        # owner's card from the staff wall (photo, 工号, pledge).
        card = wall.staff_card(conn, view["owner"]["staff_no"]) if view.get("rating") else None
    return render(
        request,
        "track_case.html",
        user=user,
        view=view,
        ratings=lifecycle.RATINGS,
        notices=papers,
        owner_card=card,
    )


@router.get("/track/{case_no}/notices/{notice_id}.pdf")
def track_notice(request: Request, ctx: Ctx, _: Public, case_no: str, notice_id: int) -> Response:
    """A notice the case was given, as PDF, for the petitioner who gave its 查询码 this session."""
    if not _granted(request, ctx, case_no):
        add_flash(request.session, "请先输入案件编号和查询码", "error")
        return redirect("/track")
    with ctx.engine.begin() as conn:
        found = notices.notice_text(conn, case_no, notice_id)
    if found is None:
        raise NotFound("notice.not_found", "没有这份告知文书")
    html, doc_no = found
    return Response(
        notice_pdf(html),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(case_no + '-' + doc_no)}.pdf"
        },
    )


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
