"""The supervisor queue on the pages and the forms of supervision: 签收, 督办单, changing the owner,
deciding extension requests, following up a 不满意 rating; and the owner's side, asking for an
extension and answering a 督办单.

Each POST is one unit of work (``cases.supervision``), answered with post/redirect/get and a flash.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import AppContext, Ctx, Form, PageActor, PageEscalations, PageWorker, User, form_str
from api.pages.common import back_to, case_url, render, run_form
from cases.casework import actions
from cases.organisation import directory
from cases.supervision import acks, extensions, followups, guards, labels, notices
from cases.supervision import queue as escalation_queue
from workflow import lifecycle
from workflow.calendar import local_date
from workflow.lifecycle import CATEGORY_LABELS
from workflow.periods import LEVELS, PERIODS
from workflow.standing import COUNTED_CLOCKS

router = APIRouter(include_in_schema=False)

QUEUE_TABS = [("active", "待处理"), ("open", "待签收"), ("resolved", "已解决"), ("all", "全部")]


def _filters(
    level: str = "",
    group: str = "",
    owner: str = "",
    clock: str = "",
    category: str = "",
    region: str = "",
    sort: str = "",
) -> dict[str, str | None]:
    """The queue's filters and order, each dropped when it is not one of its known values."""
    return {
        "level": level if level in LEVELS else None,
        "group": group or None,
        "owner": owner or None,
        "clock": clock if clock in COUNTED_CLOCKS else None,
        "category": category if category in CATEGORY_LABELS else None,
        "region": region if len(region) == 6 and region.isdigit() else None,
        "sort": sort if sort in escalation_queue.SORTS and sort != "level" else None,
    }


# --- the queue ------------------------------------------------------------------------------------


def _queue_page(
    request: Request,
    ctx: AppContext,
    user: User,
    *,
    status: str,
    filters: dict[str, str | None],
    flagged: bool = False,
    after: str = "",
) -> Response:
    now = ctx.clock.now()
    status = status if status in escalation_queue.QUEUE_STATUSES else "active"
    with ctx.engine.begin() as conn:
        items, counts, next_after = escalation_queue.queue_page(
            conn,
            ctx.rt,
            now=now,
            status=status,
            after=after[:400] or None,
            viewer_staff_no=user.staff_no,
            **{**filters, "sort": filters["sort"] or "level"},
        )
        regions = escalation_queue.region_options(conn, items, filters["region"])
        to_decide = extensions.pending_extensions(conn, ctx.rt) if not flagged else []
        unhappy = followups.dissatisfied(conn, ctx.rt, limit=50) if not flagged else []
        groups = escalation_queue.group_names(conn)
        people = directory.owner_candidates(conn)
    query = {k: v for k, v in {"status": status, **filters}.items() if v}
    without_level = {k: v for k, v in query.items() if k != "level"}
    level_links = {
        level: request.url.path + "?" + urlencode({**without_level, "level": level})
        for level in LEVELS
    }
    level_links[""] = request.url.path + "?" + urlencode(without_level)
    without_sort = {k: v for k, v in query.items() if k != "sort"}
    sort_links = {
        key: request.url.path + "?" + urlencode({**without_sort, "sort": key})
        for key in escalation_queue.SORTS
    }
    today = local_date(now, ctx.rt.tz)
    here = request.url.path + ("?" + urlencode(query) if query else "")
    next_link = (
        request.url.path + "?" + urlencode({**query, "after": next_after}) if next_after else None
    )
    return render(
        request,
        "queue.html",
        user=user,
        items=items,
        counts=counts,
        total=sum(counts.values()),
        shown=status,
        filters=filters,
        tabs=QUEUE_TABS,
        query=query,
        here=here,
        next_link=next_link,
        first_link=here if after else None,
        level_links=level_links,
        sort_links=sort_links,
        sorts=escalation_queue.SORTS,
        regions=regions,
        extensions=to_decide,
        dissatisfied=unhappy,
        groups=groups,
        people=people,
        periods={name: PERIODS[name] for name in COUNTED_CLOCKS},
        levels=LEVELS,
        flagged_view=flagged,
        can_work=user.role in guards.SUPERVISING_ROLES,
        reassign_reasons=lifecycle.REASSIGN_REASONS,
        today=today,
        notice_default=today + timedelta(days=3),
        notice_max=today + timedelta(days=notices.NOTICE_MAX_DAYS),
        labels=labels.for_pages(),
    )


@router.get("/queue")
def queue_page(
    request: Request,
    ctx: Ctx,
    user: PageEscalations,
    status: str = "active",
    level: str = "",
    group: str = "",
    owner: str = "",
    clock: str = "",
    category: str = "",
    region: str = "",
    sort: str = "",
    after: str = "",
) -> Response:
    """The supervisor queue: one row per case, by level and lateness (or as sorted), with filters
    and the count of cases at each level; a hundred rows a page (``after``: the next page)."""
    return _queue_page(
        request,
        ctx,
        user,
        status=status,
        filters=_filters(level, group, owner, clock, category, region, sort),
        after=after,
    )


@router.get("/escalations")
def escalations_page(
    request: Request, ctx: Ctx, user: PageEscalations, status: str = "active"
) -> Response:
    """The queue's old address: the same page, so bookmarks and links keep working."""
    return _queue_page(request, ctx, user, status=status, filters=_filters())


@router.get("/queue/flagged")
def flagged_page(request: Request, ctx: Ctx, user: PageEscalations, after: str = "") -> Response:
    """The leaders' view: cases under 挂牌督办, the longest overdue first."""
    return _queue_page(
        request,
        ctx,
        user,
        status="active",
        filters=_filters("flagged"),
        flagged=True,
        after=after,
    )


# --- the supervisor's forms -----------------------------------------------------------------------


@router.post("/queue/escalations/{escalation_id}/acknowledge")
def acknowledge_submit(
    request: Request, ctx: Ctx, user: PageWorker, escalation_id: int, form: Form
) -> Response:
    """签收: the supervisor has seen it and takes it on."""
    return run_form(
        request,
        ctx,
        back_to(form, "/queue"),
        "已签收",
        lambda conn: acks.acknowledge(
            conn,
            ctx.rt,
            escalation_id=escalation_id,
            actor_staff_no=user.staff_no,
            now=ctx.clock.now(),
            note=form_str(form, "note"),
        ),
    )


@router.post("/queue/escalations/{escalation_id}/notice")
def notice_submit(
    request: Request, ctx: Ctx, user: PageWorker, escalation_id: int, form: Form
) -> Response:
    """下达督办单 with a reply-by date."""
    return run_form(
        request,
        ctx,
        back_to(form, "/queue"),
        "已下达督办单",
        lambda conn: notices.issue_notice(
            conn,
            ctx.rt,
            escalation_id=escalation_id,
            actor_staff_no=user.staff_no,
            reply_by=form_str(form, "reply_by"),
            text=form_str(form, "text"),
            now=ctx.clock.now(),
        ),
        form=form,
        staff_no=user.staff_no,
    )


@router.post("/queue/escalations/{escalation_id}/reassign")
def reassign_submit(
    request: Request, ctx: Ctx, user: PageWorker, escalation_id: int, form: Form
) -> Response:
    """变更首接责任人 from the queue, with a reason (the case's own ``reassign`` action)."""

    def work(conn: Any) -> None:
        case_no = escalation_queue.escalation_case_no(conn, escalation_id)
        payload = {
            k: form_str(form, k)
            for k in ("to_staff_no", "reason", "reason_code")
            if form_str(form, k)
        }
        actions.act(
            conn,
            ctx.rt,
            case_no=case_no,
            action="reassign",
            actor_staff_no=user.staff_no,
            payload=payload,
            now=ctx.clock.now(),
        )

    return run_form(request, ctx, back_to(form, "/queue"), "已变更首接责任人", work)


@router.post("/queue/extensions/{request_id}/decide")
def extension_decide_submit(
    request: Request, ctx: Ctx, user: PageWorker, request_id: int, form: Form
) -> Response:
    """批准 or 不予批准 an extension request."""
    approve = form_str(form, "decision") == "approve"
    return run_form(
        request,
        ctx,
        back_to(form, "/queue"),
        "已批准延期，并记录延期告知" if approve else "已不予批准延期",
        lambda conn: extensions.decide_extension(
            conn,
            ctx.rt,
            request_id=request_id,
            actor_staff_no=user.staff_no,
            approve=approve,
            note=form_str(form, "note"),
            now=ctx.clock.now(),
        ),
    )


@router.post("/queue/dissatisfied/{case_no}/followup")
def followup_submit(
    request: Request, ctx: Ctx, user: PageWorker, case_no: str, form: Form
) -> Response:
    """Record that a 不满意 rating was followed up."""
    return run_form(
        request,
        ctx,
        back_to(form, "/queue"),
        "已登记跟进情况",
        lambda conn: followups.record_followup(
            conn,
            ctx.rt,
            case_no=case_no,
            actor_staff_no=user.staff_no,
            note=form_str(form, "note"),
            now=ctx.clock.now(),
        ),
        form=form,
        staff_no=user.staff_no,
    )


# --- the owner's side: extension requests and answers ---------------------------------------------


@router.post("/cases/{case_no}/extension-request")
def extension_request_submit(
    request: Request, ctx: Ctx, user: PageActor, case_no: str, form: Form
) -> Response:
    """The owner asks for an extension (days, reason); a supervisor decides in the queue."""
    return run_form(
        request,
        ctx,
        case_url(case_no),
        "已提交延期申请，等待督办审批",
        lambda conn: extensions.request_extension(
            conn,
            ctx.rt,
            case_no=case_no,
            actor_staff_no=user.staff_no,
            days=form_str(form, "days"),
            reason=form_str(form, "reason"),
            now=ctx.clock.now(),
        ),
        form=form,
        staff_no=user.staff_no,
    )


@router.post("/notices/{notice_id}/answer")
def notice_answer_submit(
    request: Request, ctx: Ctx, user: PageActor, notice_id: int, form: Form
) -> Response:
    """The owner answers a supervision notice."""
    return run_form(
        request,
        ctx,
        back_to(form, "/"),
        "已答复督办单",
        lambda conn: notices.answer_notice(
            conn,
            ctx.rt,
            notice_id=notice_id,
            actor_staff_no=user.staff_no,
            answer=form_str(form, "answer"),
            now=ctx.clock.now(),
        ),
        form=form,
        staff_no=user.staff_no,
    )
