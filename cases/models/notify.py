"""The outbox and its delivery: what an action tells people, and how each message goes out.

An action writes its notifications to ``outbox`` in its own transaction; ``delivery`` is one row per
outbox message and channel (email, webhook, text message), which the worker in ``cases.notify``
retries until it is sent or has failed for good. The in-app inbox is the outbox itself: a message is
in its recipient's inbox from the moment its cause commits.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from cases.models.types import UTCDateTime


class Outbox(SQLModel, table=True):
    """A notification written in the same transaction as its cause, delivered after commit."""

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(unique=True, max_length=200)
    topic: str = Field(max_length=40)
    recipient_staff_no: str = Field(max_length=32, index=True)
    case_no: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


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
    # Held by a worker until then (renewed while it sends); a dead worker's claim runs out.
    leased_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
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


# Every page shows the unread count; this index answers it without reading the recipient's messages.
ix_outbox_recipient_read = Index(
    "ix_outbox_recipient_read_at",
    Outbox.__table__.c.recipient_staff_no,
    Outbox.__table__.c.read_at,
)
