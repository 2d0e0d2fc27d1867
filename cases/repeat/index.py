"""The keyword index (``case_keyword``): each case's matter vector, written when it is registered.

Each row is one term of a case's vector (a keyword, or a particular marked ``#``) with its weight,
the case's region and its receipt time, indexed on (term, region, received_at), so the candidates
look-up reads a bounded range of postings per term whatever the number of cases. Every intake
writes its rows (``index_new_case``, called by ``cases.casework.intake``); ``index_backlog`` is the
maintenance pass for cases registered by a path that did not.

This module must not import ``cases.casework.intake`` (which imports it).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, exists, select

from cases.models import CaseKeyword
from cases.repeat.matter import matter_vector
from cases.store import fastsql
from cases.store.tables import case_t

keyword_t = CaseKeyword.__table__


def keyword_rows(
    case_id: int, vector: Mapping[str, float], region_code: str, received_at: datetime
) -> list[dict[str, Any]]:
    """The ``case_keyword`` rows of one case."""
    return [
        {
            "case_id": case_id,
            "term": term[:32],
            "weight": weight,
            "region_code": region_code,
            "received_at": received_at,
        }
        for term, weight in vector.items()
    ]


def index_case(conn: Connection, case_id: int) -> int:
    """(Re)write one case's keywords; returns how many were stored."""
    row = conn.execute(
        select(
            case_t.c.subject,
            case_t.c.content,
            case_t.c.requests,
            case_t.c.region_code,
            case_t.c.received_at,
        ).where(case_t.c.id == case_id)
    ).one()
    conn.execute(delete(keyword_t).where(keyword_t.c.case_id == case_id))
    return index_new_case(
        conn,
        case_id,
        subject=row.subject,
        content=row.content,
        requests=row.requests,
        region_code=row.region_code,
        received_at=row.received_at,
    )


def index_new_case(
    conn: Connection,
    case_id: int,
    *,
    subject: str,
    content: str,
    requests: str,
    region_code: str,
    received_at: datetime,
) -> int:
    """Write the keywords of a case that has none yet (one just registered: its text is known, so
    nothing is read or deleted); returns how many were stored."""
    rows = keyword_rows(
        case_id, matter_vector(subject, content, requests), region_code, received_at
    )
    fastsql.insert_rows(conn, keyword_t, rows)
    return len(rows)


def index_backlog(conn: Connection, *, limit: int = 1000) -> int:
    """Index the newest cases that have no keywords yet (registered by a path that did not index
    them); a maintenance pass, not for the intake path: it may read every case to find them."""
    unindexed = (
        select(case_t.c.id)
        .where(~exists().where(keyword_t.c.case_id == case_t.c.id))
        .order_by(case_t.c.id.desc())
        .limit(limit)
    )
    ids = list(conn.execute(unindexed).scalars())
    for case_id in ids:
        index_case(conn, case_id)
    return len(ids)
