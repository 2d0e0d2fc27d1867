"""What the reports read: the daily briefing's run log and the statistics' covering indexes.

Each measure of the statistics reads one of these indexes alone (PostgreSQL: an index-only scan;
SQLite: a covering index), never the wide case or event rows, and none of them is joined to
another table. The partial ones hold only the rows a measure counts, so the many writes of other
steps pay nothing for them. Migrations 0004, 0005 and 0006 create them.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, text
from sqlmodel import Field, SQLModel

from cases.models.case import Case, CaseClock, CaseEvent
from cases.models.types import UTCDateTime
from workflow.lifecycle import OPEN_STATES

case_t = Case.__table__
event_t = CaseEvent.__table__
clock_t = CaseClock.__table__


class CaseTopic(SQLModel, table=True):
    """A topic word of a case's subject (研判分析's hot topics), computed once at intake.

    A subject with no topic word stores one row with the empty word, so a case with a row has been
    read and is never read again (the statistics skip the empty word).
    """

    __tablename__ = "case_topic"
    __table_args__ = (
        # The statistics' hot topics: the words of the cases received in a period, counted from
        # this index alone (hotspots.topic_counts: WHERE received_at in the window GROUP BY word).
        Index("ix_case_topic_received_word", "received_at", "word"),
    )

    case_id: int = Field(foreign_key="case.id", primary_key=True)
    word: str = Field(max_length=32, primary_key=True)
    received_at: datetime = Field(sa_type=UTCDateTime)


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
#: A desk's open cases (desk.desk: owner_id = ? AND state IN the open states ORDER BY
#: received_at): the owner's few open cases, never the thousands they have closed.
ix_case_open_owner = Index(
    "ix_case_open_owner",
    case_t.c.owner_id,
    case_t.c.received_at,
    postgresql_where=case_t.c.state.in_(OPEN_STATES),
    sqlite_where=case_t.c.state.in_(OPEN_STATES),
)
#: My cases, newest first (search.search_cases with an owner: owner_id = ? ORDER BY received_at
#: DESC, id DESC LIMIT 100): the page's rows read from the index's end, in order.
ix_case_owner_received = Index(
    "ix_case_owner_received",
    case_t.c.owner_id,
    case_t.c.received_at,
    case_t.c.id,
)
#: The case list, newest first (search.search_cases: ORDER BY received_at DESC, id DESC LIMIT 100).
ix_case_received_id = Index("ix_case_received_id", case_t.c.received_at, case_t.c.id)
#: ix_case_clock_active's condition, verbatim, for the queries it serves: SQLite uses a partial
#: index only for a query that repeats its WHERE (bound parameters in its place would not).
ACTIVE_CLOCK = text("case_clock.status IN ('running', 'paused')")
REPORT_INDEXES = (
    ix_case_open_owner,
    ix_case_owner_received,
    ix_case_received_id,
    ix_clock_active,
    ix_case_acceptance_due,
    ix_case_handling_due,
    ix_case_report,
    ix_case_rated,
    ix_case_decided,
    ix_case_replied,
    ix_event_tracking,
)
