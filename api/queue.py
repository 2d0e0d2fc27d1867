"""The supervisor queue, supervision notices, extension requests, the inbox, the daily briefing and
the admins' delivery page (their JSON API is in ``api.routes``).

Each POST is one unit of work (``cases.supervision``, ``cases.notify``); pages answer with
post/redirect/get and a flash message.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import (
    AppContext,
    Ctx,
    Form,
    PageActor,
    PageDeliveries,
    PageEscalations,
    PageReader,
    PageStaff,
    PageWorker,
    User,
    form_str,
)
from api.pages import case_url, redirect, render
from api.security import add_flash, safe_next
from cases.casework import actions
from cases.notify import admin, channels, inbox, preferences
from cases.organisation import directory
from cases.reports import briefing as briefings
from cases.supervision import acks, extensions, followups, guards, labels, notices
from cases.supervision import queue as escalation_queue
from workflow import lifecycle
from workflow.calendar import local_date
from workflow.errors import DomainError
from workflow.lifecycle import CATEGORY_LABELS
from workflow.periods import LEVELS, PERIODS

page_router = APIRouter(include_in_schema=False)
QUEUE_TABS = [("active", "待处理"), ("open", "待签收"), ("resolved", "已解决"), ("all", "全部")]


def _do(
    request: Request, ctx: AppContext, back: str, done: str, work: Callable[[Any], Any]
) -> Response:
    """Run one unit of work for a page form; flash its outcome and go back (post/redirect/get)."""
    try:
        with ctx.engine.begin() as conn:
            work(conn)
    except DomainError as exc:
        if exc.http_status == 403:
            raise  # a refusal is a page of its own, not a flash
        add_flash(request.session, exc.message, "error")
        return redirect(back)
    add_flash(request.session, done, "success")
    return redirect(back)


def _back(form: Any, default: str) -> str:
    return safe_next(form_str(form, "next") or default)


def _filters(
    level: str, group: str, owner: str, clock: str, category: str
) -> dict[str, str | None]:
    """The queue's filters, each dropped when it is not one of its known values."""
    return {
        "level": level if level in LEVELS else None,
        "group": group or None,
        "owner": owner or None,
        "clock": clock if clock in PERIODS else None,
        "category": category if category in CATEGORY_LABELS else None,
    }


# --- the queue -----------------------------------------------------------------------------------------


def _queue_page(
    request: Request,
    ctx: AppContext,
    user: User,
    *,
    status: str,
    filters: dict[str, str | None],
    flagged: bool = False,
) -> Response:
    now = ctx.clock.now()
    status = status if status in escalation_queue.QUEUE_STATUSES else "active"
    with ctx.engine.begin() as conn:
        items, counts = escalation_queue.queue_items(
            conn, ctx.rt, now=now, status=status, **filters
        )
        to_decide = extensions.pending_extensions(conn, ctx.rt) if not flagged else []
        unhappy = followups.dissatisfied(conn, ctx.rt) if not flagged else []
        groups = escalation_queue.group_names(conn)
        people = directory.owner_candidates(conn)
    query = {k: v for k, v in {"status": status, **filters}.items() if v}
    without_level = {k: v for k, v in query.items() if k != "level"}
    level_links = {
        level: request.url.path + "?" + urlencode({**without_level, "level": level})
        for level in LEVELS
    }
    level_links[""] = request.url.path + "?" + urlencode(without_level)
    today = local_date(now, ctx.rt.tz)
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
        here=request.url.path + ("?" + urlencode(query) if query else ""),
        level_links=level_links,
        extensions=to_decide,
        dissatisfied=unhappy,
        groups=groups,
        people=people,
        periods=PERIODS,
        levels=LEVELS,
        flagged_view=flagged,
        can_work=user.role in guards.SUPERVISING_ROLES,
        reassign_reasons=lifecycle.REASSIGN_REASONS,
        today=today,
        notice_default=today + timedelta(days=3),
        notice_max=today + timedelta(days=notices.NOTICE_MAX_DAYS),
        labels=labels.for_pages(),
    )


@page_router.get("/queue")
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
) -> Response:
    """The supervisor queue: escalations by level and lateness, with filters and counts per level."""
    return _queue_page(
        request,
        ctx,
        user,
        status=status,
        filters=_filters(level, group, owner, clock, category),
    )


@page_router.get("/escalations")
def escalations_page(
    request: Request, ctx: Ctx, user: PageEscalations, status: str = "active"
) -> Response:
    """The queue's old address: the same page, so bookmarks and links keep working."""
    return _queue_page(request, ctx, user, status=status, filters=_filters("", "", "", "", ""))


@page_router.get("/queue/flagged")
def flagged_page(request: Request, ctx: Ctx, user: PageEscalations) -> Response:
    """The leaders' view: cases under 挂牌督办, the longest overdue first."""
    return _queue_page(
        request,
        ctx,
        user,
        status="active",
        filters=_filters("flagged", "", "", "", ""),
        flagged=True,
    )


@page_router.post("/queue/escalations/{escalation_id}/acknowledge")
def acknowledge_submit(
    request: Request, ctx: Ctx, user: PageWorker, escalation_id: int, form: Form
) -> Response:
    """签收: the supervisor has seen it and takes it on."""
    return _do(
        request,
        ctx,
        _back(form, "/queue"),
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


@page_router.post("/queue/escalations/{escalation_id}/notice")
def notice_submit(
    request: Request, ctx: Ctx, user: PageWorker, escalation_id: int, form: Form
) -> Response:
    """下达督办单 with a reply-by date."""
    return _do(
        request,
        ctx,
        _back(form, "/queue"),
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
    )


@page_router.post("/queue/escalations/{escalation_id}/reassign")
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

    return _do(request, ctx, _back(form, "/queue"), "已变更首接责任人", work)


@page_router.post("/queue/extensions/{request_id}/decide")
def extension_decide_submit(
    request: Request, ctx: Ctx, user: PageWorker, request_id: int, form: Form
) -> Response:
    """批准 or 不予批准 an extension request."""
    approve = form_str(form, "decision") == "approve"
    return _do(
        request,
        ctx,
        _back(form, "/queue"),
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


@page_router.post("/queue/dissatisfied/{case_no}/followup")
def followup_submit(
    request: Request, ctx: Ctx, user: PageWorker, case_no: str, form: Form
) -> Response:
    """Record that a 不满意 rating was followed up."""
    return _do(
        request,
        ctx,
        _back(form, "/queue"),
        "已登记跟进情况",
        lambda conn: followups.record_followup(
            conn,
            ctx.rt,
            case_no=case_no,
            actor_staff_no=user.staff_no,
            note=form_str(form, "note"),
            now=ctx.clock.now(),
        ),
    )


# --- the owner's side: extension requests and answers -------------------------------------------------


@page_router.post("/cases/{case_no}/extension-request")
def extension_request_submit(
    request: Request, ctx: Ctx, user: PageActor, case_no: str, form: Form
) -> Response:
    """The owner asks for an extension (days, reason); a supervisor decides in the queue."""
    return _do(
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
    )


@page_router.post("/notices/{notice_id}/answer")
def notice_answer_submit(
    request: Request, ctx: Ctx, user: PageActor, notice_id: int, form: Form
) -> Response:
    """The owner answers a supervision notice."""
    return _do(
        request,
        ctx,
        _back(form, "/"),
        "已答复督办单",
        lambda conn: notices.answer_notice(
            conn,
            ctx.rt,
            notice_id=notice_id,
            actor_staff_no=user.staff_no,
            answer=form_str(form, "answer"),
            now=ctx.clock.now(),
        ),
    )


# --- inbox, briefing, deliveries ---------------------------------------------------------------------


@page_router.get("/inbox")
def inbox_page(request: Request, ctx: Ctx, user: PageStaff, unread: str = "") -> Response:
    """My messages, and how I want to receive them."""
    with ctx.engine.begin() as conn:
        messages = inbox.messages_for(conn, ctx.rt, user.staff_no, unread_only=bool(unread))
        prefs = preferences.preferences(conn, user.staff_no)
    return render(
        request, "inbox.html", user=user, messages=messages, prefs=prefs, unread_only=bool(unread)
    )


@page_router.post("/inbox/read")
def inbox_read_submit(request: Request, ctx: Ctx, user: PageStaff, form: Form) -> Response:
    """Mark one message (``id``) or all of mine as read."""
    raw = form_str(form, "id")
    message_id = int(raw) if raw.isdigit() else None
    with ctx.engine.begin() as conn:
        inbox.mark_read(conn, user.staff_no, ctx.clock.now(), message_id=message_id)
    target = _back(form, "/inbox")
    return redirect(target)


@page_router.post("/inbox/preferences")
def preferences_submit(request: Request, ctx: Ctx, user: PageStaff, form: Form) -> Response:
    """Save my channels, e-mail address and mobile number."""
    enabled = {c: form_str(form, f"channel.{c}") == "on" for c in channels.CHANNELS}
    phone = form_str(form, "phone")
    return _do(
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


@page_router.get("/briefing")
def briefing_page(request: Request, ctx: Ctx, user: PageReader) -> Response:
    """The daily briefing (每日例会): mine, and my branch's."""
    with ctx.engine.begin() as conn:
        data = briefings.briefing_for(
            conn, ctx.rt, staff_no=user.staff_no, role=user.role, now=ctx.clock.now()
        )
    return render(request, "briefing.html", user=user, b=data)


@page_router.get("/admin/deliveries")
def deliveries_page(
    request: Request, ctx: Ctx, user: PageDeliveries, status: str = "failed"
) -> Response:
    """Notifications that failed (with their errors), pending or sent; send a failed one again."""
    status = status if status in (*admin.DELIVERY_STATUS_LABELS, "all") else "failed"
    config = channels.ChannelConfig.from_env()
    with ctx.engine.begin() as conn:
        rows = admin.deliveries(conn, ctx.rt, status=status)
        counts = admin.delivery_counts(conn)
    return render(
        request,
        "admin_deliveries.html",
        user=user,
        rows=rows,
        counts=counts,
        shown=status,
        configured=config.configured(),
        channel_labels=channels.CHANNEL_LABELS,
        status_labels=admin.DELIVERY_STATUS_LABELS,
    )


@page_router.post("/admin/deliveries/{delivery_id}/retry")
def delivery_retry_submit(
    request: Request, ctx: Ctx, user: PageDeliveries, delivery_id: int, form: Form
) -> Response:
    """Send a failed delivery again (a fresh round of attempts)."""
    return _do(
        request,
        ctx,
        "/admin/deliveries",
        "已重新排队发送",
        lambda conn: admin.retry(conn, delivery_id, ctx.clock.now()),
    )


router = APIRouter()
router.include_router(page_router)
