"""The supervisor queue as supervisors and leaders read it: one row per case, sorting, filters and
counts; reassigning from the queue; the leaders' view of flagged cases."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.runtime import Runtime
from cases.supervision.sweeper import sweep
from tests.supervision.helpers import late_case, messages, queue_json, row_of
from tests.web import NOW, bearer, sign_in


def test_queue_sorted_by_level_then_lateness_with_filters_and_counts(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    flagged = late_case(app, c, "flagged")
    older = late_case(app, c, "supervision", received_at="2026-10-30T09:00:00+08:00")
    supervision = late_case(app, c, "supervision", owner="A003", category="suggestion")
    overdue = late_case(app, c, "overdue")
    warning = late_case(app, c, "warning", owner="A003")
    sweep(engine, rt, now=NOW)

    # One row per case (its acceptance and tracking clocks inside it), the most pressing first.
    items = queue_json(app, c, status="active")
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
    # Received 10-08, due 10-23 (15 日): today, 11-26, is the 34th day past it; the working days
    # among them are 10-26 to 11-26's weekdays, 24 (no holiday falls in between).
    assert (first["due_date"], first["overdue_days"], first["overdue_working_days"]) == (
        "2026-10-23",
        34,
        24,
    )
    assert first["remaining_text"] == "超期34日（24个工作日）"
    assert [k["clock"] for k in first["clocks"]] == ["acceptance", "tracking"]
    assert first["clocks"][0]["escalations"][0]["id"] == first["id"]
    # The warning still has time: 11-12 + 15 日 = 11-27, tomorrow.
    assert (items[-1]["remaining_days"], items[-1]["remaining_text"]) == (1, "剩余1日")

    by = {
        "level": ("supervision", {older, supervision}),
        "owner": ("A003", {supervision, warning}),
        "group": ("第二党小组", {supervision, warning}),
        "category": ("suggestion", {supervision}),
        "clock": ("acceptance", {flagged, older, supervision, overdue, warning}),
        "region": ("320100", {flagged, older, supervision, overdue, warning}),
    }
    for name, (value, expected) in by.items():
        found = {i["case_no"] for i in queue_json(app, c, status="active", **{name: value})}
        assert found == expected, name
    assert queue_json(app, c, status="active", clock="tracking") == []
    assert queue_json(app, c, status="active", region="330000") == []
    for name, value in (("level", "purple"), ("region", "32"), ("sort", "colour")):
        r = c.get(f"/api/v1/escalations?{name}={value}", headers=bearer(app, "G001"))
        assert r.status_code == 422 and r.json()["code"] == f"escalation.bad_{name}", name
    # Sorted by owner, each owner's cases by level and lateness.
    by_owner = queue_json(app, c, status="active", sort="owner")
    assert [i["case_no"] for i in by_owner] == [flagged, older, overdue, supervision, warning]

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


def test_leaders_see_the_flagged_cases(app: Any, c: TestClient, engine: Engine, rt: Any) -> None:
    flagged = late_case(app, c, "flagged")
    overdue = late_case(app, c, "overdue")
    sweep(engine, rt, now=NOW)
    sign_in(c, "L001")
    page = c.get("/queue/flagged").text
    assert "挂牌督办" in page and flagged in page and overdue not in page
    assert 'href="/queue/flagged"' in c.get("/").text


def test_the_accused_units_staff_see_no_subject_in_the_queue(
    app: Any, c: TestClient, engine: Engine
) -> None:
    """条例第三十条第三款: a supervisor of the accused unit sees the accusation's row, as on the
    case page, without its subject."""
    from cases.organisation import roster
    from tests.web import password_hash

    with engine.begin() as conn:
        roster.add_staff(
            conn,
            staff_no="X002",
            name="钱多",
            role="supervisor",
            now=NOW,
            password_hash=password_hash(),
            unit="某区住建局",
        )
    no = late_case(
        app,
        c,
        "overdue",
        category="accusation",
        subject="举报某区住建局违规审批",
        accused={"name": "李某", "unit": "某区住建局"},
    )
    assert row_of(queue_json(app, c, "G001"), no)["subject"] == "举报某区住建局违规审批"
    seen = row_of(queue_json(app, c, "X002"), no)
    assert seen["subject"] == "（保密）"
    assert "违规审批" not in str(seen)


def test_the_queue_is_paged_in_its_order_and_every_page_counts_the_whole_queue(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    made = [
        late_case(app, c, "flagged"),
        late_case(app, c, "supervision"),
        late_case(app, c, "overdue"),
        late_case(app, c, "overdue", owner="A003"),
        late_case(app, c, "warning"),
    ]
    sweep(engine, rt, now=NOW)
    whole = [i["case_no"] for i in queue_json(app, c)]
    assert sorted(whole) == sorted(made)

    # Two rows a page, each page's Link header naming the next, until the last has none.
    seen, url, params = [], "/api/v1/escalations", {"status": "active", "limit": 2}
    while True:
        r = c.get(url, params=params, headers=bearer(app, "G001"))
        assert r.status_code == 200, r.text
        assert len(r.json()) <= 2
        seen += [i["case_no"] for i in r.json()]
        link = r.headers.get("link")
        if not link:
            break
        url, params = link[1 : link.index(">")], None
    assert seen == whole

    # The page shows its rows and a 下一页 link; the level tabs count the whole queue.
    sign_in(c, "G001")
    page = c.get("/queue")
    assert page.status_code == 200 and "下一页" not in page.text  # five rows: one page
    r = c.get("/api/v1/escalations/counts", headers=bearer(app, "G001"))
    assert r.json()["total"] == 5

    # A cursor that is not one is refused, in Chinese, with its code.
    r = c.get("/api/v1/escalations", params={"after": "not-a-cursor"}, headers=bearer(app, "G001"))
    assert r.status_code == 422 and r.json()["code"] == "escalation.bad_after"
