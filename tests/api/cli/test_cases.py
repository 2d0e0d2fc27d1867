"""`shoujie case intake|act|show|list`: the case JSON, the 查询码 once, 越级访, the exit codes."""

import json
from typing import Any

import pytest

from tests.api.cli.helpers import intake_case
from tests.factories import VALID_ID, intake_body


def test_intake_prints_case_json_with_query_code_once(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The case JSON of contract.md, the 查询码 shown once, the acceptance deadline reckoned."""
    case = intake_case(shoujie, capsys)
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
    case = intake_case(shoujie, capsys)
    assert case["flags"]["skip_level"] is True
    assert case["jurisdiction"]["organ"] == "南京市玄武区信访工作机构"
    capsys.readouterr()
    body = json.dumps(intake_body())
    assert (
        shoujie("case", "intake", "--as", "A017", "--json", "-", "--handled-below", stdin=body) == 0
    )
    assert json.loads(capsys.readouterr().out)["flags"]["skip_level"] is False


def test_exit_codes(shoujie: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """2 bad input · 3 not allowed now · 4 permission denied · 5 stale version · 6 not found."""
    no = intake_case(shoujie, capsys)["case_no"]
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
    a = intake_case(shoujie, capsys)["case_no"]
    intake_case(shoujie, capsys)
    shoujie("case", "act", a, "accept", "--as", "A017")
    capsys.readouterr()
    assert shoujie("case", "list", "--owner", "A017", "--state", "accepted", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["case_no"] for c in listed] == [a]


def test_a_letter_is_never_a_skip_level_visit(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same county's matter by letter, call or online: transferred, never 越级访 (第二十条)."""
    for channel in ("letter", "call", "online"):
        case = intake_case(shoujie, capsys, channel=channel)
        assert case["flags"]["skip_level"] is False, channel
        assert case["jurisdiction"]["offer_transfer"] is True


def test_the_statute_on_the_command_line(shoujie: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 3 for a transfer to the accused unit (第三十条第三款); exit 2 for a close inside the
    review window without the petitioner's waiver, 0 with it (第三十五条)."""
    accusation = intake_case(
        shoujie, capsys, category="accusation", accused={"name": "李某", "unit": "某区住建局"}
    )["case_no"]
    organ = json.dumps({"organ": "某区住建局"})
    assert (
        shoujie("case", "act", accusation, "transfer", "--as", "A017", "--json", "-", stdin=organ)
        == 3
    )
    err = capsys.readouterr().err
    assert "第三十条第三款" in err and "某区住建局" in err
    no = intake_case(shoujie, capsys)["case_no"]
    reply = json.dumps({"outcome": "support", "opinion": "予以支持"})
    assert shoujie("case", "act", no, "accept", "--as", "A017") == 0
    assert shoujie("case", "act", no, "reply", "--as", "A017", "--json", "-", stdin=reply) == 0
    assert shoujie("case", "act", no, "close", "--as", "A017") == 2
    assert "不申请复查" in capsys.readouterr().err
    waiver = json.dumps({"waiver": {"date": "2026-11-26", "how": "书面"}})
    assert shoujie("case", "act", no, "close", "--as", "A017", "--json", "-", stdin=waiver) == 0
    closed = json.loads(capsys.readouterr().out)
    assert closed["state"] == "closed"
    assert closed["details"]["waiver"] == {"date": "2026-11-26", "how": "书面", "waives": "review"}


def test_reissue_code_checks_the_identity_read_from_stdin(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`shoujie case reissue-code`: the ID number from stdin (out of the shell's history); a
    mismatch is bad input (exit 2), a match prints the new 查询码 once."""
    case = intake_case(shoujie, capsys)
    no = case["case_no"]
    assert shoujie("case", "reissue-code", no, "--as", "A017", stdin="110105198001010016\n") == 2
    assert "身份证号码与登记的信访人不符" in capsys.readouterr().err
    code = shoujie(
        "case", "reissue-code", no, "--as", "A017", "--json", stdin=VALID_ID.lower() + "\n"
    )
    assert code == 0
    issued = json.loads(capsys.readouterr().out)
    assert issued["case_no"] == no and issued["checked"] == "id_number"
    assert len(issued["query_code"]) == 10 and issued["query_code"] != case["query_code"]
