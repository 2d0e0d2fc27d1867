"""The case JSON of contract.md, as one viewer may see it: 条例第三十条第三款 and the read scope
(``workflow.read_scope``) applied here."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from cases.runtime import Runtime
from cases.store.tables import case_t
from workflow import lifecycle, read_scope, sla, standing
from workflow.calendar import OfficialCalendar, local_date
from workflow.confidentiality import HIDDEN, hidden_from
from workflow.lifecycle import STATE_LABELS, Actor, CaseFacts
from workflow.periods import JOINT_LEAD_CLOCK, PERIODS

#: The package's calendar, for a rendering without a connection (no clocks, or no office schedule).
DEFAULT_CALENDAR = OfficialCalendar()


def case_facts(record: Any, clocks: Sequence[sla.Clock], now: datetime, tz: Any) -> CaseFacts:
    """What the lifecycle's guards read of a case and its clocks."""
    running = [c for c in clocks if c.status == "running" and PERIODS[c.name].kind == "petitioner"]
    return CaseFacts(
        state=record.state,
        owner_staff_no=record.owner_staff_no,
        now=now,
        extended=record.extended,
        hearing_open=record.hearing_open,
        rated=record.rating is not None,
        window_due={c.name: c.due_at for c in running},
        window_dates={c.name: (c.start_on, c.due_date) for c in running},
        received_on=local_date(record.received_at, tz),
        transferred_on=record.transferred_on,
        partner_accepted=record.partner_accepted,
        joint_lead_open=any(c.name == JOINT_LEAD_CLOCK and c.active for c in clocks),
    )


def render_clock(clock: sla.Clock, ctx: sla.Context, now: datetime) -> dict[str, Any]:
    """A clock as contract.md's JSON, with where it stands now (``workflow.standing``).

    ``level`` is the level now: the one fired by the sweeper or reached since its last pass.
    """
    tz = ctx.tz
    at = standing.clock_standing(clock, now, ctx)
    return {
        "name": clock.name,
        "label": PERIODS[clock.name].label,
        "article": PERIODS[clock.name].article,
        "due_date": clock.due_date.isoformat(),
        "due_at": clock.due_at.astimezone(tz).isoformat(),
        "provisional": clock.provisional,
        "reckoning": clock.reckoning,
        "status": clock.status,
        "level": at.level if clock.active else clock.level,
        **at.as_dict(),
        "counted": at.counts,
        "started_at": clock.started_at.astimezone(tz).isoformat(),
        "stopped_at": clock.stopped_at.astimezone(tz).isoformat() if clock.stopped_at else None,
    }


def render(
    record: Any,
    clocks: Sequence[sla.Clock],
    *,
    viewer: Actor | None,
    now: datetime,
    rt: Runtime,
    ctx: sla.Context | None = None,
    viewer_unit: str | None = None,
    repeat_of: str | None = None,
) -> dict[str, Any]:
    """The case JSON of contract.md, as this viewer may see it, each clock with its standing.

    ``ctx`` is the reckoning context (``rt.ctx(conn)``); without it the package calendar is used.
    """
    tz = rt.tz
    ctx = ctx or sla.Context(calendar=DEFAULT_CALENDAR, tz=tz, policy=rt.policy)
    hidden = hidden_from(viewer, viewer_unit, record)
    petitioner = (
        {"name": HIDDEN, "id_number_masked": None, "phone_masked": None, "confidential": True}
        if hidden
        else {
            "name": record.p_name,
            "id_number_masked": record.p_id_masked,
            "phone_masked": record.p_phone_masked,
        }
    )
    facts = case_facts(record, clocks, now, tz)
    out = {
        "case_no": record.case_no,
        "state": record.state,
        "state_label": STATE_LABELS[record.state],
        "category": record.category,
        "channel": record.channel,
        # The accused unit sees neither the accuser nor what they are accused of (第三十条第三款).
        "subject": HIDDEN if hidden else record.subject,
        "content": None if hidden else record.content,
        "requests": None if hidden else record.requests,
        "region_code": record.region_code,
        "owner": {"staff_no": record.owner_staff_no, "name": record.owner_name},
        "petitioner": petitioner,
        "received_at": record.received_at.astimezone(tz).isoformat(),
        "clocks": [render_clock(c, ctx, now) for c in clocks],
        "allowed_actions": lifecycle.allowed_actions(facts, viewer) if viewer else [],
        "flags": {
            "repeat_of": repeat_of,
            "skip_level": record.skip_level,
            "group_size": record.group_size,
            "confidential": record.confidential,
        },
        "outcome": record.outcome,
        "rating": record.rating,
        "extended": record.extended,
        "details": {} if hidden else record.details or {},
        "version": record.version,
        "scope": "full",
    }
    # A receptionist reads another's case only as its routing summary (workflow/read_scope.py).
    if not read_scope.reads_in_full(viewer, record.owner_staff_no, record.state):
        return read_scope.summary(out)
    return out


def repeat_of_no(conn: Connection, record: Any) -> str | None:
    """The case number of the case this one repeats, if any."""
    if record.repeat_of_id is None:
        return None
    return conn.execute(select(case_t.c.case_no).where(case_t.c.id == record.repeat_of_id)).scalar()
