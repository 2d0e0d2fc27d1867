"""The paper trail of a case: the written notices it was given (with their 文号) and the
materials attached to it (scans, photos, signed 申请书), kept in the database beside the case so
that backups, transactions and several servers need nothing else."""

from datetime import datetime

from sqlalchemy import Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cases.models.types import UTCDateTime


class NoticeCounter(SQLModel, table=True):
    """Per office and year, the last 文号 issued: taken under the row's lock in the step's
    transaction, so a rolled-back step gives its number back and the numbers have no gaps."""

    __tablename__ = "notice_counter"
    office_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_seq: int = 0


class CaseNotice(SQLModel, table=True):
    """A written notice (告知文书) as issued: its rendered HTML, whose SHA-256 the step's audit
    event carries; the PDF is printed from exactly this text."""

    __tablename__ = "case_notice"
    __table_args__ = (
        UniqueConstraint("office_id", "year", "seq", name="uq_notice_office_year_seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=32)
    office_id: int
    year: int
    seq: int
    doc_no: str = Field(max_length=64)
    event_seq: int
    html: str = Field(sa_type=Text)
    sha256: str = Field(max_length=64)
    issued_at: datetime = Field(sa_type=UTCDateTime)


class CaseAttachment(SQLModel, table=True):
    """A file attached to a case (材料): bytes as stored (images re-encoded), type sniffed from
    them, a preview; staged (no case yet, a token) between the intake form and its check page."""

    __tablename__ = "case_attachment"
    __table_args__ = (Index("ix_case_attachment_staged", "staged_token"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    staged_token: str | None = Field(default=None, max_length=64)
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_type=LargeBinary)
    preview: bytes | None = Field(default=None, sa_type=LargeBinary)
    uploaded_by: str = Field(max_length=32)
    uploaded_at: datetime = Field(sa_type=UTCDateTime)
    event_seq: int | None = None
