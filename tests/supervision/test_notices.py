"""签收 and 督办单 from the queue: acknowledging once, issuing a notice with its reply date, the owner
answering it, who may do which, and the queue row following the notice's status."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cases.models import SupervisionNotice
from cases.runtime import Runtime
from cases.supervision.sweeper import sweep
from tests.supervision.helpers import (
    audit_intact,
    create,
    events,
    late_case,
    messages,
    queue_json,
    row_of,
)
from tests.web import NOW, bearer, client, sign_in


def test_acknowledge_issue_notice_answer_and_the_row_updates(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = late_case(app, c, "overdue")
    sweep(engine, rt, now=NOW)
    row = row_of(queue_json(app, c, status="open"), no)
    assert row["status"] == "open" and row["notice"] is None

    # 签收 over the API: recorded on the case, and only once.
    r = c.post(f"/api/v1/escalations/{row['id']}/acknowledge", headers=bearer(app, "G001"))
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    assert r.json()["acknowledged"]["staff_no"] == "G001"
    again = c.post(f"/api/v1/escalations/{row['id']}/acknowledge", headers=bearer(app, "G001"))
    assert again.status_code == 409
    assert events(engine, rt, no)[-1]["action"] == "escalation_acknowledged"
    # Acknowledged work stays in the supervisors' queue until it is resolved.
    assert row_of(queue_json(app, c, status="active"), no)["status"] == "acknowledged"

    # A 督办单 from the queue page, with its reply-by date.
    token = sign_in(c, "G001")
    r = c.post(
        f"/queue/escalations/{row['id']}/notice",
        data={
            "csrf_token": token,
            "reply_by": "2026-11-30",
            "text": "请报告办理进展",
            "next": "/queue",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/queue"
    page = c.get("/queue").text
    assert "已下达督办单" in page and "待答复" in page and "限2026-11-30前" in page
    # A second notice on the same clock while the first waits is refused.
    r = c.post(
        f"/queue/escalations/{row['id']}/notice",
        data={"csrf_token": token, "reply_by": "2026-11-30", "text": "再次督办"},
    )
    assert "已有未答复的督办单" in c.get("/queue").text

    # The owner is told, sees it on the desk, and answers there.
    told = messages(engine, "A001", "supervision_notice")
    assert len(told) == 1 and told[0].payload["reply_by"] == "2026-11-30"
    owner = client(app)
    token = sign_in(owner, "A001")
    desk = owner.get("/").text
    assert "待答复的督办单" in desk and "请报告办理进展" in desk
    notice_id = row_of(queue_json(app, c), no)["notice"]["id"]
    r = owner.post(
        f"/notices/{notice_id}/answer",
        data={"csrf_token": token, "answer": "已约谈信访人，三日内受理", "next": "/"},
    )
    assert r.status_code == 303
    assert "待答复的督办单" not in owner.get("/").text

    answered = row_of(queue_json(app, c), no)["notice"]
    assert answered["status"] == "answered" and answered["answer"] == "已约谈信访人，三日内受理"
    assert "已约谈信访人，三日内受理" in c.get("/queue").text
    assert [m.payload["answer"] for m in messages(engine, "G001", "notice_answered")] == [
        "已约谈信访人，三日内受理"
    ]
    actions = [e["action"] for e in events(engine, rt, no)]
    assert actions[-3:] == ["escalation_acknowledged", "supervision_notice", "notice_answered"]
    case_page = owner.get(f"/cases/{no}").text
    assert "下达督办单" in case_page and "答复督办单" in case_page
    audit_intact(engine, rt)


def test_only_the_owner_answers_and_only_supervisors_work_the_queue(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = late_case(app, c, "overdue")
    sweep(engine, rt, now=NOW)
    esc = row_of(queue_json(app, c), no)["id"]
    for staff_no in ("A001", "H001", "AD01", "AU01"):
        r = c.post(f"/api/v1/escalations/{esc}/acknowledge", headers=bearer(app, staff_no))
        assert r.status_code == 403, staff_no
    # The auditor reads the queue; a receptionist does not.
    assert c.get("/api/v1/escalations", headers=bearer(app, "AU01")).status_code == 200
    assert c.get("/api/v1/escalations", headers=bearer(app, "A001")).status_code == 403

    r = c.post(
        f"/api/v1/escalations/{esc}/notices",
        json={"reply_by": "2026-11-28", "text": "请说明"},
        headers=bearer(app, "B001"),
    )
    assert r.status_code == 201
    notice_id = r.json()["id"]
    for staff_no in ("A002", "H001", "AU01"):
        r = c.post(
            f"/api/v1/notices/{notice_id}/answer",
            json={"answer": "不是我的"},
            headers=bearer(app, staff_no),
        )
        assert r.status_code == 403, staff_no
    # A refused or malformed request changes nothing: no answer, no event, no message.
    bad = c.post(
        f"/api/v1/escalations/{esc}/notices",
        json={"reply_by": "2026-11-01", "text": "过去的日期"},
        headers=bearer(app, "B001"),
    )
    assert bad.status_code == 422
    with engine.begin() as conn:
        table = SupervisionNotice.__table__
        assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 1
    assert [m.topic for m in messages(engine, "B001")].count("notice_answered") == 0


def test_queue_row_shows_an_overdue_notice(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = late_case(app, c, "overdue")
    sweep(engine, rt, now=NOW)
    esc = row_of(queue_json(app, c), no)["id"]
    c.post(
        f"/api/v1/escalations/{esc}/notices",
        json={"reply_by": "2026-11-26", "text": "今日答复"},
        headers=bearer(app, "G001"),
    )
    later = create(engine, rt, NOW + timedelta(days=1))
    row = row_of(queue_json(later, client(later)), no)
    assert row["notice"]["status"] == "overdue" and row["notice"]["status_label"] == "逾期未答复"


def test_a_reposted_notice_form_issues_one_notice(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    """下达督办单 twice from the same form (a retry, a second tab): one notice, one message."""
    no = late_case(app, c, "overdue")
    sweep(engine, rt, now=NOW)
    row = row_of(queue_json(app, c, status="open"), no)
    token = sign_in(c, "G001")
    page = c.get("/queue").text
    assert 'name="form_token"' in page
    form = {
        "csrf_token": token,
        "form_token": "queue-notice-form-0001",
        "reply_by": "2026-11-30",
        "text": "请报告办理进展",
        "next": "/queue",
    }
    first = c.post(f"/queue/escalations/{row['id']}/notice", data=form)
    assert first.status_code == 303
    assert "已下达督办单" in c.get("/queue").text
    again = c.post(f"/queue/escalations/{row['id']}/notice", data=form)
    assert again.status_code == 303 and again.headers["location"] == "/queue"
    shown = c.get("/queue").text
    assert "该表单已经提交过，未重复办理" in shown and "已有未答复的督办单" not in shown
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(SupervisionNotice)).scalar()
    assert count == 1
    assert len(messages(engine, "A001", "supervision_notice")) == 1
