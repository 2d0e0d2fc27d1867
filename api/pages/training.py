"""The training office's pages (模拟情境演练), mounted only when the app serves it: the trainer's
list of runs and scores, a run's brief and turns, its debrief (and PDF), and the outbox that
never leaves the office."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from api.deps import Ctx, Form, PageStaff, User, form_str
from api.pages.common import redirect, render
from api.pages.reports import download
from api.security import add_flash
from cases.notify.messages import message_text
from cases.reports import pdf
from cases.store.tables import outbox_t, staff_t
from cases.training import runner
from cases.training.scenarios import all_scenarios
from workflow.errors import DomainError, PermissionDenied
from workflow.lifecycle import INTAKE_ROLES
from workflow.training.scoring import DEADLINE_LABELS

router = APIRouter(include_in_schema=False)

#: Who sees every run and may start one for anyone: the trainers.
TRAINERS = frozenset({"supervisor", "leader"})


def _may_see(user: User, trainee: str) -> None:
    if user.role not in TRAINERS and user.staff_no != trainee:
        raise PermissionDenied("training.not_yours", "只能查看本人的演练", role=user.role)


@router.get("/training")
def runs_page(request: Request, ctx: Ctx, user: PageStaff) -> Response:
    """The runs and their scores (a trainee sees their own), and a form to start one."""
    runs = runner.list_runs(ctx.engine)
    if user.role not in TRAINERS:
        runs = [r for r in runs if r["trainee"] == user.staff_no]
    with ctx.engine.connect() as conn:
        trainees = conn.execute(
            select(staff_t.c.staff_no, staff_t.c.name)
            .where(staff_t.c.role.in_(sorted(INTAKE_ROLES)), staff_t.c.active.is_(True))
            .order_by(staff_t.c.staff_no)
        ).all()
    if user.role not in TRAINERS:
        trainees = [t for t in trainees if t.staff_no == user.staff_no]
    return render(
        request,
        "training.html",
        user=user,
        runs=runs,
        scenarios=list(all_scenarios().values()),
        trainees=trainees,
        trainer=user.role in TRAINERS,
    )


@router.post("/training/runs")
def start_run(request: Request, ctx: Ctx, user: PageStaff, form: Form) -> Response:
    """Start a run of a scenario (a trainer for anyone, a trainee for themself)."""
    trainee = form_str(form, "trainee") or user.staff_no
    _may_see(user, trainee)
    try:
        run_id = runner.new_run(
            ctx.engine,
            ctx.rt,
            scenario_name=form_str(form, "scenario"),
            trainee=trainee,
            real_now=ctx.clock.now(),
        )
    except DomainError as exc:
        add_flash(request.session, exc.message, "error")
        return redirect("/training")
    return redirect(f"/training/runs/{run_id}")


def _view(ctx: Any, user: User, run_id: int) -> dict[str, Any]:
    view = runner.run_view(ctx.engine, ctx.rt, run_id=run_id)
    _may_see(user, view["trainee"])
    return view


@router.get("/training/runs/{run_id}")
def run_page(request: Request, ctx: Ctx, user: PageStaff, run_id: int) -> Response:
    """A run: the opening, what the petitioner says and brings, the turns so far, its cases, and
    the debrief once scored."""
    view = _view(ctx, user, run_id)
    return render(
        request,
        "training_run.html",
        user=user,
        run=view,
        now=ctx.clock.now(),
        deadline_labels=DEADLINE_LABELS,
    )


@router.post("/training/runs/{run_id}/next")
def next_turn(request: Request, ctx: Ctx, user: PageStaff, run_id: int, form: Form) -> Response:
    """Play the next turn: the clock jumps, the sweeper acts, the petitioner speaks."""
    _view(ctx, user, run_id)
    try:
        turn = runner.play_turn(ctx.engine, ctx.rt, run_id=run_id, real_now=ctx.clock.now())
    except DomainError as exc:
        add_flash(request.session, exc.message, "error")
    else:
        add_flash(request.session, f"演练时间前进{turn['after_days']}日，期限已重新扫描", "info")
    return redirect(f"/training/runs/{run_id}")


@router.post("/training/runs/{run_id}/finish")
def finish_run(request: Request, ctx: Ctx, user: PageStaff, run_id: int, form: Form) -> Response:
    """End the run and score it from its audit trail."""
    _view(ctx, user, run_id)
    runner.finish(ctx.engine, ctx.rt, run_id=run_id, real_now=ctx.clock.now())
    return redirect(f"/training/runs/{run_id}#debrief")


@router.get("/training/runs/{run_id}/debrief.pdf")
def debrief_pdf(request: Request, ctx: Ctx, user: PageStaff, run_id: int) -> Response:
    """The debrief as a PDF (WeasyPrint, the CJK font), for the trainer to print."""
    view = _view(ctx, user, run_id)
    html = ctx.templates.get_template("training_debrief.html").render(
        run=view, deadline_labels=DEADLINE_LABELS
    )
    return download(pdf.from_html(html), "pdf", f"演练讲评-{run_id}.pdf", inline=True)


@router.get("/training/outbox")
def outbox_page(request: Request, ctx: Ctx, user: PageStaff) -> Response:
    """Every notification the training office made: none is delivered, the trainer reads them."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(outbox_t).order_by(outbox_t.c.id.desc()).limit(200)).all()
    messages = [{"row": r, "text": message_text(r.topic, r.payload or {}, r.case_no)} for r in rows]
    return render(request, "training_outbox.html", user=user, messages=messages)
