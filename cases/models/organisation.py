"""The office, its party organisation (branch → group → member) and its staff."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary
from sqlmodel import Field, SQLModel

from cases.models.types import UTCDateTime


class Office(SQLModel, table=True):
    """The office itself: its name, level, jurisdiction and policy."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    level: str = "province"  # national · province · city · county
    region_code: str = "320000"
    policy: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class PartyBranch(SQLModel, table=True):
    """A party branch (党支部); its secretary is the staff member whose post says so."""

    __tablename__ = "party_branch"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)


class PartyGroup(SQLModel, table=True):
    """A party group (党小组) within a branch; its leader is the member whose post says so."""

    __tablename__ = "party_group"
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="party_branch.id", index=True)
    name: str = Field(unique=True)


class Staff(SQLModel, table=True):
    """A staff member: public 工号, name, role, party group, pledge and photo."""

    id: int | None = Field(default=None, primary_key=True)
    staff_no: str = Field(unique=True, max_length=32)
    name: str = Field(max_length=50)
    role: str = Field(max_length=20)
    group_id: int | None = Field(default=None, foreign_key="party_group.id", index=True)
    unit: str | None = Field(default=None, max_length=200)
    # The party post that puts this person on the escalation ladder (domain.md).
    post: str | None = Field(
        default=None, max_length=20
    )  # group_leader · branch_secretary · office_leader
    pledge: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=50)
    party_member: bool = True
    photo: bytes | None = Field(default=None, sa_type=LargeBinary)
    photo_type: str | None = None
    password_hash: str | None = None
    email: str | None = None
    active: bool = True
    # Set by an admin's reset: the next sign-in must choose a new password before anything else.
    must_change_password: bool = False
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
