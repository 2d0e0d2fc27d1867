"""Column types shared by the tables: aware UTC instants on both backends."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator, TypeEngine


class SQLiteUTCText(sqlite.DATETIME):
    """SQLite's DATETIME text of a naive UTC datetime, written by ``isoformat``: the same text as
    SQLAlchemy's default storage format (``2026-11-05 02:00:00.000000``), in a third of the time
    (every hot statement binds a few of them)."""

    def bind_processor(self, dialect: Any) -> Any:
        """Naive datetime → ``YYYY-MM-DD HH:MM:SS.ffffff``."""

        def process(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat(" ", "microseconds")

        return process


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite's naive values come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> TypeEngine[Any]:
        """SQLite stores the text ``SQLiteUTCText`` writes; other databases the impl's type."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(SQLiteUTCText())
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Refuse naive datetimes and store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times must be aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
