"""`shoujie office set|show`: the office's level and region, its organs and its amendments to the
list of regions, each checked against that list."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.cli.helpers import intake_case
from tests.factories import intake_body


def test_the_office_sets_its_level_and_amends_the_list_of_regions(
    shoujie: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A city's office: a district's matter is one level below (lawful), not 越级访, and the
    transfer offer names the district's organ from the list. A county set up after the bundled
    list is loaded from a CSV in the columns of 民政部's table, and intake then accepts it."""
    assert shoujie("office", "set", "--level", "city", "--region", "320100") == 0
    assert "南京市（320100）" in capsys.readouterr().out
    case = intake_case(shoujie, capsys)
    assert case["flags"]["skip_level"] is False
    assert case["jurisdiction"]["organ"] == "南京市玄武区信访工作机构"

    capsys.readouterr()
    assert shoujie("case", "intake", "--as", "A017", "--json", "-", stdin=_body("653132")) == 2
    assert "653132" in capsys.readouterr().err
    table = tmp_path / "amendments.csv"
    table.write_text("行政区划代码,单位名称\n653132,岑岭县\n", encoding="utf-8-sig")
    assert (
        shoujie("office", "set", "--level", "city", "--region", "320100", "--regions", str(table))
        == 0
    )
    capsys.readouterr()
    assert shoujie("office", "show", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["level"], shown["region_code"], shown["region_label"]) == (
        "city",
        "320100",
        "南京市（320100）",
    )
    assert shown["regions"] == {"653132": "岑岭县"}
    assert shoujie("case", "intake", "--as", "A017", "--json", "-", stdin=_body("653132")) == 0
    assert json.loads(capsys.readouterr().out)["region_code"] == "653132"


@pytest.mark.parametrize(
    ("args", "organs", "says"),
    [
        (["--level", "city", "--region", "3201"], None, "行政区划代码应为6位数字"),
        (["--level", "city", "--region", "999999"], None, "不在行政区划表"),
        (["--level", "county", "--region", "320100"], None, "与本机关层级（县级）不符"),
        (["--level", "city", "--region", "320100"], {"3201": "x"}, "行政区划代码"),
        (["--level", "city", "--region", "320100"], {"999999": "某局"}, "999999"),
    ],
)
def test_a_bad_office_setting_is_refused_with_exit_2(
    shoujie: Any,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    organs: dict[str, str] | None,
    says: str,
) -> None:
    if organs is not None:
        path = tmp_path / "organs.json"
        path.write_text(json.dumps(organs), encoding="utf-8")
        args = [*args, "--organs", str(path)]
    capsys.readouterr()
    assert shoujie("office", "set", *args) == 2
    assert says in capsys.readouterr().err


def _body(region: str) -> str:
    return json.dumps(intake_body(region_code=region))
