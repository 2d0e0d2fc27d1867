"""Sign-in sessions and API tokens held in the database, throttling counts, and the office's own
audit log of administrative changes (admin_event, HMAC-chained like the case events)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from cases.models.types import UTCDateTime


class AuthSession(SQLModel, table=True):
    """A page session (``kind`` "web") or an API token ("api"): only the SHA-256 of the random
    secret the client holds is stored, so a copy of the table opens nothing."""

    __tablename__ = "auth_session"
    id: int | None = Field(default=None, primary_key=True)
    secret_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=8)  # web · api
    staff_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = Field(default=None, max_length=40)
    client: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=200)


class Throttle(SQLModel, table=True):
    """Failed attempts of one key (sign-in per account and client, per client; /track likewise),
    shared by every worker; ``blocked_until`` is the progressive delay, not a lock of the account."""

    __tablename__ = "throttle"
    key: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    last_failure_at: datetime = Field(sa_type=UTCDateTime)
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AdminEvent(SQLModel, table=True):
    """One administrative change of the office (accounts, organisation, jurisdiction), chained by
    an HMAC over its content and its predecessor's hash; ``shoujie audit verify`` walks it."""

    __tablename__ = "admin_event"
    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor_staff_no: str = Field(max_length=32)
    action: str = Field(max_length=40)
    subject: str = Field(default="", max_length=100)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # Per staff member, the digest of their authority after this change (cases/audit_state.py).
    state_digest: dict[str, str] | None = Field(default=None, sa_type=JSON)


class AdminChainHead(SQLModel, table=True):
    """The admin chain's last event, one row moved with every event: deleting the newest events
    leaves the head pointing past them, and locking it serialises two changes made at once."""

    __tablename__ = "admin_chain_head"
    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)
