"""The hot topics' words: read once at intake and stored, counted by the statistics from the table
(never from the subjects at every call); older cases get theirs from the maintenance pass."""

from datetime import timedelta

from sqlalchemy import Engine, select

from cases.casework import intake
from cases.repeat import topics
from cases.runtime import Runtime
from tests.factories import intake_body, make_office
from tests.repeat.helpers import EARLIER


def test_topic_words_are_stored_at_intake_counted_by_period_and_backfilled(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    t = topics.topic_t
    with engine.begin() as conn:
        intake.intake(
            conn,
            rt,
            body=intake_body(subject="某公司欠薪三个月"),
            actor_staff_no="A001",
            now=EARLIER,
        )
        later = EARLIER + timedelta(days=40)
        intake.intake(
            conn,
            rt,
            body=intake_body(
                subject="讨薪无果",
                received_at=later.isoformat(),
                petitioner={"name": "李梅", "phone": "025-83456789", "address": "鼓楼区"},
            ),
            actor_staff_no="A001",
            now=later,
        )
        # 欠薪 and 讨薪 are one topic, 拖欠工资, stored with each case.
        words = conn.execute(select(t.c.word)).scalars().all()
        assert words.count("拖欠工资") == 2
        # Counted per period from the stored rows: one before the later case's period, one in it.
        counts = topics.topic_counts(
            conn, (EARLIER - timedelta(days=1), later + timedelta(days=1)), later
        )
        assert ("拖欠工资", 1, 1) in counts
        # A case without its rows (registered before they were stored) gets them from the pass,
        # once: a case whose subject has no topic word keeps an empty one, so it is not read again.
        conn.execute(t.delete())
        assert topics.backfill_topics(conn) == 2
        assert topics.backfill_topics(conn) == 0
        assert conn.execute(select(t.c.word)).scalars().all().count("拖欠工资") == 2
