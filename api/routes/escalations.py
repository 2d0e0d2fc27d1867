"""The supervisor queue: one row per case, by level and lateness, its clocks and escalations inside;
签收, 督办单, and the follow-up of a 不满意 rating. Each POST is one unit of work
(``cases.supervision``)."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Query, Request, Response

from api.deps import (
    SIGNED_IN,
    WITH_BODY,
    ApiEscalations,
    ApiWorker,
    AppContext,
    Ctx,
    Id,
    enum_param,
    problems,
)
from api.schemas.supervision import (
    AckIn,
    Escalation,
    EscalationCounts,
    FollowedUp,
    FollowupIn,
    Notice,
    NoticeIn,
)
from cases.db import reader
from cases.store.retry import in_transaction
from cases.supervision import acks, followups, notices
from cases.supervision import queue as escalation_queue
from workflow.lifecycle import CATEGORY_LABELS
from workflow.periods import LEVELS
from workflow.standing import COUNTED_CLOCKS

router = APIRouter(prefix="/api/v1", tags=["escalations"])

Status = Annotated[
    str,
    enum_param(
        escalation_queue.QUEUE_STATUSES,
        "open · acknowledged · active（待签收和已签收）· superseded · resolved · all",
    ),
    Query(),
]
Level = Annotated[
    str | None, enum_param(LEVELS, "warning · overdue · supervision · flagged"), Query()
]
Group = Annotated[str | None, Query(description="首接责任人所在党小组")]
Owner = Annotated[str | None, Query(description="首接责任人工号")]
Clock = Annotated[str | None, enum_param(COUNTED_CLOCKS, "期限，如 acceptance"), Query()]
Category = Annotated[
    str | None, enum_param(CATEGORY_LABELS, "suggestion · accusation · appeal"), Query()
]
Region = Annotated[
    str | None,
    Query(description="地区（6位行政区划代码；320100 含其下各区县，320000 含全省）"),
]
Sort = Annotated[
    str,
    enum_param(
        escalation_queue.SORTS, "level · overdue · owner · group · clock · category · region"
    ),
    Query(),
]


@router.get(
    "/escalations",
    summary="督办队列：每件信访事项一行（按级别、超期时间排序）",
    response_model=list[Escalation],
    responses=problems(*SIGNED_IN, 422),
)
def list_escalations(
    ctx: Ctx,
    user: ApiEscalations,
    status: Status = "open",
    level: Level = None,
    group: Group = None,
    owner: Owner = None,
    clock: Clock = None,
    category: Category = None,
    region: Region = None,
    sort: Sort = "level",
    limit: Annotated[int, Query(ge=1, le=500, description="每页行数")] = 100,
    after: Annotated[
        str | None, Query(max_length=400, description="下一页：上一页 Link 头 rel=next 中的位置")
    ] = None,
    *,
    request: Request,
    response: Response,
) -> list[dict[str, Any]]:
    """One row per case with an escalation in ``status`` (``open``, ``active``: also a level the
    sweeper has yet to record): where the case stands, its owner, its clocks with their escalations
    and notices. The highest level first, then the longest overdue (or as ``sort`` says); ``limit``
    rows a page, the next page's address in the ``Link`` header (rel="next")."""
    with reader(ctx.engine).begin() as conn:
        items, _, next_after = escalation_queue.queue_page(
            conn,
            ctx.rt,
            now=ctx.clock.now(),
            status=status,
            level=level,
            group=group,
            owner=owner,
            clock=clock,
            category=category,
            region=region,
            sort=sort,
            limit=limit,
            after=after,
            viewer_staff_no=user.staff_no,
        )
    if next_after:
        query = {k: v for k, v in request.query_params.items() if k != "after"}
        link = f"{request.url.path}?{urlencode({**query, 'after': next_after})}"
        response.headers["Link"] = f'<{link}>; rel="next"'
    return items


@router.get(
    "/escalations/counts",
    summary="督办队列各级别的信访事项数",
    response_model=EscalationCounts,
    responses=problems(*SIGNED_IN, 422),
)
def escalation_counts(
    ctx: Ctx,
    user: ApiEscalations,
    status: Status = "active",
    group: Group = None,
    owner: Owner = None,
    clock: Clock = None,
    category: Category = None,
    region: Region = None,
) -> dict[str, int]:
    """How many cases the list shows at each level (and in all), under the same filters."""
    with reader(ctx.engine).begin() as conn:
        _, counts = escalation_queue.queue_items(
            conn,
            ctx.rt,
            now=ctx.clock.now(),
            status=status,
            group=group,
            owner=owner,
            clock=clock,
            category=category,
            region=region,
        )
    return {**counts, "total": sum(counts.values())}


def queue_row(ctx: AppContext, escalation_id: int) -> dict[str, Any]:
    """The queue's row of the case an escalation is on, with every escalation it had."""
    with reader(ctx.engine).begin() as conn:
        return escalation_queue.escalation_row(
            conn, ctx.rt, escalation_id=escalation_id, now=ctx.clock.now()
        )


@router.post(
    "/escalations/{escalation_id}/acknowledge",
    summary="签收督办事项",
    response_model=Escalation,
    responses=problems(*SIGNED_IN, *WITH_BODY, 404, 409),
)
def acknowledge_api(
    ctx: Ctx, user: ApiWorker, escalation_id: Id, body: Annotated[AckIn | None, Body()] = None
) -> dict[str, Any]:
    """Acknowledge an open escalation; returns its case's queue row (every escalation it had)."""
    in_transaction(
        ctx.engine,
        lambda conn: acks.acknowledge(
            conn,
            ctx.rt,
            escalation_id=escalation_id,
            actor_staff_no=user.staff_no,
            now=ctx.clock.now(),
            note=body.note if body else "",
        ),
    )
    return queue_row(ctx, escalation_id)


@router.post(
    "/escalations/{escalation_id}/notices",
    status_code=201,
    summary="下达督办单",
    response_model=Notice,
    responses=problems(*SIGNED_IN, *WITH_BODY, 404, 409),
)
def notice_api(ctx: Ctx, user: ApiWorker, escalation_id: Id, body: NoticeIn) -> dict[str, Any]:
    """Issue a 督办单 on an escalation; the owner must answer by ``reply_by``."""
    return in_transaction(
        ctx.engine,
        lambda conn: notices.issue_notice(
            conn,
            ctx.rt,
            escalation_id=escalation_id,
            actor_staff_no=user.staff_no,
            reply_by=body.reply_by,
            text=body.text,
            now=ctx.clock.now(),
        ),
    )


@router.post(
    "/cases/{case_no}/dissatisfaction-followup",
    status_code=201,
    summary="登记不满意评价的跟进",
    response_model=FollowedUp,
    responses=problems(*SIGNED_IN, *WITH_BODY, 404, 409),
)
def followup_api(ctx: Ctx, user: ApiWorker, case_no: str, body: FollowupIn) -> dict[str, Any]:
    """Record that a 不满意 rating was followed up."""
    in_transaction(
        ctx.engine,
        lambda conn: followups.record_followup(
            conn,
            ctx.rt,
            case_no=case_no,
            actor_staff_no=user.staff_no,
            note=body.note,
            now=ctx.clock.now(),
        ),
    )
    return {"case_no": case_no, "followed_up": True}
