"""An unanswered 督办单 climbs: once to the next post up, whatever the number of sweepers."""

import threading
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cases.models import NoticeEscalation
from cases.runtime import Runtime
from cases.supervision import notice_sweep
from cases.supervision.sweeper import sweep
from conftest import at
from tests.supervision.helpers import (
    audit_intact,
    create,
    events,
    late_case,
    messages,
    queue_json,
    row_of,
)
from tests.web import NOW, bearer, client


def test_an_unanswered_notice_goes_up_one_post_once(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = late_case(app, c, "overdue")
    sweep(engine, rt, now=NOW)
    esc = row_of(queue_json(app, c), no)["id"]
    # Issued by the group leader on an 超期 clock: unanswered, it goes to the branch secretary.
    r = c.post(
        f"/api/v1/escalations/{esc}/notices",
        json={"reply_by": "2026-11-27", "text": "请于明日答复"},
        headers=bearer(app, "G001"),
    )
    notice_id = r.json()["id"]

    assert sweep(engine, rt, now=at("2026-11-27 23:59"))["notices"]["escalated"] == 0
    # Two sweepers at once, after the reply date: it climbs once.
    results: list[dict[str, Any]] = []
    later = at("2026-11-28 09:00")
    threads = [
        threading.Thread(
            target=lambda: results.append(notice_sweep.sweep_notices(engine, rt, later))
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["escalated"] for r in results) == 1
    assert sweep(engine, rt, now=at("2026-12-01 09:00"))["notices"]["escalated"] == 0
    with engine.begin() as conn:
        climbed = conn.execute(select(NoticeEscalation.__table__)).all()
    assert [(e.notice_id, e.level, e.recipients) for e in climbed] == [
        (notice_id, "supervision", ["B001"])
    ]
    assert len(messages(engine, "B001", "notice_overdue")) == 1
    assert len(messages(engine, "A001", "notice_overdue")) == 1  # the owner is reminded
    assert [e["action"] for e in events(engine, rt, no)].count("notice_escalated") == 1

    # The notice can still be answered, late; the issuer and the secretary are both told.
    late_app = create(engine, rt, later)
    lc = client(late_app)
    r = lc.post(
        f"/api/v1/notices/{notice_id}/answer",
        json={"answer": "已受理"},
        headers=bearer(late_app, "A001"),
    )
    assert r.status_code == 200 and r.json()["late"] is True
    assert messages(engine, "B001", "notice_answered")[0].payload["late"] is True
    assert len(messages(engine, "G001", "notice_answered")) == 1
    audit_intact(engine, rt)


def test_a_notice_from_the_branch_secretary_goes_to_the_office_leader(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = late_case(app, c, "supervision")
    sweep(engine, rt, now=NOW)
    esc = row_of(queue_json(app, c, staff_no="B001"), no)["id"]
    c.post(
        f"/api/v1/escalations/{esc}/notices",
        json={"reply_by": "2026-11-26", "text": "今日答复"},
        headers=bearer(app, "B001"),
    )
    notice_sweep.sweep_notices(engine, rt, at("2026-11-27 08:00"))
    with engine.begin() as conn:
        climbed = conn.execute(select(NoticeEscalation.__table__)).one()
    # 督办 is the branch secretary's own level: the next post up is the office leader.
    assert (climbed.level, climbed.recipients) == ("flagged", ["L001"])
