"""The hot topics' words (研判分析), stored once per case when it is registered.

``cases.text.topic_words`` reads a subject with jieba (about 0.4 ms a subject): done at every
statistics call over every distinct subject of two periods, that grew with the office (11 s for the
first call at 100 000 cases of mostly distinct subjects). Here it is done once, at intake, in the
intake's transaction, and a period's words are counted from ``ix_case_topic_received_word`` alone.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, case, exists, func, select

from cases import text
from cases.models import CaseTopic
from cases.store import fastsql
from cases.store.tables import case_t

topic_t = CaseTopic.__table__
#: Stored for a subject with no topic word: the case has been read (statistics skip it).
NONE = ""


def topic_rows(case_id: int, subject: str, received_at: datetime) -> list[dict[str, object]]:
    """The ``case_topic`` rows of one case: its subject's words, or one empty word."""
    words = [w[:32] for w in text.topic_words(subject or "")] or [NONE]
    return [
        {"case_id": case_id, "word": w, "received_at": received_at} for w in dict.fromkeys(words)
    ]


def store_topics(conn: Connection, case_id: int, subject: str, received_at: datetime) -> None:
    """Write the topic words of a case just registered (in the intake's transaction)."""
    fastsql.insert_rows(conn, topic_t, topic_rows(case_id, subject, received_at))


def backfill_topics(conn: Connection, *, limit: int = 1000) -> int:
    """Store the words of up to ``limit`` cases registered before topics were stored (the newest
    first); a maintenance pass, not a request's: it may read every case to find them."""
    missing = conn.execute(
        select(case_t.c.id, case_t.c.subject, case_t.c.received_at)
        .where(~exists().where(topic_t.c.case_id == case_t.c.id))
        .order_by(case_t.c.id.desc())
        .limit(limit)
    ).all()
    for r in missing:
        store_topics(conn, r.id, r.subject, r.received_at)
    return len(missing)


def topic_counts(
    conn: Connection, window: Sequence[datetime], cur: datetime
) -> list[tuple[str, int, int]]:
    """(word, cases now, cases before) for every topic word of the two periods, the current one
    starting at ``cur`` (an index-only read of ix_case_topic_received_word)."""
    t = topic_t.c
    now_flag = case((t.received_at >= cur, 1), else_=0)
    rows = conn.execute(
        select(t.word, func.sum(now_flag), func.count())
        .where(t.received_at >= window[0], t.received_at < window[1], t.word != NONE)
        .group_by(t.word)
    )
    return [(r[0], int(r[1] or 0), int(r[2]) - int(r[1] or 0)) for r in rows]
