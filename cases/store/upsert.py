"""Insert-unless-present, the same on SQLite and PostgreSQL."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_ignore(
    conn: Connection, table: Any, values: Mapping[str, Any], index: Sequence[str]
) -> int:
    """Insert a row unless it conflicts on ``index``; return 1 if inserted, 0 if it existed."""
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    key = list(table.primary_key.columns)[0]
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    stmt = (
        maker(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(index))
        .returning(key)
    )
    return len(conn.execute(stmt).all())
