"""The supervisor queue as supervisors, owners and leaders use it: sorting, filters and counts;
签收, 督办单 and their answers; unanswered notices climbing once; reassigning; extensions; 不满意."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cases.audit import verify
from cases.casework import reading
from cases.models import ExtensionRequest, NoticeEscalation, SupervisionNotice
from cases.runtime import Runtime
from cases.store.tables import outbox_t
from cases.supervision import notice_sweep
from cases.supervision.sweeper import sweep
from conftest import at
from tests.web import NOW, api_act, api_intake, bearer, client, make_web_office, sign_in

#: Received so long ago that, on NOW (2026-11-26), the acceptance clock stands at each level.
RECEIVED = {
    "flagged": "2026-10-08T09:00:00+08:00",
    "supervision": "2026-11-02T09:00:00+08:00",
    "overdue": "2026-11-09T09:00:00+08:00",
    "warning": "2026-11-12T09:00:00+08:00",
}


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    make_web_office(engine)
    return create(engine, rt)


def create(engine: Engine, rt: Runtime, now: Any = NOW) -> Any:
    from api.app import create_app
    from cases.settings import Clock

    return create_app(engine=engine, rt=rt, clock=Clock(now), sweep_interval=0, deliver_interval=0)


@pytest.fixture
def c(app: Any) -> TestClient:
    return client(app)


def late_case(app: Any, c: TestClient, level: str, owner: str = "A001", **overrides: Any) -> str:
    """A case whose acceptance clock reaches ``level`` on NOW (after a sweep)."""
    body = {"received_at": RECEIVED[level], "subject": f"{level}事项", **overrides}
    return api_intake(app, c, owner, **body)["case_no"]


def messages(engine: Engine, recipient: str, topic: str | None = None) -> list[Any]:
    with engine.begin() as conn:
        stmt = select(outbox_t).where(outbox_t.c.recipient_staff_no == recipient)
        if topic:
            stmt = stmt.where(outbox_t.c.topic == topic)
        return list(conn.execute(stmt.order_by(outbox_t.c.id)))


def events(engine: Engine, rt: Runtime, case_no: str) -> list[dict[str, Any]]:
    with engine.begin() as conn:
        return reading.case_events(conn, rt, case_no=case_no, viewer_staff_no="G001")


def queue_json(app: Any, c: TestClient, staff_no: str = "G001", **params: Any) -> list[dict]:
    params.setdefault("status", "active")
    r = c.get("/api/v1/escalations", params=params, headers=bearer(app, staff_no))
    assert r.status_code == 200, r.text
    return r.json()


def row_of(items: list[dict[str, Any]], case_no: str) -> dict[str, Any]:
    return next(i for i in items if i["case_no"] == case_no and i["clock"] == "acceptance")


def audit_intact(engine: Engine, rt: Runtime) -> None:
    with engine.begin() as conn:
        assert verify(conn, rt.audit_key).broken is None


# --- the queue ------------------------------------------------------------------------------------


def test_queue_sorted_by_level_then_lateness_with_filters_and_counts(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    flagged = late_case(app, c, "flagged")
    older = late_case(app, c, "supervision", received_at="2026-10-30T09:00:00+08:00")
    supervision = late_case(app, c, "supervision", owner="A003", category="suggestion")
    overdue = late_case(app, c, "overdue")
    warning = late_case(app, c, "warning", owner="A003")
    sweep(engine, rt, now=NOW)

    items = [i for i in queue_json(app, c, status="active") if i["clock"] == "acceptance"]
    assert [(i["case_no"], i["level"]) for i in items] == [
        (flagged, "flagged"),
        (older, "supervision"),  # the same level: the longer overdue first
        (supervision, "supervision"),
        (overdue, "overdue"),
        (warning, "warning"),
    ]
    first = items[0]
    assert first["owner"] == {"staff_no": "A001", "name": "张敏"}
    assert first["group"] == "第一党小组" and first["clock_label"] == "受理告知期限"
    assert first["days_late"] > 30 and first["due_date"] < "2026-11-26"

    by = {
        "level": ("supervision", {older, supervision}),
        "owner": ("A003", {supervision, warning}),
        "group": ("第二党小组", {supervision, warning}),
        "category": ("suggestion", {supervision}),
        "clock": ("acceptance", {flagged, older, supervision, overdue, warning}),
    }
    for name, (value, expected) in by.items():
        found = {i["case_no"] for i in queue_json(app, c, status="active", **{name: value})}
        assert found == expected, name
    r = c.get("/api/v1/escalations?level=purple", headers=bearer(app, "G001"))
    assert r.status_code == 422 and r.json()["code"] == "escalation.bad_level"

    counts = c.get("/api/v1/escalations/counts", headers=bearer(app, "G001")).json()
    assert counts["flagged"] == 1 and counts["supervision"] == 2 and counts["warning"] >= 1
    assert counts["total"] == sum(
        counts[k] for k in ("warning", "overdue", "supervision", "flagged")
    )

    sign_in(c, "B001")
    page = c.get("/queue").text
    assert page.index(flagged) < page.index(older) < page.index(overdue) < page.index(warning)
    assert '张敏 <span class="muted">（A001）</span>' in page
    assert f'data-level="supervision">{counts["supervision"]}<' in page
    filtered = c.get("/queue", params={"owner": "A003"}).text
    assert supervision in filtered and flagged not in filtered
    # The old address shows the same queue.
    assert flagged in c.get("/escalations").text


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


def test_reassign_from_the_queue_with_a_reason(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = late_case(app, c, "overdue")
    sweep(engine, rt, now=NOW)
    esc = row_of(queue_json(app, c), no)["id"]
    token = sign_in(c, "G001")
    r = c.post(
        f"/queue/escalations/{esc}/reassign",
        data={"csrf_token": token, "to_staff_no": "A001", "reason": "x", "reason_code": "leave"},
    )
    assert "新的首接责任人与原责任人相同" in c.get("/queue").text
    r = c.post(
        f"/queue/escalations/{esc}/reassign",
        data={
            "csrf_token": token,
            "to_staff_no": "A002",
            "reason_code": "leave",
            "reason": "原责任人休假",
        },
    )
    assert r.status_code == 303
    row = row_of(queue_json(app, c), no)
    assert row["owner"]["staff_no"] == "A002"
    assert [m.payload["role"] for m in messages(engine, "A002", "reassigned")] == ["new_owner"]


# --- extensions -----------------------------------------------------------------------------------


def test_owner_requests_an_extension_and_a_supervisor_approves_it(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = api_intake(app, c, "A001")["case_no"]
    before = api_act(app, c, no, "accept", "A001")
    due = next(k["due_date"] for k in before["clocks"] if k["name"] == "handling")

    owner = client(app)
    token = sign_in(owner, "A001")
    page = owner.get(f"/cases/{no}").text
    assert "申请延期" in page and 'action="/cases/' + no + '/extension-request"' in page
    other = client(app)
    other_token = sign_in(other, "A002")
    assert '/extension-request"' not in other.get(f"/cases/{no}").text
    r = other.post(
        f"/cases/{no}/extension-request",
        data={"csrf_token": other_token, "days": "10", "reason": "x"},
    )
    assert r.status_code == 403

    r = owner.post(
        f"/cases/{no}/extension-request",
        data={"csrf_token": token, "days": "40", "reason": "需要调查"},
    )
    assert "延长期限应为1至30日" in owner.get(f"/cases/{no}").text
    owner.post(
        f"/cases/{no}/extension-request",
        data={"csrf_token": token, "days": "15", "reason": "需要实地调查"},
    )
    page = owner.get(f"/cases/{no}").text
    assert "已提交延期申请" in page and "待审批" in page
    assert '/extension-request"' not in page  # one request at a time
    r = c.post(
        f"/api/v1/cases/{no}/extension-requests",
        json={"days": 10, "reason": "再申请"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 409 and r.json()["code"] == "extension.pending"
    assert len(messages(engine, "G001", "extension_requested")) == 1
    assert "1 件延期申请待审批" in _desk(app, "G001")

    sup = client(app)
    sup_token = sign_in(sup, "G001")
    queue = sup.get("/queue").text
    assert "需要实地调查" in queue and "批准延期" in queue
    request_id = c.get("/api/v1/extension-requests", headers=bearer(app, "G001")).json()[0]["id"]
    r = sup.post(
        f"/queue/extensions/{request_id}/decide",
        data={"csrf_token": sup_token, "decision": "approve", "next": "/queue"},
    )
    assert r.status_code == 303
    case = c.get(f"/api/v1/cases/{no}", headers=bearer(app, "A001")).json()
    assert case["extended"] is True
    new_due = next(k["due_date"] for k in case["clocks"] if k["name"] == "handling")
    assert new_due > due
    steps = events(engine, rt, no)
    assert [e["action"] for e in steps[-3:]] == [
        "extension_requested",
        "extend",
        "extension_notice",
    ]
    assert steps[-2]["actor"] == "G001" and steps[-2]["payload"]["days"] == 15
    told = steps[-1]["payload"]["notice"]
    assert "需要实地调查" in told and "延长15日" in told and new_due in told
    assert [m.payload["approved"] for m in messages(engine, "A001", "extension_decided")] == [True]
    assert '/extension-request"' not in owner.get(f"/cases/{no}").text  # once (Art. 34)
    audit_intact(engine, rt)


def test_a_refusal_needs_a_reason_and_changes_no_deadline(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = api_intake(app, c, "A001")["case_no"]
    api_act(app, c, no, "accept", "A001")
    r = c.post(
        f"/api/v1/cases/{no}/extension-requests",
        json={"days": 20, "reason": "材料不齐"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 201
    request_id = r.json()["id"]
    base = f"/api/v1/extension-requests/{request_id}/decision"
    assert c.post(base, json={"approve": False}, headers=bearer(app, "A001")).status_code == 403
    r = c.post(base, json={"approve": False}, headers=bearer(app, "G001"))
    assert r.status_code == 422
    r = c.post(base, json={"approve": False, "note": "理由不充分"}, headers=bearer(app, "G001"))
    assert r.status_code == 200 and r.json()["status"] == "refused"
    again = c.post(base, json={"approve": True}, headers=bearer(app, "G001"))
    assert again.status_code == 409
    case = c.get(f"/api/v1/cases/{no}", headers=bearer(app, "A001")).json()
    assert case["extended"] is False
    assert [m.payload["note"] for m in messages(engine, "A001", "extension_decided")] == [
        "理由不充分"
    ]
    # Refused, the owner may ask again.
    r = c.post(
        f"/api/v1/cases/{no}/extension-requests",
        json={"days": 10, "reason": "补充材料后再申请"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 201
    with engine.begin() as conn:
        t = ExtensionRequest.__table__
        assert conn.execute(select(func.count()).select_from(t)).scalar_one() == 2


def test_no_extension_for_a_case_not_being_handled(app: Any, c: TestClient) -> None:
    no = api_intake(app, c, "A001")["case_no"]
    r = c.post(
        f"/api/v1/cases/{no}/extension-requests",
        json={"days": 10, "reason": "尚未受理"},
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 409 and r.json()["code"] == "action.not_allowed_in_state"


# --- 不满意, the leaders' view, the inbox -------------------------------------------------------------


def test_dissatisfied_rating_is_followed_up_from_the_queue(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = api_intake(app, c, "A001", subject="补偿标准不公")["case_no"]
    api_act(app, c, no, "accept", "A001")
    api_act(app, c, no, "reply", "H001", outcome="not_support", opinion="不予支持")
    api_act(app, c, no, "record_evaluation", "A001", rating="dissatisfied")
    token = sign_in(c, "G001")
    page = c.get("/queue").text
    assert "不满意评价" in page and "补偿标准不公" in page
    r = c.post(
        f"/queue/dissatisfied/{no}/followup",
        data={"csrf_token": token, "note": "已电话回访，解释政策"},
    )
    assert r.status_code == 303
    page = c.get("/queue").text
    assert "已登记跟进情况" in page and "没有待跟进的不满意评价" in page
    assert events(engine, rt, no)[-1]["payload"]["note"] == "已电话回访，解释政策"
    r = c.post(
        f"/api/v1/cases/{no}/dissatisfaction-followup",
        json={"note": "再次"},
        headers=bearer(app, "G001"),
    )
    assert r.status_code == 409


def test_leaders_see_the_flagged_cases(app: Any, c: TestClient, engine: Engine, rt: Any) -> None:
    flagged = late_case(app, c, "flagged")
    overdue = late_case(app, c, "overdue")
    sweep(engine, rt, now=NOW)
    sign_in(c, "L001")
    page = c.get("/queue/flagged").text
    assert "挂牌督办" in page and flagged in page and overdue not in page
    assert 'href="/queue/flagged"' in c.get("/").text


def test_unread_count_on_every_page_and_marking_read(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    late_case(app, c, "overdue")
    sweep(engine, rt, now=NOW)
    unread = len(messages(engine, "A001"))
    assert unread >= 1
    token = sign_in(c, "A001")
    for path in ("/", "/cases", "/staff", "/briefing"):
        assert f'id="unread-count">{unread}<' in c.get(path).text, path
    inbox = c.get("/inbox").text
    assert "超期" in inbox and "受理告知期限" in inbox
    first = messages(engine, "A001")[0].id
    c.post("/inbox/read", data={"csrf_token": token, "id": str(first)})
    if unread > 1:
        assert f'id="unread-count">{unread - 1}<' in c.get("/").text
    c.post("/inbox/read", data={"csrf_token": token})
    assert 'id="unread-count"' not in c.get("/").text
    api = c.get("/api/v1/inbox", headers=bearer(app, "A001")).json()
    assert api["unread"] == 0 and len(api["messages"]) == unread
    # Someone else's message cannot be marked through my account.
    other = messages(engine, "G001")[0].id
    r = c.post(f"/api/v1/inbox/{other}/read", headers=bearer(app, "A001"))
    assert r.json()["marked"] == 0


def _desk(app: Any, staff_no: str) -> str:
    c = client(app)
    sign_in(c, staff_no)
    return c.get("/").text


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
