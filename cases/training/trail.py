"""A run's audit trail as the scoring reads it: the run's cases, their events and their clocks.

A run's cases are those the scenario seeded and those registered for its petitioner (found by
the blind index of the identity numbers the run gave out, or by the petitioner's name on a case
the trainee registered during the run).
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from cases.runtime import Runtime
from cases.store.tables import (
    case_t,
    clock_t,
    event_t,
    petitioner_t,
    representative_t,
    staff_t,
)
from cases.training.people import people_of
from workflow.training.scenario import Scenario
from workflow.training.scoring import Trail, TrailCase, TrailClock, TrailEvent


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def run_case_ids(conn: Connection, rt: Runtime, run: Any, sc: Scenario) -> list[int]:
    """The ids of the run's cases, oldest first."""
    people = people_of(sc, run.id)
    indexes = [rt.cipher.blind_index(p["id_number"]) for p in people]
    persons = select(petitioner_t.c.id).where(petitioner_t.c.id_number_index.in_(indexes))
    lead = sc.petitioner["name"]
    trainee_id = select(staff_t.c.id).where(staff_t.c.staff_no == run.trainee).scalar_subquery()
    # A trainee who took no identity number: the petitioner's name, on a case they registered
    # during the run (a number, when given, decides).
    named = select(petitioner_t.c.id).where(
        petitioner_t.c.name == lead, petitioner_t.c.id_number_index.is_(None)
    )
    stmt = (
        select(case_t.c.id)
        .where(
            or_(
                case_t.c.case_no.in_(list(run.seeded or [])),
                case_t.c.petitioner_id.in_(persons),
                case_t.c.id.in_(
                    select(representative_t.c.case_id).where(
                        representative_t.c.petitioner_id.in_(persons)
                    )
                ),
                (case_t.c.petitioner_id.in_(named))
                & (case_t.c.owner_id == trainee_id)
                & (case_t.c.created_at >= run.started_at),
            )
        )
        .order_by(case_t.c.id)
    )
    return list(conn.execute(stmt).scalars())


def load_trail(conn: Connection, rt: Runtime, run: Any, sc: Scenario, now: datetime) -> Trail:
    """The run's trail as of ``now``."""
    ids = run_case_ids(conn, rt, run, sc)
    cases = []
    reps = dict(
        conn.execute(
            select(representative_t.c.case_id, func.count())
            .where(representative_t.c.case_id.in_(ids))
            .group_by(representative_t.c.case_id)
        ).all()
    )
    for row in conn.execute(
        select(case_t, staff_t.c.staff_no.label("owner_no"))
        .join(staff_t, staff_t.c.id == case_t.c.owner_id)
        .where(case_t.c.id.in_(ids))
        .order_by(case_t.c.id)
    ):
        events = tuple(
            TrailEvent(e.action, e.actor_staff_no, _utc(e.at), dict(e.payload or {}))
            for e in conn.execute(
                select(event_t).where(event_t.c.case_id == row.id).order_by(event_t.c.seq)
            )
        )
        clocks = tuple(
            TrailClock(c.name, _utc(c.due_at), c.status, _utc(c.stopped_at))
            for c in conn.execute(
                select(clock_t).where(clock_t.c.case_id == row.id).order_by(clock_t.c.id)
            )
        )
        registered_by = next((e.actor for e in events if e.action == "intake"), row.owner_no)
        cases.append(
            TrailCase(
                case_no=row.case_no,
                seeded=row.case_no in (run.seeded or []),
                owner=row.owner_no,
                registered_by=registered_by,
                category=row.category,
                confidential=bool(row.confidential),
                accused_unit=row.accused_unit,
                group_size=row.group_size,
                representatives=reps.get(row.id, 0),
                events=events,
                clocks=clocks,
            )
        )
    return Trail(trainee=run.trainee, started=_utc(run.started_at), now=now, cases=tuple(cases))
