"""Steps of notices.feature: the written notices a case was given, their 文号 and their text."""

import hashlib

from pytest_bdd import parsers, then
from sqlalchemy import select

from cases.models import Case, CaseEvent, CaseNotice
from features.conftest import World
from workflow.paper import NOTICE_KINDS

notice_t, case_t, event_t = CaseNotice.__table__, Case.__table__, CaseEvent.__table__
TITLES = {k.title: k.code for k in NOTICE_KINDS.values()}


def _notices(world: World) -> list:
    with world.engine.connect() as conn:
        return conn.execute(
            select(notice_t)
            .join(case_t, case_t.c.id == notice_t.c.case_id)
            .where(case_t.c.case_no == world.case_no)
            .order_by(notice_t.c.id)
        ).all()


@then("该信访事项依次出具了告知文书：")
def notices_in_order(world: World, datatable: list[list[str]]) -> None:
    """| 文书 | 文号 | rows, in the order issued (a header alone: none)."""
    _, *rows = datatable
    got = [(NOTICE_KINDS[n.kind].title, n.doc_no) for n in _notices(world)]
    assert got == [(r[0], r[1]) for r in rows]


@then(parsers.re(r"「(?P<title>[^「」]+)」写明 \"(?P<text>[^\"]+)\""))
def notice_says(world: World, title: str, text: str) -> None:
    found = [n for n in _notices(world) if n.kind == TITLES[title]]
    assert found, f"没有{title}"
    assert text in found[-1].html


@then("每份告知文书的文号和内容摘要都记在该步骤的审计记录上")
def chained(world: World) -> None:
    notices = _notices(world)
    with world.engine.connect() as conn:
        events = {
            e.seq: e.payload
            for e in conn.execute(select(event_t).where(event_t.c.case_id == notices[0].case_id))
        }
    for n in notices:
        recorded = events[n.event_seq]["notice"]
        assert recorded["doc_no"] == n.doc_no
        assert recorded["sha256"] == hashlib.sha256(n.html.encode()).hexdigest()
