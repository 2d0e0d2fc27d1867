"""联合会办's pages (条例第二十四条): set up the organs, record a meeting, an organ's report, a
dispute over who accepts and its decision. Plain forms, post/redirect/get with a flash message."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from api.deps import AppContext, Ctx, Form, PageActor, PageReader, PageWorker, form_str
from api.pages.common import case_url, render, run_form
from cases.casework import reading
from cases.joint import steps, view
from workflow import joint

router = APIRouter(include_in_schema=False)

#: Blank co-organ rows on the set-up form (more through the API or the command line).
CO_ROWS = 4


def _url(case_no: str) -> str:
    return case_url(case_no) + "/joint"


@router.get("/cases/{case_no}/joint")
def joint_page(request: Request, ctx: Ctx, user: PageReader, case_no: str) -> Response:
    """The joint handling of a case with its forms (or the set-up form, for a case without one)."""
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        case = reading.show(conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=now)
        data = view.show(conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=now)
    return render(
        request,
        "joint.html",
        user=user,
        case=case,
        j=data,
        co_rows=range(1, CO_ROWS + 1),
        may_set_up=user.role in joint.DECIDING_ROLES and case["state"] in joint.SETUP_STATES,
        may_decide=user.role in joint.DECIDING_ROLES,
        may_record=user.role in joint.RECORDING_ROLES or user.staff_no == case["owner"]["staff_no"],
        open_organs=[o["organ"] for o in data["organs"] if not o["reported_at"]],
    )


def _post(
    request: Request,
    ctx: AppContext,
    case_no: str,
    form: FormData,
    staff_no: str,
    done: str,
    step: Callable[..., Any],
    payload: dict[str, Any],
    **extra: Any,
) -> Response:
    """Run one joint-handling step (``cases.joint.steps``) for the form, as its one transaction."""

    def work(conn: Any) -> Any:
        return step(
            conn,
            ctx.rt,
            case_no=case_no,
            actor_staff_no=staff_no,
            payload=payload,
            now=ctx.clock.now(),
            **extra,
        )

    return run_form(request, ctx, _url(case_no), done, work, form=form, staff_no=staff_no)


def _part(form: FormData, prefix: str) -> dict[str, Any] | None:
    organ = form_str(form, f"{prefix}_organ")
    task = form_str(form, f"{prefix}_task")
    days = form_str(form, f"{prefix}_days")
    if not (organ or task or days):
        return None  # a blank row
    return {
        "organ": organ,
        "task": task,
        "days": days,
        "working": form_str(form, f"{prefix}_working") == "1",
    }


@router.post("/cases/{case_no}/joint")
def joint_setup(request: Request, ctx: Ctx, user: PageWorker, case_no: str, form: Form) -> Response:
    """设立联合会办."""
    payload = {
        "lead": _part(form, "lead") or {},
        "co_organs": [p for i in range(1, CO_ROWS + 1) if (p := _part(form, f"co{i}"))],
    }
    return _post(
        request,
        ctx,
        case_no,
        form,
        user.staff_no,
        "已设立联合会办，各单位办理期限开始计算",
        steps.set_up,
        payload,
    )


@router.post("/cases/{case_no}/joint/meetings")
def joint_meeting(
    request: Request, ctx: Ctx, user: PageActor, case_no: str, form: Form
) -> Response:
    """登记会办记录: one row of people and one commitment per organ."""
    organs = form.getlist("organ")
    people = form.getlist("people")
    promised = form.getlist("commitment")
    payload = {
        "held_on": form_str(form, "held_on"),
        "place": form_str(form, "place"),
        "agreed": form_str(form, "agreed"),
        "attendees": [
            {"organ": str(o), "people": str(p)} for o, p in zip(organs, people, strict=False)
        ],
        "commitments": [
            {"organ": str(o), "commitment": str(c)} for o, c in zip(organs, promised, strict=False)
        ],
    }
    return _post(
        request,
        ctx,
        case_no,
        form,
        user.staff_no,
        "已登记会办记录",
        steps.record_meeting,
        payload,
    )


@router.post("/cases/{case_no}/joint/reports")
def joint_report(request: Request, ctx: Ctx, user: PageActor, case_no: str, form: Form) -> Response:
    """登记会办单位办理结果."""
    payload = {"organ": form_str(form, "organ"), "summary": form_str(form, "summary")}
    return _post(
        request,
        ctx,
        case_no,
        form,
        user.staff_no,
        f"已登记「{payload['organ']}」的办理结果",
        steps.record_report,
        payload,
    )


@router.post("/cases/{case_no}/joint/disputes")
def joint_dispute(
    request: Request, ctx: Ctx, user: PageActor, case_no: str, form: Form
) -> Response:
    """登记受理争议."""
    payload = {
        "organs": [str(o) for o in form.getlist("organs")],
        "claims": form_str(form, "claims"),
    }
    return _post(
        request,
        ctx,
        case_no,
        form,
        user.staff_no,
        "已登记受理争议，待督办决定受理机关",
        steps.record_dispute,
        payload,
    )


@router.post("/cases/{case_no}/joint/disputes/{dispute_id}/decision")
def joint_decision(
    request: Request, ctx: Ctx, user: PageWorker, case_no: str, dispute_id: int, form: Form
) -> Response:
    """决定受理机关 (the common superior's decision)."""
    payload = {
        "accepting_organ": form_str(form, "accepting_organ"),
        "reason": form_str(form, "reason"),
    }
    return _post(
        request,
        ctx,
        case_no,
        form,
        user.staff_no,
        f"已决定由「{payload['accepting_organ']}」受理并牵头办理",
        steps.decide_dispute,
        payload,
        dispute_id=dispute_id,
    )
