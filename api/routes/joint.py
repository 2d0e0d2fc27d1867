"""联合会办 on the JSON API (条例第二十四条): set up, meeting records, organs' reports, disputes."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body

from api.deps import (
    SIGNED_IN,
    WITH_BODY,
    ApiActor,
    ApiReader,
    ApiWorker,
    Ctx,
    Id,
    problems,
    rule_checked,
)
from api.schemas.joint import (
    Joint,
    JointDecisionIn,
    JointDisputeIn,
    JointMeetingIn,
    JointReportIn,
    JointSetupIn,
)
from cases.db import reader
from cases.joint import steps, view
from cases.store.retry import in_transaction

router = APIRouter(prefix="/api/v1", tags=["joint"])

SetupBody = Annotated[dict[str, Any] | None, rule_checked(JointSetupIn), Body()]
MeetingBody = Annotated[dict[str, Any] | None, rule_checked(JointMeetingIn), Body()]
ReportBody = Annotated[dict[str, Any] | None, rule_checked(JointReportIn), Body()]
DisputeBody = Annotated[dict[str, Any] | None, rule_checked(JointDisputeIn), Body()]
DecisionBody = Annotated[dict[str, Any] | None, rule_checked(JointDecisionIn), Body()]
STEP_ERRORS = problems(
    *SIGNED_IN, *WITH_BODY, 404, 409, s409="当前不能登记（未设立联合会办、已结束或已登记过）"
)


def _step(ctx: Any, fn: Callable[..., dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return in_transaction(ctx.engine, lambda conn: fn(conn, ctx.rt, now=ctx.clock.now(), **kw))


@router.get(
    "/cases/{case_no}/joint",
    summary="联合会办情况",
    response_model=Joint,
    responses=problems(*SIGNED_IN, 404, 422),
)
def joint_api(ctx: Ctx, user: ApiReader, case_no: str) -> dict[str, Any]:
    """The organs with their parts and lateness, the meeting records and the disputes."""
    with reader(ctx.engine).begin() as conn:
        return view.show(
            conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=ctx.clock.now()
        )


@router.post(
    "/cases/{case_no}/joint",
    status_code=201,
    summary="设立联合会办（督办、领导）",
    response_model=Joint,
    responses=STEP_ERRORS,
)
def joint_setup_api(
    ctx: Ctx, user: ApiWorker, case_no: str, body: SetupBody = None
) -> dict[str, Any]:
    """Name the lead organ and the co-organs, each with its task and period; each part a clock."""
    return _step(ctx, steps.set_up, case_no=case_no, actor_staff_no=user.staff_no, payload=body)


@router.post(
    "/cases/{case_no}/joint/meetings",
    status_code=201,
    summary="登记会办记录",
    response_model=Joint,
    responses=STEP_ERRORS,
)
def joint_meeting_api(
    ctx: Ctx, user: ApiActor, case_no: str, body: MeetingBody = None
) -> dict[str, Any]:
    """Record a joint meeting: date, place, attendees by organ, agreed, commitments."""
    return _step(
        ctx, steps.record_meeting, case_no=case_no, actor_staff_no=user.staff_no, payload=body
    )


@router.post(
    "/cases/{case_no}/joint/reports",
    summary="登记会办单位办理结果",
    response_model=Joint,
    responses=STEP_ERRORS,
)
def joint_report_api(
    ctx: Ctx, user: ApiActor, case_no: str, body: ReportBody = None
) -> dict[str, Any]:
    """Record an organ's report; its part's clock stops. The lead's report frees the reply."""
    return _step(
        ctx, steps.record_report, case_no=case_no, actor_staff_no=user.staff_no, payload=body
    )


@router.post(
    "/cases/{case_no}/joint/disputes",
    status_code=201,
    summary="登记受理争议",
    response_model=Joint,
    responses=STEP_ERRORS,
)
def joint_dispute_api(
    ctx: Ctx, user: ApiActor, case_no: str, body: DisputeBody = None
) -> dict[str, Any]:
    """Record that organs dispute which of them accepts the matter."""
    return _step(
        ctx, steps.record_dispute, case_no=case_no, actor_staff_no=user.staff_no, payload=body
    )


@router.post(
    "/cases/{case_no}/joint/disputes/{dispute_id}/decision",
    summary="决定受理机关（督办、领导）",
    response_model=Joint,
    responses=STEP_ERRORS,
)
def joint_decision_api(
    ctx: Ctx, user: ApiWorker, case_no: str, dispute_id: Id, body: DecisionBody = None
) -> dict[str, Any]:
    """The common superior's decision (条例第二十四条): the accepting organ, which then leads."""
    return _step(
        ctx,
        steps.decide_dispute,
        case_no=case_no,
        actor_staff_no=user.staff_no,
        dispute_id=dispute_id,
        payload=body,
    )
