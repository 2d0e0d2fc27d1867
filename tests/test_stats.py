"""The office statistics against a month worked out by hand: every rate, every breakdown, the
previous period, empty periods (null, never a division by zero), the exports, the page and API."""

import csv
import importlib.util
import io
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, update

from cases import text
from cases.casework import actions
from cases.db import MIGRATIONS
from cases.repeat import contacts, jurisdiction, registration
from cases.reports import stats
from cases.runtime import Runtime
from cases.store import tables
from conftest import TZ, at
from tests.factories import VALID_ID, intake_body
from tests.web import bearer, client, make_app, make_web_office, sign_in
from workflow.errors import InvalidInput

NOVEMBER = stats.Period(date(2026, 11, 1), date(2026, 11, 30))
RATE_KEYS = [
    "acceptance_on_time_rate",
    "handling_on_time_rate",
    "satisfaction_rate",
    "rating_rate",
    "repeat_rate",
    "skip_level_rate",
]
CONTRACT_KEYS = [
    "intakes",
    *RATE_KEYS,
    "group_visits",
    "group_visit_people",
    "by_category",
    "by_region",
    "by_owner",
    "hotspots",
]


def _intake(
    engine: Engine,
    rt: Runtime,
    when: str,
    owner: str,
    repeat_of: str | None = None,
    handled_below: bool = True,
    **body: Any,
) -> str:
    """Register at the office (a province's, by default): a county's matter is a skip-level
    visit unless the petitioner holds the lower organ's opinion (``handled_below``)."""
    with engine.begin() as conn:
        return registration.register(
            conn,
            rt,
            body=intake_body(received_at=at(when).isoformat(), **body),
            actor_staff_no=owner,
            now=at(when),
            repeat_of=repeat_of,
            handled_below=handled_below,
        )["case_no"]


def _act(
    engine: Engine, rt: Runtime, case_no: str, action: str, when: str, who: str, **p: Any
) -> None:
    with engine.begin() as conn:
        actions.act(
            conn, rt, case_no=case_no, action=action, actor_staff_no=who, payload=p, now=at(when)
        )


def build_month(engine: Engine, rt: Runtime) -> dict[str, str]:
    """October's one case and November's seven, each step at a chosen instant (10:00 local).

    November 2026 has no public holiday: a 15-day period from 11-02 ends on 11-17.
    """
    make_web_office(engine, at("2026-09-01 09:00"))
    n: dict[str, str] = {}
    # C7, in the previous period: decided and replied in October, rated in November.
    n["c7"] = _intake(engine, rt, "2026-10-10 10:00", "A001", subject="拖欠工资")
    _act(engine, rt, n["c7"], "accept", "2026-10-12 10:00", "A001")
    _act(
        engine, rt, n["c7"], "reply", "2026-10-30 10:00", "A001", outcome="support", opinion="支持"
    )
    _act(engine, rt, n["c7"], "record_evaluation", "2026-11-02 10:00", "A001", rating="satisfied")
    # C1: accepted in time, a tracking note in time, replied in time, satisfied; a note after
    # the reply (no tracking clock runs then: not counted).
    n["c1"] = _intake(engine, rt, "2026-11-02 10:00", "A001")
    _act(engine, rt, n["c1"], "accept", "2026-11-03 10:00", "A001")
    _act(engine, rt, n["c1"], "note", "2026-11-05 10:00", "A001", text="电话回访")
    _act(
        engine, rt, n["c1"], "reply", "2026-11-20 10:00", "A001", outcome="support", opinion="支持"
    )
    _act(engine, rt, n["c1"], "record_evaluation", "2026-11-21 10:00", "A001", rating="satisfied")
    _act(engine, rt, n["c1"], "note", "2026-11-22 10:00", "A001", text="答复后回访")
    # C2: a late tracking note (due 11-09), a late acceptance (due 11-17).
    n["c2"] = _intake(engine, rt, "2026-11-02 10:00", "A001")
    _act(engine, rt, n["c2"], "note", "2026-11-12 10:00", "A001", text="迟到的跟踪")
    _act(engine, rt, n["c2"], "accept", "2026-11-25 10:00", "A001")
    # C3: a letter with a suggestion, rejected in time; registered as a repeat of C7 and
    # flagged skip-level (a letter: not a visit, so not a skip-level visit).
    n["c3"] = _intake(
        engine,
        rt,
        "2026-11-03 10:00",
        "A002",
        repeat_of=n["c7"],
        handled_below=False,
        channel="letter",
        category="suggestion",
        region_code="320104",
        subject="建议增设公交线路",
    )
    _act(engine, rt, n["c3"], "reject", "2026-11-04 10:00", "G001", reason_code="litigation")
    # C4: a group visit of three with an accusation against 某区住建局, skip-level (a county's
    # matter at the province, not handled below); transferred, the partner's acceptance recorded,
    # replied in time, dissatisfied.
    rep = {"name": "赵六", "id_number": VALID_ID, "phone": "13800138001", "address": "南京市"}
    n["c4"] = _intake(
        engine,
        rt,
        "2026-11-03 10:00",
        "A003",
        handled_below=False,
        category="accusation",
        region_code="320106",
        subject="举报违规审批",
        group_size=3,
        representatives=[rep],
        accused={"name": "李某", "unit": "某区住建局"},
    )
    _act(engine, rt, n["c4"], "transfer", "2026-11-04 10:00", "A003", organ="某市住建局")
    _act(
        engine,
        rt,
        n["c4"],
        "record_partner_acceptance",
        "2026-11-10 10:00",
        "A003",
        accepted_on="2026-11-10",
    )
    _act(
        engine, rt, n["c4"], "reply", "2026-11-20 10:00", "A003", outcome="explain", opinion="说明"
    )
    _act(
        engine, rt, n["c4"], "record_evaluation", "2026-11-22 10:00", "A003", rating="dissatisfied"
    )
    # C5: assigned in time, reported back late (report-by 11-10), basically satisfied.
    n["c5"] = _intake(engine, rt, "2026-11-05 10:00", "A001")
    _act(
        engine,
        rt,
        n["c5"],
        "assign",
        "2026-11-06 10:00",
        "A001",
        organ="玄武区",
        report_by="2026-11-10",
    )
    _act(engine, rt, n["c5"], "report_back", "2026-11-15 10:00", "A001", summary="已办结")
    _act(
        engine,
        rt,
        n["c5"],
        "record_evaluation",
        "2026-11-16 10:00",
        "A001",
        rating="basically_satisfied",
    )
    # C6: withdrawn before any decision (a withdrawal decides nothing).
    n["c6"] = _intake(engine, rt, "2026-11-06 10:00", "A001")
    _act(engine, rt, n["c6"], "withdraw", "2026-11-07 10:00", "A001")
    # C9: transferred, a supervisor's tracking note in time, replied before the partner's
    # acceptance was recorded and after its 15 days (11-17): late.
    n["c9"] = _intake(engine, rt, "2026-11-02 10:00", "A001")
    _act(engine, rt, n["c9"], "transfer", "2026-11-02 10:30", "A001", organ="某区人社局")
    _act(engine, rt, n["c9"], "note", "2026-11-03 10:00", "G001", text="督促转送机关")
    _act(
        engine, rt, n["c9"], "reply", "2026-11-25 10:00", "A001", outcome="support", opinion="支持"
    )
    # C1's petitioner comes back by visit about the same matter: a repeat petition recorded as a
    # contact on C1 (no new case), skip-level (no lower organ's opinion this time).
    with engine.begin() as conn:
        contacts.record_repeat(
            conn,
            rt,
            case_no=n["c1"],
            body=intake_body(received_at=at("2026-11-10 10:00").isoformat()),
            actor_staff_no="A002",
            now=at("2026-11-10 10:00"),
        )
    return n


def november(engine: Engine) -> dict[str, Any]:
    with engine.begin() as conn:
        return stats.office_stats(conn, period=NOVEMBER, tz=TZ)


@pytest.fixture
def month(engine: Engine, rt: Runtime) -> dict[str, Any]:
    numbers = build_month(engine, rt)
    return {"numbers": numbers, "stats": november(engine), "engine": engine, "rt": rt}


def test_overall_rates_as_worked_out_by_hand(month: dict[str, Any]) -> None:
    s = month["stats"]
    assert (s["from"], s["to"], s["days"]) == ("2026-11-01", "2026-11-30", 30)
    assert s["intakes"] == 7
    # 6 decisions (C1 C2 C3 C4 C5 C9; C6's withdrawal is none), C2's late.
    assert (s["acceptance_decisions"], s["acceptance_on_time"]) == (6, 5)
    assert s["acceptance_on_time_rate"] == pytest.approx(5 / 6)
    # 4 replies: C1 and C4 in time, C5 (report-back date) and C9 (partner's 15 days) late.
    assert (s["replies"], s["replies_on_time"]) == (4, 2)
    assert s["handling_on_time_rate"] == pytest.approx(0.5)
    # Ratings recorded in November: C7 C1 C5 satisfied or basically, C4 not.
    assert (s["rated"], s["satisfied"]) == (4, 3)
    assert s["satisfaction_rate"] == pytest.approx(0.75)
    # Of November's 4 replies, C1 C4 C5 are rated.
    assert s["replies_rated"] == 3 and s["rating_rate"] == pytest.approx(0.75)
    # Received: 7 new cases and C1's repeat contact. Repeats: C3 (linked) and the contact.
    assert (s["repeat_contacts"], s["receptions"]) == (1, 8)
    assert (s["repeat_petitions"], s["repeat_rate"]) == (2, pytest.approx(2 / 8))
    # Visits: six new cases and the contact; skip-level: C4 and the contact (C3 is a letter).
    assert (s["visits"], s["skip_level_visits"]) == (7, 2)
    assert s["skip_level_rate"] == pytest.approx(2 / 7)
    assert (s["group_visits"], s["group_visit_people"]) == (1, 3)
    # Notes that stopped a tracking clock: C1 (in time), C2 (late), C9 (in time).
    assert (s["tracking_notes"], s["tracking_notes_on_time"]) == (3, 2)
    assert s["tracking_on_time_rate"] == pytest.approx(2 / 3)
    assert s["on_time_rate"] == pytest.approx(7 / 10)


def test_previous_period_and_change(month: dict[str, Any]) -> None:
    s = month["stats"]
    p = s["previous"]
    assert (p["from"], p["to"]) == ("2026-10-02", "2026-10-31")
    assert p["intakes"] == 1 and p["acceptance_on_time_rate"] == 1.0
    assert p["handling_on_time_rate"] == 1.0
    # C7, replied in October, was rated (in November): the cohort counts it.
    assert p["rating_rate"] == 1.0
    assert p["satisfaction_rate"] is None  # no rating recorded in October
    assert p["repeat_rate"] == 0.0 and p["skip_level_rate"] == 0.0
    assert s["change"]["intakes_change"] == 6
    assert s["change"]["acceptance_on_time_rate_change"] == pytest.approx(5 / 6 - 1)
    assert s["change"]["satisfaction_rate_change"] is None


def test_breakdowns(month: dict[str, Any]) -> None:
    s = month["stats"]
    cat = s["by_category"]
    assert list(cat) == ["appeal", "accusation", "suggestion"]
    assert cat["appeal"]["label"] == "申诉求决类" and cat["appeal"]["intakes"] == 5
    assert cat["appeal"]["previous_intakes"] == 1
    accusation = cat["accusation"]
    assert accusation["acceptance_on_time_rate"] == 1.0
    assert accusation["handling_on_time_rate"] == 1.0
    assert accusation["satisfaction_rate"] == 0.0
    assert "tracking_on_time_rate" not in accusation  # counted per staff member only
    ch = s["by_channel"]
    assert (ch["visit"]["intakes"], ch["letter"]["intakes"]) == (6, 1)
    assert ch["letter"]["label"] == "来信" and ch["letter"]["repeat_rate"] == 1.0
    assert ch["letter"]["skip_level_rate"] is None  # no visit by letter
    assert ch["visit"]["skip_level_rate"] == pytest.approx(2 / 7)
    assert ch["visit"]["repeat_rate"] == pytest.approx(1 / 7)  # the contact among 7 receptions
    region = s["by_region"]
    assert region["320102"]["intakes"] == 5 and region["320102"]["previous_intakes"] == 1
    assert region["320106"]["group_visit_people"] == 3

    owner = s["by_owner"]
    a1 = owner["A001"]
    assert (a1["name"], a1["group"], a1["cases_owned"]) == ("张敏", "第一党小组", 5)
    assert a1["acceptance_on_time_rate"] == pytest.approx(3 / 4)
    assert a1["handling_on_time_rate"] == pytest.approx(1 / 3)
    assert a1["on_time_rate"] == pytest.approx(4 / 7)
    assert a1["satisfaction_rate"] == 1.0  # C1, C5, C7
    assert a1["tracking_on_time_rate"] == pytest.approx(1 / 2)
    assert owner["A002"]["handling_on_time_rate"] is None
    assert owner["A002"]["tracking_on_time_rate"] is None
    assert owner["A003"]["satisfaction_rate"] == 0.0
    assert owner["G001"]["cases_owned"] == 0
    assert owner["G001"]["tracking_notes"] == 1 and owner["G001"]["tracking_on_time_rate"] == 1.0
    group = s["by_group"]
    assert group["第一党小组"]["intakes"] == 6 and group["第二党小组"]["intakes"] == 1
    assert group["第一党小组"]["tracking_on_time_rate"] == pytest.approx(2 / 3)


def test_hotspots_rise_period_over_period(month: dict[str, Any]) -> None:
    h = month["stats"]["hotspots"]
    top = {t["keyword"]: t for t in h["topics"]}
    assert top["拆迁"]["count"] == 5 and top["拆迁"]["previous"] == 0
    assert "拖欠" not in top  # October's topic fell
    assert h["regions"][0]["region_code"] == "320102" and h["regions"][0]["change"] == 4


def test_regions_are_named_where_the_office_named_them(month: dict[str, Any]) -> None:
    with month["engine"].begin() as conn:
        jurisdiction.configure_office(
            conn, level="province", region_code="320000", regions={"320102": "南京市玄武区"}
        )
    s = november(month["engine"])
    assert s["by_region"]["320102"]["label"] == "南京市玄武区（320102）"
    assert s["by_region"]["320106"]["label"] == "320106"  # not named: the code alone
    assert s["hotspots"]["regions"][0]["label"] == "南京市玄武区（320102）"


def test_keywords_leave_out_names_and_places() -> None:
    assert text.topic_words("玄武区王建国反映拆迁补偿款未发放") == ("拆迁", "补偿款", "发放")


def test_an_empty_period_counts_nothing_and_divides_by_nothing(month: dict[str, Any]) -> None:
    with month["engine"].begin() as conn:
        s = stats.office_stats(
            conn, period=stats.Period(date(2020, 1, 1), date(2020, 1, 31)), tz=TZ
        )
    assert s["intakes"] == 0 and s["group_visits"] == 0
    for key in [*RATE_KEYS, "tracking_on_time_rate", "on_time_rate"]:
        assert s[key] is None, key
        assert s["previous"][key] is None
        assert s["change"][f"{key}_change"] is None
    assert s["by_category"] == {} and s["by_owner"] == {}
    assert s["hotspots"] == {"topics": [], "regions": []}
    json.dumps(s, allow_nan=False)


def test_replies_without_intakes_in_the_period(month: dict[str, Any]) -> None:
    """A late November week: replies but no intakes; only what was counted has a rate."""
    with month["engine"].begin() as conn:
        s = stats.office_stats(
            conn, period=stats.Period(date(2026, 11, 20), date(2026, 11, 30)), tz=TZ
        )
    assert s["intakes"] == 0 and s["repeat_rate"] is None
    assert s["replies"] == 3 and s["handling_on_time_rate"] == pytest.approx(2 / 3)
    assert s["acceptance_decisions"] == 1 and s["acceptance_on_time_rate"] == 0.0


def test_period_parsing() -> None:
    today = date(2026, 11, 26)
    assert stats.parse_period(None, None, today=today) == stats.Period(
        date(2026, 8, 29), date(2026, 11, 26)
    )
    assert stats.Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == stats.Period(
        date(2026, 1, 29), date(2026, 2, 28)
    )
    for bad in (("2026-13-01", "2026-12-01"), ("2026-12-02", "2026-12-01"), ("2000-01-01", None)):
        with pytest.raises(InvalidInput):
            stats.parse_period(*bad, today=today)


def test_rates_are_in_range_or_null(month: dict[str, Any]) -> None:
    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("_rate"):
                    assert item is None or 0.0 <= item <= 1.0, key
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(month["stats"])
    for key in CONTRACT_KEYS:
        assert key in month["stats"]


# --- exports, page and API ----------------------------------------------------------------------


def test_csv_has_a_bom_and_chinese_headers(month: dict[str, Any]) -> None:
    from api.reports import stats_csv

    raw = stats_csv(month["stats"])
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["维度", "项目", "受理量", "上期受理量"]
    overall = rows[1]
    head = rows[0]
    assert overall[0] == "总体" and overall[head.index("受理量")] == "7"
    assert float(overall[head.index("按期受理率")]) == pytest.approx(5 / 6, abs=1e-4)
    previous = rows[2]
    assert previous[head.index("满意率")] == ""  # nothing counted: an empty cell
    assert any(r[0] == "首接责任人" and r[1] == "张敏（A001）" for r in rows)


def test_xlsx_has_chinese_headers_and_percentages(month: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    from api.reports import stats_xlsx

    wb = load_workbook(io.BytesIO(stats_xlsx(month["stats"])))
    ws = wb["统计"]
    head = [c.value for c in ws[2]]
    assert head[:3] == ["维度", "项目", "受理量"]
    cell = ws.cell(row=3, column=head.index("按期受理率") + 1)
    assert cell.value == pytest.approx(5 / 6) and cell.number_format == "0.0%"
    assert ws.cell(row=4, column=head.index("满意率") + 1).value is None
    assert "口径说明" in wb.sheetnames


@pytest.fixture
def web(month: dict[str, Any]) -> dict[str, Any]:
    app = make_app(month["engine"], month["rt"], at("2026-12-01 10:00"))
    return {**month, "app": app, "c": client(app)}


def test_api_stats_keys_and_nulls(web: dict[str, Any]) -> None:
    app, c = web["app"], web["c"]
    r = c.get("/api/v1/stats?from=2026-11-01&to=2026-11-30", headers=bearer(app, "L001"))
    assert r.status_code == 200, r.text
    body = r.json()
    for key in CONTRACT_KEYS:
        assert key in body
    assert body["acceptance_on_time_rate"] == pytest.approx(5 / 6)
    assert body["previous"]["satisfaction_rate"] is None
    empty = c.get("/api/v1/stats?from=2020-01-01&to=2020-01-31", headers=bearer(app, "A001"))
    assert empty.status_code == 200 and empty.json()["satisfaction_rate"] is None
    bad = c.get("/api/v1/stats?from=2026-12-01&to=2026-11-01", headers=bearer(app, "L001"))
    assert bad.status_code == 422 and bad.json()["code"] == "stats.bad_period"
    assert c.get("/api/v1/stats").status_code == 401
    assert c.get("/api/v1/stats", headers=bearer(app, "AD01")).status_code == 403
    xlsx = c.get(
        "/api/v1/stats?from=2026-11-01&to=2026-11-30&format=xlsx", headers=bearer(app, "AU01")
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_reports_page_shows_rates_charts_and_dashes(web: dict[str, Any]) -> None:
    c = web["c"]
    sign_in(c, "B001")
    page = c.get("/reports?from=2026-11-01&to=2026-11-30")
    assert page.status_code == 200
    html = page.text
    assert "统计分析" in html and "83.3%" in html and "张敏（A001）" in html
    assert html.count('src="data:image/png;base64,') >= 4
    assert "'sha256-" in page.headers["content-security-policy"]
    empty = c.get("/reports?from=2020-01-01&to=2020-01-31").text
    assert "—" in empty and "None" not in empty and "本期无数据" in empty
    csv_file = c.get("/reports?from=2026-11-01&to=2026-11-30&format=csv")
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in csv_file.headers["content-disposition"]


def test_reports_page_refuses_admins_and_strangers(web: dict[str, Any]) -> None:
    c = web["c"]
    assert c.get("/reports").status_code == 303  # to /login
    sign_in(c, "AD01")
    assert c.get("/reports").status_code == 403


def test_charts_have_a_cjk_font() -> None:
    from cases.reports import charts

    assert charts.cjk_font() is not None, "install fonts-wqy-microhei"
    png = charts.compare_bars("按期受理率", ["一组", "二组"], [0.5, 1.0], [0.2, 0.0], percent=True)
    assert png.startswith(b"\x89PNG")


def test_the_migration_fills_the_counted_facts_of_earlier_steps(month: dict[str, Any]) -> None:
    """Migration 0005 fills, for steps taken before the columns existed, what each step now
    writes itself: the statistics come out the same."""
    engine = month["engine"]
    case_t, event_t = tables.case_t, tables.event_t
    with engine.begin() as conn:
        conn.execute(
            update(case_t).values(
                decided_at=None, decided_on_time=None, replied_at=None, replied_on_time=None
            )
        )
        conn.execute(update(event_t).values(on_time=None))
    assert november(engine)["acceptance_decisions"] == 0
    with engine.begin() as conn:
        migration_0005().backfill(conn)
    assert november(engine) == month["stats"]


def migration_0005() -> Any:
    """Revision 0005 as Alembic loads it: from its file (revisions are not a package to import)."""
    path = MIGRATIONS / "versions" / "0005_report_facts.py"
    spec = importlib.util.spec_from_file_location("revision_0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
