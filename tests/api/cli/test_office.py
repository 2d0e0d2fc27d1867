"""`shoujie office set|show`: the office's level and region, and the names it uses."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.cli.helpers import intake_case


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
    case = intake_case(shoujie, capsys)
    assert case["flags"]["skip_level"] is False
    assert case["jurisdiction"]["organ"] == "南京市玄武区信访工作机构"
    assert shoujie("office", "set", "--level", "city", "--region", "3201") == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"3201": "x"}), encoding="utf-8")
    assert (
        shoujie("office", "set", "--level", "city", "--region", "320100", "--organs", str(bad)) == 2
    )
    assert "行政区划代码" in capsys.readouterr().err
