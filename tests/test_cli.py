"""The `shoujie` command line as an operator uses it: exit codes, JSON, errors on stderr."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from api.cli.main import main
from cases import db as cases_db
from cases.models import CaseEvent
from cases.settings import settings
from tests.factories import intake_body


@pytest.fixture
def shoujie(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Run `shoujie …` in-process against a fresh SQLite file at a fixed test instant."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", url)
    monkeypatch.setenv("SHOUJIE_ENV", "test")
    monkeypatch.setenv("SHOUJIE_NOW", "2026-11-26T09:30:00+08:00")
    settings.cache_clear()

    def run(*args: str, stdin: str | None = None) -> int:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", __import__("io").StringIO(stdin))
        return main(list(args))

    assert run("db", "upgrade") == 0
    for no, name, role, post in (
        ("A017", "张敏", "receptionist", None),
        ("A018", "李强", "receptionist", None),
        ("S002", "陈刚", "supervisor", "group_leader"),
    ):
        extra = ["--post", post] if post else []
        assert run("user", "add", "--staff-no", no, "--name", name, "--role", role, *extra) == 0
    run.url = url  # type: ignore[attr-defined]
    yield run
    settings.cache_clear()
    cases_db.engine_for.cache_clear()


def _intake(shoujie: Any, capsys: pytest.CaptureFixture[str], **overrides: Any) -> dict[str, Any]:
    capsys.readouterr()
    assert (
        shoujie(
            "case",
            "intake",
            "--as",
            "A017",
            "--json",
            "-",
            stdin=json.dumps(intake_body(**overrides)),
        )
        == 0
    )
    return json.loads(capsys.readouterr().out)


def test_intake_prints_case_json_with_query_code_once(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The case JSON of contract.md, the 查询码 shown once, the acceptance deadline reckoned."""
    case = _intake(shoujie, capsys)
    assert case["case_no"] == "2026-000001" and case["state"] == "registered"
    assert case["owner"] == {"staff_no": "A017", "name": "张敏"}
    assert len(case["query_code"]) == 10
    acceptance = next(c for c in case["clocks"] if c["name"] == "acceptance")
    assert acceptance["due_date"] == "2026-12-11" and "15日" in acceptance["reckoning"]
    assert shoujie("case", "show", case["case_no"], "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert "query_code" not in shown and shown["events"][0]["action"] == "intake"


def test_intake_flags_a_skip_level_visit(shoujie: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A county's matter (320102) at the province's office (the default) is 越级访; with the lower
    organ's opinion (--handled-below) it is not."""
    case = _intake(shoujie, capsys)
    assert case["flags"]["skip_level"] is True
    assert case["jurisdiction"]["organ"] == "行政区划320102的县级信访工作机构"
    capsys.readouterr()
    body = json.dumps(intake_body())
    assert (
        shoujie("case", "intake", "--as", "A017", "--json", "-", "--handled-below", stdin=body) == 0
    )
    assert json.loads(capsys.readouterr().out)["flags"]["skip_level"] is False


def test_exit_codes(shoujie: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """2 bad input · 3 not allowed now · 4 permission denied · 5 stale version · 6 not found."""
    no = _intake(shoujie, capsys)["case_no"]
    assert shoujie("case", "intake", "--as", "A017", "--json", "-", stdin="{not json") == 2
    assert "JSON" in capsys.readouterr().err
    assert shoujie("case", "act", no, "accept", "--as", "A018") == 4
    assert "本人首接" in capsys.readouterr().err
    assert shoujie("case", "act", no, "close", "--as", "A017") == 3
    err = capsys.readouterr().err
    assert "已登记" in err and "accept, transfer, assign, withdraw, note" in err
    assert (
        shoujie(
            "case", "act", no, "note", "--as", "A017", "--json", "-", stdin='{"text": "已电话联系"}'
        )
        == 0
    )
    assert shoujie("case", "act", no, "accept", "--as", "A017", "--if-version", "1") == 5
    assert "已被他人修改" in capsys.readouterr().err
    assert shoujie("case", "act", "2026-999999", "accept", "--as", "A017") == 6
    assert (
        shoujie(
            "case",
            "act",
            no,
            "extend",
            "--as",
            "S002",
            "--json",
            "-",
            stdin='{"days": 31, "reason": "x"}',
        )
        == 3
    )
    assert shoujie("case", "act", no, "accept", "--as", "A017") == 0
    assert (
        shoujie(
            "case",
            "act",
            no,
            "extend",
            "--as",
            "S002",
            "--json",
            "-",
            stdin='{"days": 31, "reason": "x"}',
        )
        == 2
    )
    assert "1至30日" in capsys.readouterr().err


def test_list_json_is_an_array_filtered_by_owner_and_state(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`case list --json` prints an array of case objects."""
    a = _intake(shoujie, capsys)["case_no"]
    _intake(shoujie, capsys)
    shoujie("case", "act", a, "accept", "--as", "A017")
    capsys.readouterr()
    assert shoujie("case", "list", "--owner", "A017", "--state", "accepted", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["case_no"] for c in listed] == [a]


def test_deadline_json_matches_the_contract(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """2026-09-20 + 15 日 rolls over 国庆节 to 2026-10-08."""
    capsys.readouterr()
    assert shoujie("deadline", "2026-09-20", "15", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["due_date"] == "2026-10-08" and out["unit"] == "calendar" and not out["provisional"]
    assert "国庆节" in out["reckoning"]
    assert shoujie("deadline", "2026-12-20", "60", "--json") == 0
    assert json.loads(capsys.readouterr().out)["provisional"] is True


def test_sweep_json_and_calendar_load(
    shoujie: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A provisional 2027 deadline becomes official, and moves, when the 2027 schedule is loaded."""
    no = _intake(shoujie, capsys)["case_no"]
    shoujie(
        "case", "act", no, "accept", "--as", "A017"
    )  # handling: 60 日 from 2026-11-26 → 2027-01-25
    capsys.readouterr()
    schedule = {
        "year": 2027,
        "holidays": [{"start": "2027-01-25", "end": "2027-01-27", "name": "测试假日"}],
    }
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(schedule, ensure_ascii=False), encoding="utf-8")
    assert shoujie("calendar", "load", str(path)) == 0
    assert "2027-01-25 → 2027-01-28" in capsys.readouterr().out
    assert shoujie("case", "show", no, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    handling = next(c for c in shown["clocks"] if c["name"] == "handling")
    assert handling["due_date"] == "2027-01-28" and handling["provisional"] is False
    assert shown["events"][-1]["action"] == "deadline_changed"
    assert shoujie("sweep", "--now", "2027-02-20T09:00:00+08:00", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert {"now", "examined", "fired", "closed_on_lapse"} <= set(result)
    assert result["fired"]["overdue"] >= 1


def test_audit_verify_names_a_tampered_event(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`audit verify` says OK with the count, and exit 1 naming the event once a row is edited."""
    no = _intake(shoujie, capsys)["case_no"]
    shoujie("case", "act", no, "accept", "--as", "A017")
    capsys.readouterr()
    assert shoujie("audit", "verify") == 0
    assert capsys.readouterr().out.strip() == "OK 2 events"
    engine = cases_db.make_engine(shoujie.url)
    with engine.begin() as conn:
        t = CaseEvent.__table__
        conn.execute(update(t).where(t.c.seq == 2).values(actor_staff_no="A018"))
    engine.dispose()
    assert shoujie("audit", "verify") == 1
    assert f"{no} 第2条" in capsys.readouterr().err


def test_fixed_now_is_refused_outside_tests(
    shoujie: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SHOUJIE_NOW is refused at start-up unless SHOUJIE_ENV=test."""
    monkeypatch.setenv("SHOUJIE_ENV", "dev")
    settings.cache_clear()
    assert shoujie("case", "list") == 2
    assert "SHOUJIE_NOW" in capsys.readouterr().err


def test_the_office_sets_its_level_and_names_its_regions(
    shoujie: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A city's office: a district's matter is one level below (lawful), not 越级访; the transfer
    offer names the district's organ; a bad level or code is refused with exit 2."""
    regions = tmp_path / "regions.json"
    regions.write_text(json.dumps({"320102": "南京市玄武区"}), encoding="utf-8")
    assert (
        shoujie("office", "set", "--level", "city", "--region", "320100", "--regions", str(regions))
        == 0
    )
    capsys.readouterr()
    assert shoujie("office", "show", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["level"], shown["region_code"]) == ("city", "320100")
    assert shown["regions"] == {"320102": "南京市玄武区"}
    case = _intake(shoujie, capsys)
    assert case["flags"]["skip_level"] is False
    assert case["jurisdiction"]["organ"] == "南京市玄武区信访工作机构"
    assert shoujie("office", "set", "--level", "city", "--region", "3201") == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"3201": "x"}), encoding="utf-8")
    assert (
        shoujie("office", "set", "--level", "city", "--region", "320100", "--organs", str(bad)) == 2
    )
    assert "行政区划代码" in capsys.readouterr().err
