"""The supervisor queue, supervision notices, extension requests, the inbox and the daily briefing
on the JSON API (their pages are ``api.pages.queue``, ``api.pages.inbox``, ``api.pages.briefing``).

Each POST is one unit of work (``cases.supervision``, ``cases.notify``), answered with the changed
object or problem+json.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from api.deps import (
    ApiActor,
    ApiEscalations,
    ApiReader,
    ApiStaff,
    ApiWorker,
    AppContext,
    Ctx,
)
from cases.notify import inbox
from cases.reports import briefing as briefings
from cases.supervision import acks, extensions, followups, notices
from cases.supervision import queue as escalation_queue

api = APIRouter(prefix="/api/v1", tags=["escalations"])

_PROBLEM = {"content": {"application/problem+json": {}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "未登录或访问令牌无效", **_PROBLEM},
    403: {"description": "无权操作", **_PROBLEM},
    404: {"description": "找不到", **_PROBLEM},
    409: {"description": "当前状态不能执行该操作", **_PROBLEM},
    422: {"description": "内容有误", **_PROBLEM},
}


# --- JSON API ------------------------------------------------------------------------------------------


@api.get("/escalations", summary="督办队列（按级别、超期时间排序）", responses=_ERRORS)
def list_escalations(
    ctx: Ctx,
    user: ApiEscalations,
    status: Annotated[
        str,
        Query(
            description="open · acknowledged · active（待签收和已签收）· superseded · resolved · all"
        ),
    ] = "open",
    level: Annotated[
        str | None, Query(description="warning · overdue · supervision · flagged")
    ] = None,
    group: Annotated[str | None, Query(description="首接责任人所在党小组")] = None,
    owner: Annotated[str | None, Query(description="首接责任人工号")] = None,
    clock: Annotated[str | None, Query(description="期限，如 acceptance")] = None,
    category: Annotated[str | None, Query(description="suggestion · accusation · appeal")] = None,
) -> list[dict[str, Any]]:
    """Escalations with their case, owner, clock and notice: the highest level first, then the
    longest overdue."""
    with ctx.engine.begin() as conn:
        items, _ = escalation_queue.queue_items(
            conn,
            ctx.rt,
            now=ctx.clock.now(),
            status=status,
            level=level,
            group=group,
            owner=owner,
            clock=clock,
            category=category,
        )
    return items


@api.get("/escalations/counts", summary="督办队列各级别数量", responses=_ERRORS)
def escalation_counts(
    ctx: Ctx,
    user: ApiEscalations,
    status: str = "active",
    group: str | None = None,
    owner: str | None = None,
    clock: str | None = None,
    category: str | None = None,
) -> dict[str, int]:
    """How many escalations per level (and in all), under the same filters as the list."""
    with ctx.engine.begin() as conn:
        _, counts = escalation_queue.queue_items(
            conn,
            ctx.rt,
            now=ctx.clock.now(),
            status=status,
            group=group,
            owner=owner,
            clock=clock,
            category=category,
        )
    return {**counts, "total": sum(counts.values())}


def _one(ctx: AppContext, escalation_id: int) -> dict[str, Any]:
    with ctx.engine.begin() as conn:
        items, _ = escalation_queue.queue_items(
            conn, ctx.rt, now=ctx.clock.now(), status="all", escalation_id=escalation_id
        )
    return items[0]


class AckBody(BaseModel):
    """签收."""

    note: str = Field(default="", max_length=1000)


@api.post("/escalations/{escalation_id}/acknowledge", summary="签收督办事项", responses=_ERRORS)
def acknowledge_api(
    ctx: Ctx, user: ApiWorker, escalation_id: int, body: Annotated[AckBody | None, Body()] = None
) -> dict[str, Any]:
    """Acknowledge an open escalation; returns its queue row."""
    with ctx.engine.begin() as conn:
        acks.acknowledge(
            conn,
            ctx.rt,
            escalation_id=escalation_id,
            actor_staff_no=user.staff_no,
            now=ctx.clock.now(),
            note=body.note if body else "",
        )
    return _one(ctx, escalation_id)


class NoticeBody(BaseModel):
    """A supervision notice: what to report, and by when."""

    reply_by: str = Field(description="答复期限，如 2026-12-01")
    text: str = Field(description="督办要求", max_length=2000)


@api.post(
    "/escalations/{escalation_id}/notices",
    status_code=201,
    summary="下达督办单",
    responses=_ERRORS,
)
def notice_api(ctx: Ctx, user: ApiWorker, escalation_id: int, body: NoticeBody) -> dict[str, Any]:
    """Issue a 督办单 on an escalation; the owner must answer by ``reply_by``."""
    with ctx.engine.begin() as conn:
        return notices.issue_notice(
            conn,
            ctx.rt,
            escalation_id=escalation_id,
            actor_staff_no=user.staff_no,
            reply_by=body.reply_by,
            text=body.text,
            now=ctx.clock.now(),
        )


@api.post("/notices/{notice_id}/answer", summary="答复督办单", responses=_ERRORS)
def answer_api(
    ctx: Ctx,
    user: ApiActor,
    notice_id: int,
    body: Annotated[dict[str, Any] | None, Body(examples=[{"answer": "已受理，正在核查"}])] = None,
) -> dict[str, Any]:
    """The case's owner (or a supervisor or leader) answers a supervision notice: ``answer``."""
    with ctx.engine.begin() as conn:
        return notices.answer_notice(
            conn,
            ctx.rt,
            notice_id=notice_id,
            actor_staff_no=user.staff_no,
            answer=(body or {}).get("answer"),
            now=ctx.clock.now(),
        )


@api.post(
    "/cases/{case_no}/extension-requests",
    status_code=201,
    summary="申请延期（首接责任人）",
    responses=_ERRORS,
)
def extension_request_api(
    ctx: Ctx,
    user: ApiActor,
    case_no: str,
    body: Annotated[
        dict[str, Any] | None, Body(examples=[{"days": 15, "reason": "需要实地调查"}])
    ] = None,
) -> dict[str, Any]:
    """The owner asks to extend the handling period by ``days`` (1–30) for a ``reason``."""
    # The body is checked by the rule itself, after who may ask and whether the case may be
    # extended at all: a stranger to the case hears "not yours" before "days missing".
    body = body or {}
    with ctx.engine.begin() as conn:
        return extensions.request_extension(
            conn,
            ctx.rt,
            case_no=case_no,
            actor_staff_no=user.staff_no,
            days=body.get("days"),
            reason=body.get("reason"),
            now=ctx.clock.now(),
        )


@api.get("/extension-requests", summary="待审批的延期申请", responses=_ERRORS)
def extension_requests_api(ctx: Ctx, user: ApiEscalations) -> list[dict[str, Any]]:
    """Extension requests waiting for a decision, the oldest first."""
    with ctx.engine.begin() as conn:
        return extensions.pending_extensions(conn, ctx.rt)


class DecisionBody(BaseModel):
    """A supervisor's decision on an extension request (a refusal needs a reason)."""

    approve: bool
    note: str = Field(default="", max_length=1000)


@api.post("/extension-requests/{request_id}/decision", summary="审批延期申请", responses=_ERRORS)
def extension_decision_api(
    ctx: Ctx, user: ApiWorker, request_id: int, body: DecisionBody
) -> dict[str, Any]:
    """Approve (performs ``extend`` and records the notice to the petitioner) or refuse."""
    with ctx.engine.begin() as conn:
        return extensions.decide_extension(
            conn,
            ctx.rt,
            request_id=request_id,
            actor_staff_no=user.staff_no,
            approve=body.approve,
            note=body.note,
            now=ctx.clock.now(),
        )


class FollowupBody(BaseModel):
    """What was done about a 不满意 rating."""

    note: str = Field(max_length=2000)


@api.post(
    "/cases/{case_no}/dissatisfaction-followup",
    status_code=201,
    summary="登记不满意评价的跟进",
    responses=_ERRORS,
)
def followup_api(ctx: Ctx, user: ApiWorker, case_no: str, body: FollowupBody) -> dict[str, Any]:
    """Record that a 不满意 rating was followed up."""
    with ctx.engine.begin() as conn:
        followups.record_followup(
            conn,
            ctx.rt,
            case_no=case_no,
            actor_staff_no=user.staff_no,
            note=body.note,
            now=ctx.clock.now(),
        )
    return {"case_no": case_no, "followed_up": True}


@api.get("/inbox", tags=["inbox"], summary="我的消息", responses=_ERRORS)
def inbox_api(ctx: Ctx, user: ApiStaff, unread: bool = False) -> dict[str, Any]:
    """My messages, the newest first, and how many are unread."""
    with ctx.engine.begin() as conn:
        return {
            "unread": inbox.unread_count(conn, user.staff_no),
            "messages": inbox.messages_for(conn, ctx.rt, user.staff_no, unread_only=unread),
        }


@api.post("/inbox/{message_id}/read", tags=["inbox"], summary="标记为已读", responses=_ERRORS)
def inbox_read_api(ctx: Ctx, user: ApiStaff, message_id: int) -> dict[str, Any]:
    """Mark one of my messages as read."""
    with ctx.engine.begin() as conn:
        changed = inbox.mark_read(conn, user.staff_no, ctx.clock.now(), message_id=message_id)
        unread = inbox.unread_count(conn, user.staff_no)
    return {"marked": changed, "unread": unread}


@api.get("/briefing", tags=["briefing"], summary="每日例会", responses=_ERRORS)
def briefing_api(ctx: Ctx, user: ApiReader) -> dict[str, Any]:
    """The daily briefing as of now: mine, and the branches' for those who lead them."""
    with ctx.engine.begin() as conn:
        return briefings.briefing_for(
            conn, ctx.rt, staff_no=user.staff_no, role=user.role, now=ctx.clock.now()
        )


router = APIRouter()
router.include_router(api)
