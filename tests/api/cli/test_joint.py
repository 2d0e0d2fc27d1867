"""`shoujie joint …`: set up, a reply refused until the lead reports (exit 3), the decision."""

import json
from typing import Any

import pytest

from tests.api.cli.helpers import intake_case

SETUP = {
    "lead": {"organ": "玄武区住建局", "task": "核实补偿款", "days": 20},
    "co_organs": [{"organ": "玄武区财政局", "task": "核查资金", "days": 10}],
}


def test_joint_from_the_command_line(shoujie: Any, capsys: pytest.CaptureFixture[str]) -> None:
    no = intake_case(shoujie, capsys)["case_no"]
    assert shoujie("case", "act", no, "accept", "--as", "A017") == 0
    capsys.readouterr()
    assert (
        shoujie("joint", "setup", no, "--as", "A017", "--json", "-", stdin=json.dumps(SETUP)) == 4
    )
    assert "督办或领导" in capsys.readouterr().err
    assert (
        shoujie("joint", "setup", no, "--as", "S002", "--json", "-", stdin=json.dumps(SETUP)) == 0
    )
    out = capsys.readouterr().out
    assert "牵头单位 玄武区住建局  届满 2026-12-16" in out
    reply = json.dumps({"outcome": "support", "opinion": "支持"})
    assert shoujie("case", "act", no, "reply", "--as", "A017", "--json", "-", stdin=reply) == 3
    assert "joint.lead_not_reported" in capsys.readouterr().err
    dispute = {"organs": ["玄武区住建局", "玄武区财政局"], "claims": "互相认为对方主管"}
    assert (
        shoujie("joint", "dispute", no, "--as", "A017", "--json", "-", stdin=json.dumps(dispute))
        == 0
    )
    capsys.readouterr()
    decision = json.dumps({"accepting_organ": "玄武区财政局", "reason": "资金问题为主"})
    assert (
        shoujie(
            "joint",
            "decide",
            no,
            "1",
            "--as",
            "S002",
            "--json",
            "-",
            "--print-json",
            stdin=decision,
        )
        == 0
    )
    shown = json.loads(capsys.readouterr().out)
    assert shown["lead_organ"] == "玄武区财政局"
    report = json.dumps({"organ": "玄武区财政局", "summary": "资金已拨付"})
    assert shoujie("joint", "report", no, "--as", "A017", "--json", "-", stdin=report) == 0
    assert shoujie("case", "act", no, "reply", "--as", "A017", "--json", "-", stdin=reply) == 0
    capsys.readouterr()
    assert shoujie("joint", "show", no, "--json") == 0
    assert json.loads(capsys.readouterr().out)["lead_reported"] is True
