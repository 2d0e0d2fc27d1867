"""Tables for repeat, skip-level and group petitions: contacts on a case and the matter keywords.

``case_contact`` records a visit, call or letter about a matter that already has a case (重复访) and
the office going to the site of a group visit (下移接待): no second acceptance, the first receiver
stays responsible. ``case_keyword`` is the inverted index that finds similar matters of other
petitioners without scanning the case table: one row per (case, jieba keyword), with the case's
region and receipt time copied in so one index range answers "recent matters with this word in this
region".
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from cases.models.case import CaseRepresentative
from cases.models.types import UTCDateTime


class CaseContact(SQLModel, table=True):
    """A later contact on an existing case: a repeat petition (重复访) or an on-site reception."""

    __tablename__ = "case_contact"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    kind: str = Field(max_length=16)  # repeat · on_site
    channel: str = Field(max_length=16)
    actor_staff_no: str = Field(max_length=32)
    summary: str = ""
    # The person as they gave themselves this time (a new row: phone or address may have changed).
    petitioner_id: int | None = Field(default=None, foreign_key="petitioner.id", index=True)
    on_site: bool = False
    group_size: int = 1
    skip_level: bool = False
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class CaseKeyword(SQLModel, table=True):
    """One jieba keyword of a case's matter, with its weight, region and receipt time."""

    __tablename__ = "case_keyword"
    __table_args__ = (
        # case_id last: the postings of a term in a region, newest first, come from the index alone.
        Index(
            "ix_case_keyword_term_region_received", "term", "region_code", "received_at", "case_id"
        ),
        # SQLite keeps the rows in primary-key order: one case's keywords sit together.
        {"sqlite_with_rowid": False},
    )

    case_id: int = Field(foreign_key="case.id", primary_key=True)
    term: str = Field(max_length=32, primary_key=True)
    weight: float
    region_code: str = Field(max_length=6)
    received_at: datetime = Field(sa_type=UTCDateTime)


# A representative's earlier group visits are found by person: the table's primary key starts
# with case_id, so without this index that look-up would scan every representative.
ix_case_representative_petitioner = Index(
    "ix_case_representative_petitioner_id", CaseRepresentative.__table__.c.petitioner_id
)
