"""The closure report (结案报告): what it says, who may read it, its print view, its PDF (the
Chinese text read back with pdftotext, the pages rendered with pdftoppm and not blank), the
command line (one case, a month in one file) and its refusals."""

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from cases.casework import actions, intake
from cases.db import engine_for
from cases.reports import closure, progress
from cases.runtime import Runtime
from cases.settings import settings
from conftest import TZ, at
from tests.factories import case_in_state, intake_body, make_office
from tests.web import bearer, client, make_app, make_web_office, sign_in
from workflow.errors import ActionNotAllowed

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext) not installed")


def _act(
    engine: Engine, rt: Runtime, case_no: str, action: str, when: str, who: str, **p: Any
) -> None:
    with engine.begin() as conn:
        actions.act(
            conn, rt, case_no=case_no, action=action, actor_staff_no=who, payload=p, now=at(when)
        )


def _intake(engine: Engine, rt: Runtime, when: str, **body: Any) -> str:
    with engine.begin() as conn:
        return intake.intake(
            conn,
            rt,
            body=intake_body(received_at=at(when).isoformat(), **body),
            actor_staff_no="A001",
            now=at(when),
        )["case_no"]


def build_cases(engine: Engine, rt: Runtime) -> dict[str, str]:
    """A case taken all the way to 终结 (extended, reviewed, re-examined with a hearing, rated),
    a case accepted late and still open, and an accusation against 某区住建局, closed."""
    make_web_office(engine, at("2026-06-01 09:00"))
    full = _intake(engine, rt, "2026-07-01 10:00")
    _act(engine, rt, full, "accept", "2026-07-02 10:00", "A001")
    _act(engine, rt, full, "note", "2026-07-06 10:00", "A001", text="电话联系信访人")
    _act(engine, rt, full, "extend", "2026-08-20 10:00", "G001", days=30, reason="需要实地调查")
    _act(
        engine,
        rt,
        full,
        "reply",
        "2026-09-25 10:00",
        "H001",
        outcome="explain",
        opinion="依法解释说明",
    )
    _act(engine, rt, full, "request_review", "2026-09-28 10:00", "A001")
    _act(engine, rt, full, "reply_review", "2026-10-20 10:00", "G001", opinion="维持原处理意见")
    _act(engine, rt, full, "request_reexamination", "2026-10-22 10:00", "A001")
    _act(engine, rt, full, "start_hearing", "2026-10-26 10:00", "G001")
    _act(engine, rt, full, "end_hearing", "2026-10-27 10:00", "G001")
    _act(engine, rt, full, "reply_reexamination", "2026-11-10 10:00", "L001", opinion="复核维持")
    _act(
        engine,
        rt,
        full,
        "record_evaluation",
        "2026-11-12 10:00",
        "A001",
        rating="basically_satisfied",
    )
    late = _intake(engine, rt, "2026-11-02 10:00")
    _act(engine, rt, late, "accept", "2026-11-25 10:00", "A001")
    secret = _intake(
        engine,
        rt,
        "2026-11-03 10:00",
        category="accusation",
        subject="举报违规审批",
        accused={"name": "李某", "unit": "某区住建局"},
    )
    _act(engine, rt, secret, "accept", "2026-11-04 10:00", "A001")
    _act(
        engine, rt, secret, "reply", "2026-11-20 10:00", "A001", outcome="support", opinion="已查实"
    )
    # Inside the review window: closed with the petitioner's waiver (条例第三十五条).
    _act(
        engine,
        rt,
        secret,
        "close",
        "2026-11-24 10:00",
        "A001",
        waiver={"date": "2026-11-23", "how": "电话记录"},
    )
    return {"full": full, "late": late, "secret": secret}


@pytest.fixture
def world(sqlite_engine: Engine, rt: Runtime) -> dict[str, Any]:
    numbers = build_cases(sqlite_engine, rt)
    app = make_app(sqlite_engine, rt, at("2026-11-26 10:00"))
    return {"app": app, "engine": sqlite_engine, "rt": rt, **numbers}


def test_the_report_says_what_happened(world: dict[str, Any]) -> None:
    with world["engine"].begin() as conn:
        r = closure.closure_report(
            conn,
            world["rt"],
            case_no=world["full"],
            viewer_staff_no="G001",
            now=at("2026-11-26 10:00"),
        )
    assert r["closed"] and r["title"] == "信访事项结案报告" and r["state_label"] == "已终结"
    assert r["case"]["owner"] == {"staff_no": "A001", "name": "张敏"}
    assert [s["action"] for s in r["steps"]][:3] == ["intake", "accept", "note"]
    assert r["steps"][3]["actor_name"] == "陈刚"
    verdicts = {c["name"]: (c["kind"], c["verdict"]) for c in r["clocks"]}
    assert verdicts["acceptance"] == ("on_time", "按期")
    # Replied after the 60 days but within the 30 the extension added.
    assert verdicts["handling"] == ("on_time", "按期")
    assert verdicts["review_window"] == ("ended", "信访人已提出请求")
    assert verdicts["reexamination"][0] == "on_time"
    assert r["tracking"]["notes"] == 1 and r["tracking"]["notes_on_time"] == 1
    assert r["extension"]["days"] == 30 and r["extension"]["reason"] == "需要实地调查"
    assert r["extension"]["actor"] == "G001"
    assert (r["outcome"], r["opinion"]) == ("解释说明", "依法解释说明")
    assert r["review"]["opinion"] == "维持原处理意见" and r["review"]["replied_at"] is not None
    assert r["reexamination"]["opinion"] == "复核维持" and len(r["hearings"]) == 2
    assert r["rating"] == "基本满意" and r["ended_by"] == "复核答复（终结）"


def test_an_open_case_has_its_progress_not_a_closure_report(world: dict[str, Any]) -> None:
    """The late case is still open (受理 late, 办理 running): its print is 进展情况."""
    now = at("2026-11-26 10:00")
    with world["engine"].begin() as conn:
        with pytest.raises(ActionNotAllowed) as refused:
            closure.closure_report(
                conn, world["rt"], case_no=world["late"], viewer_staff_no=None, now=now
            )
        r = progress.progress_report(
            conn, world["rt"], case_no=world["late"], viewer_staff_no="G001", now=now
        )
        with pytest.raises(ActionNotAllowed) as ended:
            progress.progress_report(
                conn, world["rt"], case_no=world["full"], viewer_staff_no="G001", now=now
            )
    assert refused.value.code == "report.case_open" and "尚未结案" in refused.value.message
    assert "进展情况" in refused.value.message
    assert ended.value.code == "report.case_ended"
    assert r["title"] == "信访事项进展情况" and r["state_label"] == "已受理"
    acceptance = next(c for c in r["clocks"] if c["name"] == "acceptance")
    # Due 2026-11-17 (15 日 from 11-02), decided 11-25.
    assert acceptance["due_date"] == "2026-11-17"
    assert (acceptance["kind"], acceptance["verdict"]) == ("late", "超期8日")
    # Pending: the handling period from the acceptance on 11-25, and the next tracking note.
    pending = {p["label"]: p for p in r["pending"]}
    assert set(pending) == {"办理期限", "跟踪记录周期"}
    handling = pending["办理期限"]
    assert (handling["awaits"], handling["kind"], handling["level"]) == (
        "出具处理意见书",
        "running",
        "",
    )
    handling_clock = next(c for c in r["case"]["clocks"] if c["name"] == "handling")
    assert handling["due_date"] == handling_clock["due_date"]
    assert handling["standing"].startswith("计时中，距届满")
    assert "reply" in r["allowed_actions"]


def test_print_view_is_a4_with_its_own_style(world: dict[str, Any]) -> None:
    c = client(world["app"])
    sign_in(c, "A001")
    r = c.get(f"/cases/{world['full']}/closure-report")
    assert r.status_code == 200
    assert (
        "size: A4" in r.text and '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif' in r.text
    )
    assert "信访事项结案报告" in r.text and "首接责任人（签字）" in r.text
    assert "本件尚未结案" not in r.text
    assert "'sha256-" in r.headers["content-security-policy"]
    assert "script-src 'none'" in r.headers["content-security-policy"]


def test_the_case_page_offers_the_print_its_state_has(world: dict[str, Any]) -> None:
    """结案报告 once the matter has ended; 进展情况 while it is open; the other is refused (409)."""
    app = world["app"]
    c = client(app)
    sign_in(c, "A001")
    open_page = c.get(f"/cases/{world['late']}").text
    assert "进展情况" in open_page and "结案报告" not in open_page
    assert f"/cases/{world['late']}/progress?format=pdf" in open_page
    ended_page = c.get(f"/cases/{world['full']}").text
    assert "结案报告" in ended_page and "进展情况" not in ended_page
    refused = c.get(f"/cases/{world['late']}/closure-report")
    assert refused.status_code == 409 and "尚未结案" in refused.text
    assert c.get(f"/cases/{world['full']}/progress").status_code == 409
    view = c.get(f"/cases/{world['late']}/progress")
    assert view.status_code == 200 and "size: A4" in view.text
    for words in ("信访事项进展情况", "本件正在办理", "待办事项", "出具处理意见书", "超期8日"):
        assert words in view.text, words
    assert "首接责任人（签字）" not in view.text
    api = c.get(f"/api/v1/cases/{world['late']}/closure-report.pdf", headers=bearer(app, "G001"))
    assert api.status_code == 409 and api.json()["code"] == "report.case_open"
    assert "尚未结案" in api.json()["detail"] and "reply" in api.json()["allowed_actions"]
    pdf = c.get(f"/api/v1/cases/{world['late']}/progress.pdf", headers=bearer(app, "G001"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = c.get(f"/api/v1/cases/{world['full']}/progress.pdf", headers=bearer(app, "G001"))
    assert again.status_code == 409 and again.json()["code"] == "report.case_ended"


def test_who_may_read_a_closure_report(world: dict[str, Any]) -> None:
    app, no = world["app"], world["full"]
    url = f"/api/v1/cases/{no}/closure-report.pdf"
    c = client(app)
    assert c.get(url).status_code == 401
    assert c.get(url, headers=bearer(app, "AD01")).status_code == 403  # admin: no case reading
    # A receptionist reads the reports of the cases they own, not a colleague's.
    refused = c.get(url, headers=bearer(app, "A002"))
    assert refused.status_code == 403 and refused.json()["code"] == "case.summary_only"
    assert c.get(f"/cases/{no}/closure-report").status_code == 303  # pages: sign in first
    for staff_no, status in (
        ("A001", 200),
        ("H001", 200),
        ("G001", 200),
        ("L001", 200),
        ("AU01", 200),
        ("A002", 403),
        ("AD01", 403),
    ):
        page = client(app)
        sign_in(page, staff_no)
        assert page.get(f"/cases/{no}/closure-report").status_code == status, staff_no
    assert (
        c.get(
            "/api/v1/cases/2026-999999/closure-report.pdf", headers=bearer(app, "G001")
        ).status_code
        == 404
    )


def test_the_accused_unit_never_sees_who_accused(world: dict[str, Any]) -> None:
    """条例第三十条第三款: X001 works for 某区住建局, the unit the accusation is about."""
    app, no = world["app"], world["secret"]
    for staff_no, sees in (("X001", False), ("G001", True)):
        c = client(app)
        sign_in(c, staff_no)
        html = c.get(f"/cases/{no}/closure-report").text
        assert ("王建国" in html) is sees
        assert ("1101**********002X" in html) is sees
        assert ("已查实" in html) is sees  # the opinion may name the accuser
        assert ("举报违规审批" in html) is sees  # nor what the unit is accused of
        # Closed inside the review window with the petitioner's waiver (条例第三十五条).
        assert ("信访人于2026-11-23以电话记录方式表示不申请复查" in html) is sees
        if not sees:
            assert "（保密）" in html and "第三十条第三款" in html


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def assert_pages_not_blank(path: Path, tmp: Path) -> int:
    """Render every page (pdftoppm) and count the inked pixels of each; return the page count."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp / "page")], check=True)
    pages = sorted(tmp.glob("page*.png"))
    assert pages
    for page in pages:
        gray = Image.open(page).convert("L")
        inked = sum(gray.histogram()[:200])  # pixels darker than light grey
        assert inked > 0.01 * gray.width * gray.height, f"{page.name} is blank"
    return len(pages)


@needs_poppler
def test_pdf_holds_the_chinese_text_and_renders(world: dict[str, Any], tmp_path: Path) -> None:
    app, no = world["app"], world["full"]
    r = client(app).get(f"/api/v1/cases/{no}/closure-report.pdf", headers=bearer(app, "L001"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    path = tmp_path / "closure.pdf"
    path.write_bytes(r.content)
    text = pdf_text(path)
    for words in (
        "信访事项结案报告",
        no,
        "张敏（工号 A001）",
        "1101**********002X",
        "拆迁补偿款未发放",
        "延长期限",
        "需要实地调查",
        "按期",
        "维持原处理意见",
        "复核维持",
        "基本满意",
        "首接责任人（签字）",
    ):
        assert words in text, words
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts
    assert assert_pages_not_blank(path, tmp_path) >= 1


@pytest.fixture
def month_cases(engine: Engine, rt: Runtime) -> dict[str, Any]:
    make_office(engine, at("2026-10-01 09:00"))
    when = at("2026-11-05 10:00")
    numbers = {s: case_in_state(engine, rt, s, when) for s in ("concluded", "closed", "rejected")}
    return {"engine": engine, "numbers": numbers}


def test_a_months_closed_cases(month_cases: dict[str, Any]) -> None:
    n = month_cases["numbers"]
    with month_cases["engine"].begin() as conn:
        found = closure.month_case_numbers(conn, year=2026, month=11, tz=TZ)
        assert closure.month_case_numbers(conn, year=2026, month=10, tz=TZ) == []
    assert sorted(found) == sorted([n["concluded"], n["closed"], n["rejected"]])


def test_a_rejection_is_the_acceptance_decision(month_cases: dict[str, Any], rt: Runtime) -> None:
    with month_cases["engine"].begin() as conn:
        r = closure.closure_report(
            conn,
            rt,
            case_no=month_cases["numbers"]["rejected"],
            viewer_staff_no=None,
            now=at("2026-11-26 10:00"),
        )
    acceptance = next(c for c in r["clocks"] if c["name"] == "acceptance")
    assert (acceptance["kind"], acceptance["stopped_by"]) == ("on_time", "不予受理")
    assert r["reject"]["reason"] == "应当通过诉讼途径解决" and r["ended_by"] == "不予受理"


# --- the command line -----------------------------------------------------------------------------


@pytest.fixture
def shoujie(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``shoujie …`` in-process on a SQLite file at a fixed instant, with three November cases."""
    from api.cli.main import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", url)
    monkeypatch.setenv("SHOUJIE_ENV", "test")
    monkeypatch.setenv("SHOUJIE_NOW", "2026-11-26T09:30:00+08:00")
    settings.cache_clear()
    assert main(["db", "upgrade"]) == 0
    engine = engine_for(url)
    rt = Runtime.from_settings(settings())
    make_office(engine, at("2026-10-01 09:00"))
    when = at("2026-11-05 10:00")
    numbers = {s: case_in_state(engine, rt, s, when) for s in ("concluded", "closed", "rejected")}

    def run(*args: str) -> int:
        return main(list(args))

    run.numbers = numbers  # type: ignore[attr-defined]
    run.open_case = lambda: case_in_state(engine, rt, "accepted", when)  # type: ignore[attr-defined]
    yield run
    settings.cache_clear()
    engine_for.cache_clear()


@needs_poppler
def test_cli_closure_report_pdf_and_html(
    shoujie: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    no = shoujie.numbers["concluded"]
    out = tmp_path / "one.pdf"
    assert shoujie("report", "closure", no, "-o", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF") and no in pdf_text(out)
    html = tmp_path / "one.html"
    assert shoujie("report", "closure", no, "-o", str(html)) == 0
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "信访事项结案报告" in page and "@page" in page


@needs_poppler
def test_cli_a_months_reports_in_one_file(
    shoujie: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "november.pdf"
    capsys.readouterr()
    assert shoujie("report", "closure", "--month", "2026-11", "-o", str(out)) == 0
    captured = capsys.readouterr()
    assert "结案报告" in captured.err and "3/3" in captured.err  # the progress bar
    text = pdf_text(out)
    for no in shoujie.numbers.values():
        assert no in text
    assert assert_pages_not_blank(out, tmp_path) >= 3


def test_cli_closure_refusals(shoujie: Any, tmp_path: Path) -> None:
    no = shoujie.numbers["closed"]
    assert shoujie("report", "closure", no, "-o", str(tmp_path / "x.txt")) == 2
    assert shoujie("report", "closure", "-o", str(tmp_path / "x.pdf")) == 2
    assert (
        shoujie("report", "closure", no, "--month", "2026-11", "-o", str(tmp_path / "x.pdf")) == 2
    )
    assert shoujie("report", "closure", "--month", "2026-13", "-o", str(tmp_path / "x.pdf")) == 2
    assert shoujie("report", "closure", "--month", "2020-01", "-o", str(tmp_path / "x.pdf")) == 6
    assert shoujie("report", "closure", "2026-999999", "-o", str(tmp_path / "x.html")) == 6
    assert shoujie("report", "closure", no, "--as", "A002", "-o", str(tmp_path / "x.html")) == 4
    assert shoujie("report", "closure", no, "--as", "A001", "-o", str(tmp_path / "x.html")) == 0


def test_cli_prints_by_the_cases_state(shoujie: Any, tmp_path: Path) -> None:
    """An open case: no closure report (exit 3), its progress print instead; an ended one: the
    other way round."""
    open_no = shoujie.open_case()
    closed_no = shoujie.numbers["closed"]
    assert shoujie("report", "closure", open_no, "-o", str(tmp_path / "x.html")) == 3
    out = tmp_path / "progress.html"
    assert shoujie("report", "progress", open_no, "-o", str(out)) == 0
    assert "信访事项进展情况" in out.read_text(encoding="utf-8")
    assert shoujie("report", "progress", closed_no, "-o", str(tmp_path / "y.html")) == 3
    assert shoujie("report", "progress", open_no, "--as", "A002", "-o", str(out)) == 4
    assert shoujie("report", "progress", open_no, "--as", "G001", "-o", str(out)) == 0


def test_cli_stats(shoujie: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert shoujie("report", "stats", "--from", "2026-11-01", "--to", "2026-11-30") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intakes"] == 3 and data["acceptance_on_time_rate"] == 1.0
    assert data["satisfaction_rate"] is None and "by_owner" in data and "hotspots" in data
    out = tmp_path / "s.csv"
    args = ("report", "stats", "--from", "2026-11-01", "--to", "2026-11-30")
    assert shoujie(*args, "--format", "csv", "-o", str(out)) == 0
    assert out.read_bytes().startswith("\ufeff维度".encode())
    assert shoujie(*args, "--format", "xlsx") == 2  # a workbook needs a file
    assert shoujie(*args, "--format", "xlsx", "-o", str(tmp_path / "s.xlsx")) == 0
    assert (tmp_path / "s.xlsx").read_bytes()[:2] == b"PK"
    assert shoujie("report", "stats", "--from", "2026-11-31", "--to", "2026-12-01") == 2
