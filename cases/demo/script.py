"""The case scripts' runner: every step of every demo case, in time order, through the service layer."""

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from cases.casework import actions, intake
from cases.demo.petitioners import intake_body
from cases.demo.records import DemoCase, Office, Step
from cases.demo.schedule import instant, working_on_or_before
from cases.repeat import contacts
from cases.runtime import Runtime
from workflow.calendar import OfficialCalendar, local_date

#: The seed of the petitioners' made-up identity numbers and phones: the same demo every time.
SEED = 20190601


def play(
    conn: Connection,
    rt: Runtime,
    cal: OfficialCalendar,
    office: Office,
    timeline: list[tuple[datetime, DemoCase, Step]],
) -> None:
    """Take every step at its instant: ``intake.intake`` for the intake, ``contacts.record_repeat``
    when the petitioner comes back about the same matter, ``actions.act`` for the rest."""
    tz = rt.tz
    rng = random.Random(SEED)
    case_nos: dict[str, str] = {}
    bodies: dict[str, dict[str, Any]] = {}
    # The local date each action was first taken on, per case: relative dates count from them.
    dates: dict[str, dict[str, date]] = {}
    for when, case, step in timeline:
        today = local_date(when, tz)
        if step.action == "intake":
            received = when
            if case.channel == "letter":  # the post came in the afternoon before
                received = instant(
                    working_on_or_before(today - timedelta(days=1), cal), "16:30", tz
                )
            bodies[case.key] = intake_body(case, rng, received, rt.regions(conn))
            result = intake.intake(
                conn,
                rt,
                body=bodies[case.key],
                actor_staff_no=step.by,
                now=when,
                handled_below=case.handled_below,
            )
            case_nos[case.key] = result["case_no"]
            dates[case.key] = {}
        elif step.action == "repeat_contact":
            contacts.record_repeat(
                conn,
                rt,
                case_no=case_nos[case.key],
                body={**bodies[case.key], "received_at": when.isoformat()},
                actor_staff_no=step.by,
                now=when,
                summary=str(step.payload.get("summary", "")),
                handled_below=case.handled_below,
            )
        else:
            actions.act(
                conn,
                rt,
                case_no=case_nos[case.key],
                action=step.action,
                actor_staff_no=step.by,
                payload=step.resolved(today, dates[case.key]),
                now=when,
            )
        dates[case.key].setdefault(step.action, today)
