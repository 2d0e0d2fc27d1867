"""Cases and what hangs on them: the petitioner, representatives, events, clocks, numbering.

Times are stored in UTC (``UTCDateTime`` normalises SQLite's naive values at the boundary);
deadlines are indexed columns that the sweeper reads, never timers.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from cases.models.types import UTCDateTime


class Petitioner(SQLModel, table=True):
    """A petitioner; identity and phone numbers are encrypted and found by a keyed blind index."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, index=True)
    id_number_enc: str | None = None
    id_number_index: str | None = Field(default=None, index=True)
    id_number_masked: str | None = None
    phone_enc: str | None = None
    phone_index: str | None = Field(default=None, index=True)
    phone_masked: str | None = None
    address: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)


# The optimistic-lock column lives at module level: as a class attribute pydantic would deep-copy it
# on every instantiation (style.md).
case_version_col = Column("version", Integer, nullable=False, default=1)


class Case(SQLModel, table=True):
    """A petition matter (信访事项)."""

    __tablename__ = "case"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_case_year_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_no: str = Field(unique=True, max_length=16)
    year: int
    seq: int
    state: str = Field(max_length=32, index=True)
    category: str = Field(max_length=16)
    channel: str = Field(max_length=16)
    subject: str
    content: str
    requests: str = ""
    region_code: str = Field(max_length=6, index=True)
    group_size: int = 1
    confidential: bool = False
    accused_name: str | None = None
    accused_unit: str | None = None
    skip_level: bool = False
    repeat_of_id: int | None = Field(default=None, foreign_key="case.id")
    owner_id: int = Field(foreign_key="staff.id", index=True)
    petitioner_id: int = Field(foreign_key="petitioner.id", index=True)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    query_code_hash: str
    extended: bool = False
    hearing_open: bool = False
    partner_accepted: bool = False
    transferred_on: date | None = None
    outcome: str | None = None
    rating: str | None = None
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What the statistics count, written by the step itself (workflow/measures.py): the acceptance
    # decision (受理、不予受理、转送、交办) and the reply (答复、报结), each at most once per case,
    # with whether it met the due date of the clock it stopped.
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_on_time: bool | None = None
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replied_on_time: bool | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    chain_hash: str
    last_event_hash: str
    event_count: int
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=case_version_col)
    # Last, as migration 0006 added them. The local last days the on-time rates count the case by (应受理件, 应办结件), kept by the step
    # that starts, extends or stops the clock (workflow/measures.py ``due_dates``).
    acceptance_due: date | None = None
    handling_due: date | None = None

    __mapper_args__ = {"version_id_col": case_version_col}


class CaseRepresentative(SQLModel, table=True):
    """A representative elected by a group visit (at most 5, 条例第二十条)."""

    __tablename__ = "case_representative"
    case_id: int = Field(foreign_key="case.id", primary_key=True)
    petitioner_id: int = Field(foreign_key="petitioner.id", primary_key=True)


class CaseEvent(SQLModel, table=True):
    """One audited step on a case; hash-chained per case."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_event_case_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    seq: int
    action: str = Field(max_length=40)
    actor_staff_no: str = Field(max_length=32)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    from_state: str | None = None
    to_state: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    public: bool = False
    prev_hash: str
    hash: str
    # A tracking note (跟踪记录) that stopped a running tracking clock: whether it met its due
    # date; None for every other event (cases/reports/stats.py counts these, per staff member).
    on_time: bool | None = None
    # The X-Request-ID of the web request that took the step (None from the sweeper and the CLI).
    request_id: str | None = Field(default=None, max_length=64)
    # Per table, the digest of what the step left (cases/audit_state.py); None before 0014.
    state_digest: dict[str, str] | None = Field(default=None, sa_type=JSON)


class CaseClock(SQLModel, table=True):
    """One run of an SLA clock; ``next_fire_at`` is what the sweeper's index reads."""

    __tablename__ = "case_clock"
    __table_args__ = (Index("ix_case_clock_next_fire_at", "next_fire_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    name: str = Field(max_length=32)
    status: str = Field(max_length=16)
    started_at: datetime = Field(sa_type=UTCDateTime)
    start_on: date
    days: int
    unit: str = Field(max_length=10)
    extra_days: int = 0
    due_date: date = Field(index=True)
    due_at: datetime = Field(sa_type=UTCDateTime)
    provisional: bool = False
    reckoning: str
    level: str | None = None
    paused_on: date | None = None
    fixed_due: bool = False
    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_fire_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CaseCounter(SQLModel, table=True):
    """Per-year case numbering and the head of that year's chain of cases (audit)."""

    __tablename__ = "case_counter"
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_seq: int = 0
    chain_head: str = ""


class IdempotencyKey(SQLModel, table=True):
    """A retried intake with the same key returns the first case instead of making two.

    The row is claimed before the case is registered and completed in the same transaction, so
    ``case_id`` and ``response_enc`` are empty only inside that transaction."""

    __tablename__ = "idempotency_key"
    key: str = Field(primary_key=True, max_length=200)
    staff_id: int = Field(foreign_key="staff.id")
    case_id: int | None = Field(default=None, foreign_key="case.id")
    # The first answer, encrypted: a retry gets the same 查询码 the lost answer carried.
    response_enc: str | None = None
    # The SHA-256 of the body the key was claimed with: the same key with another body is refused.
    body_sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)


class FormToken(SQLModel, table=True):
    """A creating form's one-time token, claimed with what it created: a re-post finds it here."""

    __tablename__ = "form_token"
    token: str = Field(primary_key=True, max_length=64)
    staff_no: str = Field(max_length=32)
    # Where the first post led (its receipt or case page): a re-post is sent there again.
    target: str = Field(default="", max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)
