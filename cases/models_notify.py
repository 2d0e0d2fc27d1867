"""Tables for the supervisor queue, supervision notices, extension requests and notification delivery.

Importing this module registers the tables on ``SQLModel.metadata`` (``cases.models`` imports it).
The outbox of ``cases.models`` is what an action writes; ``delivery`` is one row per outbox message
and channel (email, webhook, text message), which the worker in ``cases.delivery`` retries until it
is sent or has failed for good. The in-app inbox is the outbox itself: a message is in its
recipient's inbox from the moment its cause commits.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from cases.models import Outbox, UTCDateTime


class Delivery(SQLModel, table=True):
    """One outbox message on one external channel: retried with back-off, never dropped."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("outbox_id", "channel", name="uq_delivery_outbox_channel"),
        # The worker reads what is pending and due; failed rows stay for the admins to see.
        Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id")
    channel: str = Field(max_length=16)  # email · webhook · sms
    status: str = Field(default="pending", max_length=16)  # pending · sent · failed
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """Whether a staff member wants a channel; no row means the channel's default."""

    __tablename__ = "notification_preference"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    channel: str = Field(max_length=16, primary_key=True)
    enabled: bool = True


class StaffContact(SQLModel, table=True):
    """A staff member's mobile number for text messages, encrypted like the petitioners'."""

    __tablename__ = "staff_contact"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    phone_enc: str | None = None
    phone_masked: str | None = Field(default=None, max_length=20)
    updated_at: datetime = Field(sa_type=UTCDateTime)


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


class BriefingRun(SQLModel, table=True):
    """The day a daily briefing (每日例会) was produced, so the background task makes it once."""

    __tablename__ = "briefing_run"

    day: date = Field(primary_key=True)
    ran_at: datetime = Field(sa_type=UTCDateTime)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


# Every page shows the unread count; this index answers it without reading the recipient's messages.
ix_outbox_recipient_read = Index(
    "ix_outbox_recipient_read_at",
    Outbox.__table__.c.recipient_staff_no,
    Outbox.__table__.c.read_at,
)
