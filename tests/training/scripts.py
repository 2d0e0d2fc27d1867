"""A scripted trainee: the training office's steps as a trainee takes them, at the office's time,
and the right handling of every shipped scenario (what scores full marks)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from cases.casework import actions, intake
from cases.repeat import contacts
from cases.runtime import Runtime
from cases.supervision import extensions
from cases.training import office, runner
from cases.training.people import intake_body, people_of
from cases.training.scenarios import scenario
from conftest import TZ, at
from workflow.calendar import local_date

#: The real time under the training office's clock in these tests (a working-day morning).
REAL_NOW = at("2026-11-02 09:30")


class Trainee:
    """One run, driven step by step as the trainee would through the pages."""

    def __init__(self, engine: Engine, rt: Runtime, name: str, trainee: str = "JF03") -> None:
        self.engine, self.rt, self.trainee = engine, rt, trainee
        self.sc = scenario(name)
        self.run_id = runner.new_run(
            engine, rt, scenario_name=name, trainee=trainee, real_now=REAL_NOW
        )
        seeded = runner.run_view(engine, rt, run_id=self.run_id)["seeded"]
        #: The case the trainee works: the seeded one, until they register one.
        self.case_no: str | None = seeded[0] if seeded else None

    @property
    def now(self) -> datetime:
        """The training office's time."""
        return office.office_now(self.engine, REAL_NOW)

    def body(self, **overrides: Any) -> dict[str, Any]:
        """The intake body of what the petitioner said, with the trainee's choices."""
        return {**intake_body(self.sc, self.run_id), **overrides}

    def register(self, **overrides: Any) -> str:
        """Register the matter as a new case (the trainee owns it)."""
        with self.engine.begin() as conn:
            case = intake.intake(
                conn,
                self.rt,
                body=self.body(**overrides),
                actor_staff_no=self.trainee,
                now=self.now,
            )
        self.case_no = case["case_no"]
        return self.case_no

    def register_group(self, **overrides: Any) -> str:
        """Register a group visit with the people the group elected as representatives."""
        reps = [
            {k: p[k] for k in ("name", "id_number", "phone")}
            for p in people_of(self.sc, self.run_id)
        ]
        return self.register(representatives=reps, **overrides)

    def act(
        self, action: str, payload: dict[str, Any] | None = None, by: str | None = None
    ) -> None:
        """Take a step on the run's case."""
        with self.engine.begin() as conn:
            actions.act(
                conn,
                self.rt,
                case_no=self.case_no,
                action=action,
                actor_staff_no=by or self.trainee,
                payload=payload or {},
                now=self.now,
            )

    def record_repeat(self) -> None:
        """Record the visit as a repeat petition on the earlier case (记为重复访)."""
        with self.engine.begin() as conn:
            contacts.record_repeat(
                conn,
                self.rt,
                case_no=self.case_no,
                body=self.body(category="appeal"),
                actor_staff_no=self.trainee,
                now=self.now,
            )

    def request_extension(self, days: int, reason: str) -> None:
        """Ask the supervisor to extend the handling period."""
        with self.engine.begin() as conn:
            extensions.request_extension(
                conn,
                self.rt,
                case_no=self.case_no,
                actor_staff_no=self.trainee,
                days=days,
                reason=reason,
                now=self.now,
            )

    def next_turn(self) -> None:
        """The next turn of the script (the clock jumps, the sweeper acts)."""
        runner.play_turn(self.engine, self.rt, run_id=self.run_id, real_now=REAL_NOW)

    def finish(self) -> dict[str, Any]:
        """Score the run."""
        return runner.finish(self.engine, self.rt, run_id=self.run_id, real_now=REAL_NOW)


def _repeat_visitor(t: Trainee) -> None:
    t.record_repeat()
    t.act("note", {"text": "安抚信访人，联系供热公司督促整改"})
    t.next_turn()
    t.act("note", {"text": "电话回复信访人：正在整改"})
    t.next_turn()
    t.act("reply", {"outcome": "support", "opinion": "供热公司已完成整改，室温达标。"})


def _group_visit(t: Trainee) -> None:
    t.register_group(category="appeal", group_size=12)
    t.act("accept")
    t.next_turn()
    t.next_turn()
    t.act("reply", {"outcome": "support", "opinion": "区政府已补发补偿款差额。"})


def _accusation(t: Trainee) -> None:
    t.register(category="accusation", accused={"name": "", "unit": "某区住建局"})
    t.act("transfer", {"organ": "南京市纪委监委"})
    t.next_turn()
    t.act("record_partner_acceptance", {"accepted_on": local_date(t.now, TZ).isoformat()})
    t.next_turn()


def _litigation(t: Trainee) -> None:
    t.register(category="appeal")
    t.next_turn()
    t.act("reject", {"reason_code": "litigation"}, by="JF02")
    t.next_turn()


def _extension(t: Trainee) -> None:
    t.request_extension(30, "需委托测绘机构实地测绘")
    t.act("note", {"text": "已委托测绘，告知信访人"})
    t.next_turn()
    t.next_turn()
    t.act("reply", {"outcome": "explain", "opinion": "经测绘，界址清楚，予以解释说明。"})


def _review(t: Trainee) -> None:
    t.act("request_review")
    t.next_turn()
    t.act("reply_review", {"opinion": "经复查，应计入该期间工龄，重新核定养老金。"})
    t.next_turn()


#: The right handling of each shipped scenario.
RIGHT: dict[str, Callable[[Trainee], None]] = {
    "repeat_visitor": _repeat_visitor,
    "group_visit": _group_visit,
    "accusation": _accusation,
    "litigation": _litigation,
    "extension": _extension,
    "review": _review,
}
