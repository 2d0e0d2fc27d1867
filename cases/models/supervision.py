"""The supervisor queue's tables: escalations fired on clocks, acknowledgements, 督办单, extension
requests and 不满意 follow-ups."""

from datetime import date, datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from cases.models.types import UTCDateTime


class Escalation(SQLModel, table=True):
    """A level of the ladder fired on a clock: once per clock and level, by constraint."""

    __table_args__ = (UniqueConstraint("clock_id", "level", name="uq_escalation_clock_level"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    clock_id: int = Field(foreign_key="case_clock.id")
    level: str = Field(max_length=16)
    fired_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    recipients: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default="open", max_length=16, index=True)  # open · acknowledged · resolved
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EscalationAck(SQLModel, table=True):
    """Who acknowledged (签收) an escalation in the queue, and when."""

    __tablename__ = "escalation_ack"

    escalation_id: int = Field(foreign_key="escalation.id", primary_key=True)
    staff_no: str = Field(max_length=32)
    at: datetime = Field(sa_type=UTCDateTime)
    note: str = ""


class SupervisionNotice(SQLModel, table=True):
    """A supervision notice (督办单) on a late clock: the owner must answer it by ``reply_by``."""

    __tablename__ = "supervision_notice"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id", index=True)
    clock_id: int | None = Field(default=None, foreign_key="case_clock.id")
    level: str = Field(max_length=16)  # the escalation level it was issued at
    issued_by: str = Field(max_length=32)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    to_staff_no: str = Field(max_length=32, index=True)
    text: str
    reply_by: date
    due_at: datetime = Field(sa_type=UTCDateTime)
    # The sweeper's index: set while unanswered and not yet escalated, cleared after.
    next_fire_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by: str | None = Field(default=None, max_length=32)
    answer: str | None = None


class NoticeEscalation(SQLModel, table=True):
    """An unanswered notice passed to the next post up: once per notice, by its primary key."""

    __tablename__ = "notice_escalation"

    notice_id: int = Field(foreign_key="supervision_notice.id", primary_key=True)
    level: str = Field(max_length=16)
    recipients: list[str] = Field(default_factory=list, sa_type=JSON)
    fired_at: datetime = Field(sa_type=UTCDateTime)


class ExtensionRequest(SQLModel, table=True):
    """An owner's request to extend the handling period (延期), decided by a supervisor."""

    __tablename__ = "extension_request"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    requested_by: str = Field(max_length=32)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    days: int
    reason: str
    status: str = Field(
        default="pending", max_length=16, index=True
    )  # pending · approved · refused
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = None


class RatingFollowup(SQLModel, table=True):
    """A supervisor's record that a 不满意 rating was followed up (one per case: a case is rated once)."""

    __tablename__ = "rating_followup"

    case_id: int = Field(foreign_key="case.id", primary_key=True)
    staff_no: str = Field(max_length=32)
    at: datetime = Field(sa_type=UTCDateTime)
    note: str
