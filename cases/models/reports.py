"""What the reports read: the daily briefing's run log and the statistics' covering indexes.

Each measure of the statistics reads one of these indexes alone (PostgreSQL: an index-only scan;
SQLite: a covering index), never the wide case or event rows, and none of them is joined to
another table. The partial ones hold only the rows a measure counts, so the many writes of other
steps pay nothing for them. Migrations 0004, 0005 and 0006 create them.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from cases.models.case import Case, CaseClock, CaseEvent
from cases.models.types import UTCDateTime

case_t = Case.__table__
event_t = CaseEvent.__table__
clock_t = CaseClock.__table__


class BriefingRun(SQLModel, table=True):
    """The day a daily briefing (每日例会) was produced, so the background task makes it once."""

    __tablename__ = "briefing_run"

    day: date = Field(primary_key=True)
    ran_at: datetime = Field(sa_type=UTCDateTime)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


#: The intakes of a date range with every column the statistics group or count them by.
ix_case_report = Index(
    "ix_case_report",
    case_t.c.received_at,
    case_t.c.owner_id,
    case_t.c.category,
    case_t.c.channel,
    case_t.c.region_code,
    case_t.c.group_size,
    case_t.c.skip_level,
    case_t.c.repeat_of_id,
)
#: The ratings of a date range, likewise.
ix_case_rated = Index(
    "ix_case_report_rated",
    case_t.c.rated_at,
    case_t.c.rating,
    case_t.c.owner_id,
    case_t.c.category,
    case_t.c.channel,
    case_t.c.region_code,
)
#: The acceptance decisions of a date range, whether each was in time, and the case's dimensions.
ix_case_decided = Index(
    "ix_case_report_decided",
    case_t.c.decided_at,
    case_t.c.owner_id,
    case_t.c.category,
    case_t.c.channel,
    case_t.c.region_code,
    case_t.c.decided_on_time,
    postgresql_where=case_t.c.decided_at.is_not(None),
    sqlite_where=case_t.c.decided_at.is_not(None),
)
#: The replies of a date range, whether each was in time and whether the case has been rated.
ix_case_replied = Index(
    "ix_case_report_replied",
    case_t.c.replied_at,
    case_t.c.owner_id,
    case_t.c.category,
    case_t.c.channel,
    case_t.c.region_code,
    case_t.c.replied_on_time,
    case_t.c.rating,
    postgresql_where=case_t.c.replied_at.is_not(None),
    sqlite_where=case_t.c.replied_at.is_not(None),
)
#: The tracking notes that stopped a tracking clock, by who made them and whether in time.
ix_event_tracking = Index(
    "ix_case_event_tracking",
    event_t.c.at,
    event_t.c.actor_staff_no,
    event_t.c.on_time,
    postgresql_where=event_t.c.on_time.is_not(None),
    sqlite_where=event_t.c.on_time.is_not(None),
)
#: The cases whose acceptance deadline falls on a day (应受理件), whether and when decided in time.
ix_case_acceptance_due = Index(
    "ix_case_report_acceptance_due",
    case_t.c.acceptance_due,
    case_t.c.owner_id,
    case_t.c.category,
    case_t.c.channel,
    case_t.c.region_code,
    case_t.c.decided_at,
    case_t.c.decided_on_time,
    postgresql_where=case_t.c.acceptance_due.is_not(None),
    sqlite_where=case_t.c.acceptance_due.is_not(None),
)
#: The cases whose handling deadline falls on a day (应办结件), whether and when replied in time.
ix_case_handling_due = Index(
    "ix_case_report_handling_due",
    case_t.c.handling_due,
    case_t.c.owner_id,
    case_t.c.category,
    case_t.c.channel,
    case_t.c.region_code,
    case_t.c.replied_at,
    case_t.c.replied_on_time,
    postgresql_where=case_t.c.handling_due.is_not(None),
    sqlite_where=case_t.c.handling_due.is_not(None),
)
#: The active clocks (running, or paused by a hearing): the cases overdue now (reports/overdue.py).
ix_clock_active = Index(
    "ix_case_clock_active",
    clock_t.c.case_id,
    clock_t.c.name,
    clock_t.c.status,
    clock_t.c.due_date,
    clock_t.c.level,
    postgresql_where=clock_t.c.status.in_(["running", "paused"]),
    sqlite_where=clock_t.c.status.in_(["running", "paused"]),
)
REPORT_INDEXES = (
    ix_clock_active,
    ix_case_acceptance_due,
    ix_case_handling_due,
    ix_case_report,
    ix_case_rated,
    ix_case_decided,
    ix_case_replied,
    ix_event_tracking,
)
