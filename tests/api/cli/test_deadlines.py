"""`shoujie deadline` and `shoujie calendar load` (with the sweep that reads the moved deadline)."""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.api.cli.helpers import intake_case


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
    no = intake_case(shoujie, capsys)["case_no"]
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
    assert datetime.fromisoformat(result["now"]) == datetime.fromisoformat(
        "2027-02-20T09:00:00+08:00"
    )
    # Two running clocks, each climbing its whole ladder (workflow/escalation.py) by 2027-02-20:
    # - handling, due 2027-01-28: 预警 from 2027-01-16 (a fifth of the period before its end),
    #   超期 after 01-28, 督办 after 3 working days (02-02), 挂牌督办 after 10 (02-11), the loaded
    #   2027 schedule resting only 01-25 to 01-27;
    # - tracking, 7 日 from intake (due 2026-12-03), whose ladder stops at 超期.
    assert result["examined"] == 2
    assert result["fired"] == {"warning": 2, "overdue": 2, "supervision": 1, "flagged": 1}
    assert result["closed_on_lapse"] == 0
    assert shoujie("case", "show", no, "--json") == 0
    levels = {c["name"]: c["level"] for c in json.loads(capsys.readouterr().out)["clocks"]}
    assert levels == {"acceptance": None, "handling": "flagged", "tracking": "overdue"}
    # A second pass at the same instant fires nothing again.
    assert shoujie("sweep", "--now", "2027-02-20T09:00:00+08:00", "--json") == 0
    again = json.loads(capsys.readouterr().out)
    assert again["fired"] == {"warning": 0, "overdue": 0, "supervision": 0, "flagged": 0}
