"""Repeat petitions become contacts on the original case; skip-level visits are flagged and offered
the transfer; group visits reach the supervisor; one petitioner's history; the figures."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

import cases.models  # noqa: F401  (registers the tables)
from cases import audit
from cases.casework import reading
from cases.models import CaseContact, Outbox
from cases.organisation import roster
from cases.repeat import candidates, jurisdiction
from cases.repeat import petitions as repeat
from cases.reports import counting, stats
from cases.runtime import Runtime
from cases.store import tables
from conftest import TZ, at
from tests.factories import drive, intake_body, make_office
from tests.repeat_helpers import OTHER_ID, REWORDED, THIRD_ID, app_with_repeat, register
from tests.web import bearer, client, make_web_office, sign_in
from workflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied

EARLIER = at("2026-10-10 10:00")
NOW = at("2026-11-26 10:00")
contact_t = CaseContact.__table__
outbox_t = Outbox.__table__


def totals(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (tables.case_t, contact_t, outbox_t)
        }


def confirm(
    engine: Engine,
    rt: Runtime,
    case_no: str,
    body: dict[str, Any],
    who: str = "A002",
    **kw: Any,
) -> dict[str, Any]:
    with engine.begin() as conn:
        return repeat.record_repeat(
            conn, rt, case_no=case_no, body=body, actor_staff_no=who, now=NOW, **kw
        )


# --- the rule of jurisdiction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("office", "region", "handled_below", "skip", "steps", "within", "offer"),
    [
        (
            ("province", "320000"),
            "320102",
            False,
            True,
            2,
            True,
            True,
        ),  # county matter at the province
        (("province", "320000"), "320102", True, False, 2, True, False),  # handled below first
        (("province", "320000"), "320100", False, False, 1, True, True),  # 上一级: lawful
        (("province", "320000"), "320101", False, False, 1, True, True),  # 市辖区 is the city
        (("province", "320000"), "320000", False, False, 0, True, False),  # its own level
        (("province", "320000"), "330102", False, False, 0, False, True),  # another province
        (
            ("province", "110000"),
            "110105",
            False,
            False,
            1,
            True,
            True,
        ),  # a municipality's district
        (("province", "420000"), "429004", False, False, 1, True, True),  # 省直辖县级 (仙桃)
        (("national", "100000"), "320102", False, True, 3, True, True),
        (("national", "100000"), "320000", False, False, 1, True, True),
        (("city", "320100"), "320102", False, False, 1, True, True),
        (("city", "320100"), "320000", False, False, 0, False, True),  # above the city
        (("county", "320102"), "320102", False, False, 0, True, False),
        (("county", "320102"), "320106", False, False, 0, False, True),
    ],
)
def test_the_rule_of_skip_level(
    office: tuple[str, str],
    region: str,
    handled_below: bool,
    skip: bool,
    steps: int,
    within: bool,
    offer: bool,
) -> None:
    where = jurisdiction.classify(
        region, office_level=office[0], office_region=office[1], handled_below=handled_below
    )
    assert (where.skip_level, where.steps, where.within, where.offer_transfer) == (
        skip,
        steps,
        within,
        offer,
    )
    if skip:
        assert "越级访" in where.explanation and "第二十条" in where.explanation


def test_the_office_configures_its_level_region_and_organs(engine: Engine) -> None:
    with engine.begin() as conn:
        assert jurisdiction.office_jurisdiction(conn) == ("province", "320000", {})
        jurisdiction.configure_office(
            conn, level="city", region_code="320100", organs={"320102": "玄武区信访局"}
        )
        where = jurisdiction.classify_here(conn, "320102")
        assert (where.office_level, where.steps, where.organ) == ("city", 1, "玄武区信访局")
        with pytest.raises(InvalidInput):
            jurisdiction.configure_office(conn, level="township", region_code="320100")
        # Region names: the transfer offer names the organ by its region; the organs stay.
        jurisdiction.configure_office(
            conn, level="province", region_code="320000", regions={"320106": "南京市鼓楼区"}
        )
        assert jurisdiction.office_jurisdiction(conn)[2] == {"320102": "玄武区信访局"}
        assert jurisdiction.classify_here(conn, "320106").organ == "南京市鼓楼区信访工作机构"
        assert jurisdiction.region_names(conn) == {"320106": "南京市鼓楼区"}


# --- registering ------------------------------------------------------------------------------------


def test_a_skip_level_visit_is_flagged_and_transferred_to_the_responsible_level(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    with engine.begin() as conn:
        jurisdiction.configure_office(
            conn, level="province", region_code="320000", organs={"320102": "玄武区信访局"}
        )
        case = repeat.register(
            conn, rt, body=intake_body(), actor_staff_no="A001", now=EARLIER, transfer=True
        )
    assert case["flags"]["skip_level"] is True
    assert case["state"] == "transferred" and case["query_code"]
    assert case["jurisdiction"]["organ"] == "玄武区信访局"
    with engine.connect() as conn:
        shown = reading.show(conn, rt, case_no=case["case_no"], viewer_staff_no="A001", now=EARLIER)
    assert shown["details"]["transfer"]["organ"] == "玄武区信访局"
    assert shown["details"]["jurisdiction"]["skip_level"] is True
    # A matter of the city, one level below the province: lawful, not flagged.
    with engine.begin() as conn:
        city = repeat.register(
            conn, rt, body=intake_body(region_code="320100"), actor_staff_no="A001", now=EARLIER
        )
    assert city["flags"]["skip_level"] is False and city["state"] == "registered"


def test_a_group_visit_is_flagged_for_the_supervisor_with_its_on_site_reception(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    body = intake_body(
        group_size=30,
        representatives=[
            {"name": "赵六", "id_number": OTHER_ID},
            {"name": "钱七", "id_number": THIRD_ID},
            {"name": "孙八", "phone": "13900139000"},
        ],
    )
    with engine.begin() as conn:
        case = repeat.register(
            conn,
            rt,
            body=body,
            actor_staff_no="A001",
            now=EARLIER,
            on_site=True,
            on_site_place="玄武区某街道办",
        )
    assert case["flags"]["group_size"] == 30
    assert case["version"] == 2  # the intake and the on-site note: the answer is read back
    assert case["details"]["group_visit"] == {
        "group_size": 30,
        "representatives": ["赵六", "钱七", "孙八"],
        "supervisor": "G001",
    }
    with engine.connect() as conn:
        told = conn.execute(
            select(outbox_t.c.recipient_staff_no, outbox_t.c.topic).where(
                outbox_t.c.case_no == case["case_no"]
            )
        ).all()
        site = conn.execute(select(contact_t)).one()
        events = reading.case_events(conn, rt, case_no=case["case_no"], viewer_staff_no=None)
    assert ("G001", "group_visit") in told
    assert (site.kind, site.on_site, site.group_size) == ("on_site", True, 30)
    assert "玄武区某街道办" in site.summary
    assert [e["action"] for e in events] == ["intake", "on_site_reception"]


def test_more_than_five_representatives_are_refused_and_nothing_is_stored(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    before = totals(engine)
    body = intake_body(
        group_size=40, representatives=[{"name": f"代表{i}", "address": "某地"} for i in range(6)]
    )
    with pytest.raises(InvalidInput) as caught:
        register(engine, rt, body, when=EARLIER)
    assert "代表人数不得超过5人" in caught.value.message
    assert totals(engine) == before


# --- repeat petitions ----------------------------------------------------------------------------------


def test_confirming_a_repeat_adds_a_contact_on_the_original_and_tells_its_owner(
    engine: Engine, rt: Runtime
) -> None:
    """Done when: the same person with the same matter reworded is shown the original case, and
    confirming it adds a contact there and notifies its owner, with no second acceptance."""
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    with engine.connect() as conn:
        found = candidates.find_for_intake(
            conn, rt, body=intake_body(**REWORDED), viewer_staff_no="A002", now=NOW
        )
    assert found[0].case_no == original and found[0].likely_repeat
    before = totals(engine)
    result = confirm(engine, rt, original, intake_body(**REWORDED), summary="再次来访催问补偿款")
    after = totals(engine)
    assert after["case"] == before["case"]  # no second acceptance
    assert after["case_contact"] == before["case_contact"] + 1
    contact = result["contact"]
    assert contact["flags"]["repeat_of"] == original and contact["kind"] == "repeat"
    assert contact["recorded_by"] == "A002" and contact["summary"] == "再次来访催问补偿款"
    assert result["refused"] is False and "第十九条第三款" in result["guidance"]
    assert result["notified"] == ["A001"]
    assert result["case"]["owner"]["staff_no"] == "A001"  # the first receiver stays responsible
    with engine.connect() as conn:
        told = conn.execute(select(outbox_t).where(outbox_t.c.topic == "repeat_contact")).one()
        events = reading.case_events(conn, rt, case_no=original, viewer_staff_no=None)
        verified = audit.verify(conn, rt.audit_key)
    assert (told.recipient_staff_no, told.case_no) == ("A001", original)
    assert events[-1]["action"] == "repeat_contact"
    assert events[-1]["payload"]["recorded_by"] == "A002"
    assert events[-1]["payload"]["reason_code"] == "in_process"
    assert verified.broken is None


def test_a_repeat_of_a_concluded_matter_is_refused_with_article_36(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    drive(engine, rt, original, "concluded", EARLIER)
    before = totals(engine)
    result = confirm(engine, rt, original, intake_body(**REWORDED))
    assert result["refused"] is True and result["reason_code"] == "concluded"
    assert "第三十六条第三款" in result["guidance"] and "不再受理" in result["guidance"]
    assert result["contact"]["refused"] is True
    assert result["case"]["state"] == "concluded"
    assert totals(engine)["case"] == before["case"]


def test_a_repeat_of_a_rejected_matter_repeats_its_guidance(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    drive(engine, rt, original, "rejected", EARLIER)
    result = confirm(engine, rt, original, intake_body(**REWORDED))
    assert result["refused"] is True and result["reason_code"] == "litigation"
    assert "人民法院" in result["guidance"]


def test_a_withdrawn_matter_is_registered_anew_and_linked(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    drive(engine, rt, original, "withdrawn", EARLIER)
    with pytest.raises(Conflict) as caught:
        confirm(engine, rt, original, intake_body(**REWORDED))
    assert caught.value.code == "repeat.original_withdrawn"
    with engine.begin() as conn:
        case = repeat.register(
            conn,
            rt,
            body=intake_body(**REWORDED),
            actor_staff_no="A002",
            now=NOW,
            repeat_of=original,
        )
        shown = reading.show(conn, rt, case_no=case["case_no"], viewer_staff_no="A002", now=NOW)
    assert case["flags"]["repeat_of"] == original == shown["flags"]["repeat_of"]


def test_a_different_matter_is_not_forced_into_the_old_case(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    pension = intake_body(
        subject="养老金停发",
        content="我的退休金从今年三月起被停发，社保局说资料不全。",
        requests="恢复发放",
    )
    with engine.connect() as conn:
        found = candidates.find_for_intake(conn, rt, body=pension, viewer_staff_no="A002", now=NOW)
    assert [c.likely_repeat for c in found] == [False]
    new = register(engine, rt, pension, when=NOW, who="A002")
    with engine.connect() as conn:
        shown = reading.show(conn, rt, case_no=new, viewer_staff_no="A002", now=NOW)
        old = reading.show(conn, rt, case_no=original, viewer_staff_no="A001", now=NOW)
    assert shown["flags"]["repeat_of"] is None and shown["owner"]["staff_no"] == "A002"
    assert old["version"] == 1  # the old case was not touched


def test_only_intake_staff_record_repeats_and_hidden_cases_stay_hidden(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    with pytest.raises(PermissionDenied):
        confirm(engine, rt, original, intake_body(**REWORDED), who="H001")
    with pytest.raises(NotFound):
        confirm(engine, rt, "2026-999999", intake_body(**REWORDED))
    accusation = intake_body(
        category="accusation",
        subject="举报某区住建局干部受贿",
        content="某区住建局干部在补偿款发放中收受好处。",
        accused={"unit": "某区住建局"},
    )
    secret = register(engine, rt, accusation, when=EARLIER)
    with engine.begin() as conn:
        roster.add_staff(
            conn, staff_no="A009", name="周九", role="receptionist", unit="某区住建局", now=EARLIER
        )
    with pytest.raises(NotFound):
        confirm(engine, rt, secret, accusation, who="A009")


def test_a_group_coming_back_is_flagged_for_the_supervisor_again(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    reps = [{"name": "赵六", "id_number": OTHER_ID}, {"name": "钱七", "id_number": THIRD_ID}]
    original = register(engine, rt, intake_body(group_size=20, representatives=reps), when=EARLIER)
    again = {**intake_body(**REWORDED), "group_size": 25, "representatives": reps}
    result = confirm(engine, rt, original, again, on_site=True)
    assert result["contact"]["flags"] == {
        "repeat_of": original,
        "skip_level": True,
        "group_size": 25,
        "on_site": True,
    }
    assert set(result["notified"]) == {"A001", "G001"}


def test_an_on_site_reception_is_noted_on_an_existing_case(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    with engine.begin() as conn:
        result = repeat.record_on_site(
            conn,
            rt,
            case_no=original,
            actor_staff_no="G001",
            now=NOW,
            place="某拆迁现场",
            group_size=12,
        )
        with pytest.raises(InvalidInput):
            repeat.record_on_site(
                conn, rt, case_no=original, actor_staff_no="G001", now=NOW, place=" "
            )
    assert result["contact"]["flags"]["on_site"] is True
    assert result["contact"]["flags"]["repeat_of"] is None


# --- history and figures -------------------------------------------------------------------------------


def test_the_history_gathers_one_person_by_identity_number_and_by_name_and_phone(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    first = register(engine, rt, intake_body(), when=EARLIER)
    by_phone = intake_body(subject="小区电梯长期停用", content="我住的小区电梯坏了半年。")
    by_phone["petitioner"] = {"name": "王建国", "phone": "13800138000"}
    second = register(engine, rt, by_phone, when=EARLIER)
    as_rep = intake_body(
        subject="村集体土地被占用",
        content="村里集体土地被企业占用。",
        group_size=10,
        representatives=[{"name": "王建国", "id_number": intake_body()["petitioner"]["id_number"]}],
    )
    as_rep["petitioner"] = {"name": "李四", "id_number": OTHER_ID}
    third = register(engine, rt, as_rep, when=EARLIER)
    register(
        engine,
        rt,
        {**intake_body(), "petitioner": {"name": "王建国", "id_number": THIRD_ID}},
        when=EARLIER,
    )
    confirm(engine, rt, first, intake_body(**REWORDED))
    with engine.connect() as conn:
        pid = repeat.petitioner_of(conn, case_no=second, viewer_staff_no="A002")
        history = repeat.petitioner_history(
            conn, rt, petitioner_id=pid, viewer_staff_no="A002", now=NOW
        )
    # The namesake with another identity number is another person.
    assert {c["case_no"] for c in history["cases"]} == {first, second, third}
    roles = {c["case_no"]: c["role"] for c in history["cases"]}
    assert roles[third] == "representative" and roles[first] == "petitioner"
    assert history["id_number_masked"] == "1101**********002X"
    assert history["phones_masked"] == ["138****8000"]
    assert history["counts"]["repeat_contacts"] == 1
    assert history["contacts"][0]["case_no"] == first


def test_the_history_never_shows_the_accuser_to_the_accused_unit(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    accusation = intake_body(
        category="accusation",
        subject="举报某区住建局干部受贿",
        content="某区住建局干部在补偿款发放中收受好处。",
        accused={"unit": "某区住建局"},
    )
    accusation["petitioner"] = {"name": "李四", "id_number": OTHER_ID}
    secret = register(engine, rt, accusation, when=EARLIER)
    with engine.connect() as conn:
        pid = repeat.petitioner_of(conn, case_no=secret, viewer_staff_no="A002")
        assert repeat.petitioner_history(
            conn, rt, petitioner_id=pid, viewer_staff_no="A002", now=NOW
        )
        with pytest.raises(NotFound):
            repeat.petitioner_history(conn, rt, petitioner_id=pid, viewer_staff_no="X001", now=NOW)
        with pytest.raises(NotFound):
            repeat.petitioner_of(conn, case_no=secret, viewer_staff_no="X001")
        with pytest.raises(PermissionDenied):
            repeat.petitioner_history(conn, rt, petitioner_id=pid, viewer_staff_no="AD01", now=NOW)


def test_statistics_count_repeats_skip_level_and_groups(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    original = register(
        engine, rt, intake_body(), when=EARLIER
    )  # 320102 at the province: skip-level
    register(engine, rt, intake_body(region_code="320000", channel="letter"), when=EARLIER)
    reps = [{"name": "赵六", "id_number": OTHER_ID}]
    register(
        engine,
        rt,
        intake_body(region_code="320100", group_size=12, representatives=reps),
        when=EARLIER,
    )
    confirm(engine, rt, original, intake_body(**REWORDED))
    with engine.begin() as conn:
        figures = stats.office_stats(
            conn, period=counting.Period(date(2026, 10, 1), date(2026, 11, 30)), tz=TZ
        )
    assert figures["intakes"] == 3 and figures["repeat_contacts"] == 1
    assert figures["receptions"] == 4 and figures["repeat_rate"] == pytest.approx(1 / 4)
    assert figures["visits"] == 3 and figures["skip_level_visits"] == 2
    assert figures["skip_level_rate"] == pytest.approx(2 / 3)
    assert (figures["group_visits"], figures["group_visit_people"]) == (1, 12)
    # Attributed to the original case's owner, who stays responsible (首接负责制).
    assert figures["by_owner"]["A001"]["repeat_contacts"] == 1
    with engine.begin() as conn:
        empty = stats.office_stats(
            conn, period=counting.Period(date(2025, 1, 1), date(2025, 1, 31)), tz=TZ
        )
    assert empty["repeat_rate"] is None and empty["skip_level_rate"] is None


# --- the web -------------------------------------------------------------------------------------------


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    make_web_office(engine, EARLIER)
    return app_with_repeat(engine, rt, NOW)


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
    # A mistake goes back to the intake form with the field's error.
    r = c.post(
        "/cases/new/check", data={**form_of(intake_body(region_code="32")), "csrf_token": csrf}
    )
    assert r.status_code == 422 and "行政区划代码应为6位数字" in r.text


def test_the_history_page_masks_identity(app: Any, engine: Engine) -> None:
    c = client(app)
    rt = app.state.ctx.rt
    original = register(engine, rt, intake_body(), when=EARLIER)
    sign_in(c, "A002")
    r = c.get(f"/cases/{original}/petitioner")
    assert r.status_code == 303 and r.headers["location"].startswith("/petitioners/")
    page = c.get(r.headers["location"])
    assert page.status_code == 200
    assert "1101**********002X" in page.text and "11010519491231002X" not in page.text
    assert original in page.text
    assert c.get("/petitioners/999999").status_code == 404
