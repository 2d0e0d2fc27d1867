"""Training runs: start one (its opening played, the earlier cases seeded), play the script's
turns (the clock jumps, the sweeper acts, the petitioner speaks), finish and score it.

Every step is one transaction on the training office's database; the sweeper runs after the turn
that moved the clock, as it would in the office.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from cases.casework import actions, intake
from cases.runtime import Runtime
from cases.store.tables import case_t, staff_t
from cases.supervision import extensions
from cases.supervision.sweeper import sweep
from cases.training.office import office_now, run_t
from cases.training.people import intake_body, intake_facts
from cases.training.scenarios import scenario
from cases.training.trail import load_trail, run_case_ids
from workflow.errors import ActionNotAllowed, InvalidInput, NotFound
from workflow.lifecycle import INTAKE_ROLES
from workflow.training.scoring import score

STATUS_LABELS = {"running": "进行中", "finished": "已评分"}


def _run(conn: Any, run_id: int) -> Any:
    row = conn.execute(select(run_t).where(run_t.c.id == run_id)).first()
    if row is None:
        raise NotFound("training.no_run", f"没有编号为 {run_id} 的演练")
    return row


def new_run(
    engine: Engine, rt: Runtime, *, scenario_name: str, trainee: str, real_now: datetime
) -> int:
    """Start a run of a scenario for a trainee (a receptionist or supervisor of the training
    office): the earlier cases it needs are seeded, then the sweeper brings them up to date."""
    sc = scenario(scenario_name)
    now = office_now(engine, real_now)
    with engine.begin() as conn:
        role = conn.execute(select(staff_t.c.role).where(staff_t.c.staff_no == trainee)).scalar()
        if role is None:
            raise NotFound("training.no_trainee", f"演练办公室没有工号为 {trainee} 的工作人员")
        if role not in INTAKE_ROLES:
            raise InvalidInput(
                "training.trainee_role",
                "受训人须为能登记信访事项的接访员或督办人员",
                field="trainee",
            )
        run_id = conn.execute(
            insert(run_t).returning(run_t.c.id),
            {
                "scenario": sc.name,
                "trainee": trainee,
                "started_at": now,
                "sim_now": now,
                "turn": 0,
                "status": "running",
                "seeded": [],
            },
        ).scalar_one()
        seeded = []
        if sc.seed is not None:
            body = {
                **intake_body(sc, run_id),
                **{k: v for k, v in sc.seed.items() if k not in ("days_ago", "steps")},
            }
            at = now - timedelta(days=int(sc.seed.get("days_ago", 0)))
            case = intake.intake(conn, rt, body=body, actor_staff_no=trainee, now=at)
            seeded.append(case["case_no"])
            for step in sc.seed_steps:
                actions.act(
                    conn,
                    rt,
                    case_no=case["case_no"],
                    action=step.action,
                    actor_staff_no=trainee,
                    payload=step.payload,
                    now=now - timedelta(days=step.days_ago),
                )
        conn.execute(update(run_t).where(run_t.c.id == run_id).values(seeded=seeded))
    sweep(engine, rt, now=now)
    return run_id


def play_turn(engine: Engine, rt: Runtime, *, run_id: int, real_now: datetime) -> dict[str, Any]:
    """Play the run's next turn: the office's clock jumps, the scripted supervisor decides what
    the turn says, the sweeper acts. Returns the turn played."""
    with engine.connect() as conn:
        run = _run(conn, run_id)
    sc = scenario(run.scenario)
    if run.status != "running" or run.turn >= len(sc.turns):
        raise ActionNotAllowed("training.no_turn", "本次演练的情节已全部展开，请结束演练并评分")
    turn = sc.turns[run.turn]
    now = office_now(engine, real_now) + timedelta(days=turn.after_days)
    with engine.begin() as conn:
        conn.execute(
            update(run_t).where(run_t.c.id == run_id).values(sim_now=now, turn=run.turn + 1)
        )
        if turn.approve_extensions:
            _approve_extensions(conn, rt, run, sc, now)
    sweep(engine, rt, now=now)
    return {"after_days": turn.after_days, "say": turn.say, "at": now}


def _approve_extensions(conn: Any, rt: Runtime, run: Any, sc: Any, now: datetime) -> None:
    """The office's supervisor approves the run's pending extension requests (the scenario
    trains the request; its approval is the supervisor's, played by the script)."""
    ids = set(run_case_ids(conn, rt, run, sc))
    supervisor = conn.execute(
        select(staff_t.c.staff_no)
        .where(staff_t.c.role == "supervisor", staff_t.c.staff_no != run.trainee)
        .order_by(staff_t.c.staff_no)
        .limit(1)
    ).scalar_one()
    mine = _case_nos(conn, ids)
    for req in extensions.pending_extensions(conn, rt):
        if req["case_no"] in mine:
            extensions.decide_extension(
                conn,
                rt,
                request_id=req["id"],
                actor_staff_no=supervisor,
                approve=True,
                note="",
                now=now,
            )


def _case_nos(conn: Any, ids: set[int]) -> set[str]:
    return set(conn.execute(select(case_t.c.case_no).where(case_t.c.id.in_(ids))).scalars())


def finish(engine: Engine, rt: Runtime, *, run_id: int, real_now: datetime) -> dict[str, Any]:
    """Score the run from its audit trail, keep the score on the run, and return it."""
    now = office_now(engine, real_now)
    with engine.begin() as conn:
        run = _run(conn, run_id)
        sc = scenario(run.scenario)
        result = score(sc, load_trail(conn, rt, run, sc, now)).as_dict()
        conn.execute(
            update(run_t)
            .where(run_t.c.id == run_id)
            .values(status="finished", score=result, finished_at=now)
        )
    return result


def list_runs(engine: Engine) -> list[dict[str, Any]]:
    """Every run, the latest first, with its scenario's title and its score."""
    with engine.connect() as conn:
        rows = conn.execute(select(run_t).order_by(run_t.c.id.desc())).all()
        names = dict(conn.execute(select(staff_t.c.staff_no, staff_t.c.name)).all())
    out = []
    for r in rows:
        sc = scenario(r.scenario)
        out.append(
            {
                "id": r.id,
                "scenario": r.scenario,
                "title": sc.title,
                "trainee": r.trainee,
                "trainee_name": names.get(r.trainee, r.trainee),
                "started_at": r.started_at,
                "status": r.status,
                "status_label": STATUS_LABELS.get(r.status, r.status),
                "points": (r.score or {}).get("points"),
                "max_points": sc.max_points,
                "grade": (r.score or {}).get("grade"),
            }
        )
    return out


def run_view(engine: Engine, rt: Runtime, *, run_id: int) -> dict[str, Any]:
    """A run as its page shows it: the scenario, the petitioner's facts, the turns played so far,
    whether another is to come, the run's cases, and the score once finished."""
    with engine.connect() as conn:
        run = _run(conn, run_id)
        sc = scenario(run.scenario)
        ids = run_case_ids(conn, rt, run, sc)
        case_nos = sorted(_case_nos(conn, set(ids)))
        trainee_name = conn.execute(
            select(staff_t.c.name).where(staff_t.c.staff_no == run.trainee)
        ).scalar()
    return {
        "id": run.id,
        "scenario": sc,
        "trainee": run.trainee,
        "trainee_name": trainee_name or run.trainee,
        "status": run.status,
        "status_label": STATUS_LABELS.get(run.status, run.status),
        "started_at": run.started_at,
        "sim_now": run.sim_now,
        "facts": intake_facts(sc, run.id),
        "turns_played": [t.say for t in sc.turns[: run.turn]],
        "next_turn": sc.turns[run.turn] if run.turn < len(sc.turns) else None,
        "seeded": list(run.seeded or []),
        "case_nos": case_nos,
        "score": run.score,
    }
