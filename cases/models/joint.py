"""联合会办's tables: the organs of a joint handling with their parts, the meeting records, and the
disputes over who accepts (条例第二十四条). Each organ's part is timed by a ``case_clock`` row."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from cases.models.types import UTCDateTime


class JointOrgan(SQLModel, table=True):
    """One organ of a joint handling: lead (牵头单位) or co-organ (配合单位), its task and its part."""

    __tablename__ = "joint_organ"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    position: int  # the order named: 0 is the lead as first set up
    role: str = Field(max_length=8)  # lead · co
    organ: str = Field(max_length=100, index=True)
    task: str
    days: int
    unit: str = Field(max_length=10)
    # The part's period and last day live on its clock (recomputed when a year's schedule loads).
    clock_id: int = Field(foreign_key="case_clock.id", unique=True)
    set_up_at: datetime = Field(sa_type=UTCDateTime, index=True)
    set_up_by: str = Field(max_length=32)
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reported_by: str | None = Field(default=None, max_length=32)
    report: str | None = None
    on_time: bool | None = None


class JointMeeting(SQLModel, table=True):
    """A joint meeting record (会办记录)."""

    __tablename__ = "joint_meeting"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    held_on: date
    place: str = Field(max_length=200)
    attendees: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    agreed: str
    commitments: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    recorded_by: str = Field(max_length=32)
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class JointDispute(SQLModel, table=True):
    """A dispute over which organ accepts the matter, and the common superior's decision."""

    __tablename__ = "joint_dispute"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    organs: list[str] = Field(default_factory=list, sa_type=JSON)
    claims: str
    recorded_by: str = Field(max_length=32)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    accepting_organ: str | None = Field(default=None, max_length=100)
    reason: str | None = None
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
