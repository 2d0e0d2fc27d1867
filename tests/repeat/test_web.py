"""Repeat, skip-level and group petitions through the API and the intake pages."""

from typing import Any

from sqlalchemy import Engine, select

from cases.casework import reading
from tests.factories import drive, intake_body
from tests.repeat.helpers import (
    EARLIER,
    NOW,
    OTHER_ID,
    REWORDED,
    outbox_t,
    register,
    totals,
)
from tests.web import bearer, client, sign_in


def form_of(body: dict[str, Any]) -> dict[str, str]:
    """An intake body as the intake form posts it."""
    out = {k: str(v) for k, v in body.items() if isinstance(v, str | int)}
    for key, value in body["petitioner"].items():
        out[f"petitioner.{key}"] = value
    for i, rep in enumerate(body.get("representatives") or []):
        for key, value in rep.items():
            out[f"representatives.{i}.{key}"] = value
    return out


def test_the_api_flags_a_skip_level_visit_and_its_group(app: Any, engine: Engine) -> None:
    """POST /api/v1/cases classifies like the intake page: a county's matter at the province is
    越级访 unless the petitioner holds the lower organ's opinion; a group reaches the supervisor."""
    c = client(app)
    r = c.post("/api/v1/cases", json=intake_body(), headers=bearer(app, "A001"))
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["flags"]["skip_level"] is True
    assert (
        case["jurisdiction"]["offer_transfer"] is True
        and "越级访" in (case["jurisdiction"]["explanation"])
    )
    r = c.post("/api/v1/cases?handled_below=true", json=intake_body(), headers=bearer(app, "A001"))
    assert r.status_code == 201 and r.json()["flags"]["skip_level"] is False
    reps = [{"name": "赵六", "id_number": OTHER_ID}]
    r = c.post(
        "/api/v1/cases",
        json=intake_body(group_size=9, representatives=reps),
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 201
    group_case = r.json()["case_no"]
    with engine.connect() as conn:
        told = conn.execute(
            select(outbox_t.c.recipient_staff_no).where(
                outbox_t.c.case_no == group_case, outbox_t.c.topic == "group_visit"
            )
        ).all()
    assert [t[0] for t in told] == ["G001"]


def test_the_api_records_a_repeat_contact(app: Any, engine: Engine) -> None:
    c = client(app)
    rt = app.state.ctx.rt
    original = register(engine, rt, intake_body(), when=EARLIER)
    r = c.post(
        f"/api/v1/cases/{original}/contacts",
        json={**intake_body(**REWORDED), "summary": "再次来访", "on_site": False},
        headers=bearer(app, "A002"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["contact"]["flags"]["repeat_of"] == original
    assert r.headers["location"] == f"/api/v1/cases/{original}"
    r = c.post(
        f"/api/v1/cases/{original}/contacts",
        json={"kind": "on_site", "place": "某拆迁现场", "group_size": 8},
        headers=bearer(app, "G001"),
    )
    assert r.status_code == 201 and r.json()["contact"]["kind"] == "on_site"
    r = c.post(
        f"/api/v1/cases/{original}/contacts",
        json={**intake_body(), "on_site": "yes"},
        headers=bearer(app, "A002"),
    )
    assert r.status_code == 422
    r = c.post(
        f"/api/v1/cases/{original}/contacts", json=intake_body(), headers=bearer(app, "H001")
    )
    assert r.status_code == 403
    r = c.post(
        "/api/v1/cases/2026-999999/contacts", json=intake_body(), headers=bearer(app, "A002")
    )
    assert r.status_code == 404
    drive(engine, rt, original, "withdrawn", EARLIER)
    r = c.post(
        f"/api/v1/cases/{original}/contacts", json=intake_body(), headers=bearer(app, "A002")
    )
    assert r.status_code == 409 and r.json()["code"] == "repeat.original_withdrawn"


def test_the_intake_page_shows_candidates_and_records_the_repeat(app: Any, engine: Engine) -> None:
    c = client(app)
    rt = app.state.ctx.rt
    original = register(engine, rt, intake_body(), when=EARLIER)
    csrf = sign_in(c, "A002")
    r = c.post("/cases/new/check", data={**form_of(intake_body(**REWORDED)), "csrf_token": csrf})
    assert r.status_code == 200, r.text
    assert original in r.text and "是同一事项：记为重复访" in r.text and "不是，继续登记" in r.text
    assert "疑似重复访" in r.text and "越级访" in r.text
    before = totals(engine)
    r = c.post(
        "/cases/new/repeat",
        data={**form_of(intake_body(**REWORDED)), "csrf_token": csrf, "repeat_case_no": original},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{original}"
    assert totals(engine)["case"] == before["case"]
    page = c.get(r.headers["location"])
    assert "已记为重复访" in page.text


def test_the_intake_page_registers_a_new_matter_and_offers_the_transfer(
    app: Any, engine: Engine
) -> None:
    c = client(app)
    csrf = sign_in(c, "A001")
    # At the province's own level, with no history: nothing to decide, registered at once.
    r = c.post(
        "/cases/new/check", data={**form_of(intake_body(region_code="320000")), "csrf_token": csrf}
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/receipt")
    # A county matter: the skip-level verdict and the transfer are offered.
    other = intake_body(subject="小区电梯长期停用", content="我住的小区电梯坏了半年。")
    other["petitioner"] = {"name": "李四", "id_number": OTHER_ID}
    r = c.post("/cases/new/check", data={**form_of(other), "csrf_token": csrf})
    assert r.status_code == 200 and "登记并转送" in r.text and "越级访" in r.text
    r = c.post("/cases/new/register", data={**form_of(other), "csrf_token": csrf, "transfer": "1"})
    assert r.status_code == 303
    receipt = c.get(r.headers["location"])
    assert "查询码" in receipt.text
    # transfer=1: registered and transferred at once to the county, the level with authority.
    organ = "南京市玄武区信访工作机构"  # no organ configured: named from the list of regions
    assert f"并已转送{organ}" in receipt.text
    case_no = r.headers["location"].removeprefix("/cases/").removesuffix("/receipt")
    rt = app.state.ctx.rt
    with engine.connect() as conn:
        shown = reading.show(conn, rt, case_no=case_no, viewer_staff_no="A001", now=NOW)
        events = reading.case_events(conn, rt, case_no=case_no, viewer_staff_no=None)
    assert shown["state"] == "transferred" and shown["flags"]["skip_level"] is True
    assert shown["details"]["transfer"]["organ"] == organ
    assert [e["action"] for e in events] == ["intake", "transfer"]
    assert events[-1]["actor"] == "A001"
    # A mistake goes back to the intake form with the field's error.
    r = c.post(
        "/cases/new/check", data={**form_of(intake_body(region_code="32")), "csrf_token": csrf}
    )
    assert r.status_code == 422 and "行政区划代码应为6位数字" in r.text


def test_the_history_page_masks_identity(app: Any, engine: Engine) -> None:
    c = client(app)
    rt = app.state.ctx.rt
    original = register(engine, rt, intake_body(), when=EARLIER)
    other = client(app)
    sign_in(other, "A002")  # another receptionist: not their case, not their petitioner's history
    assert other.get(f"/cases/{original}/petitioner").status_code == 404
    sign_in(c, "G001")
    r = c.get(f"/cases/{original}/petitioner")
    assert r.status_code == 303 and r.headers["location"].startswith("/petitioners/")
    page = c.get(r.headers["location"])
    assert page.status_code == 200
    assert "1101**********002X" in page.text and "11010519491231002X" not in page.text
    assert original in page.text
    assert c.get("/petitioners/999999").status_code == 404
