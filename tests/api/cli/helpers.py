"""Registering a case through ``shoujie case intake``, for the command-line tests."""

import json
from typing import Any

import pytest

from tests.factories import intake_body


def intake_case(
    shoujie: Any, capsys: pytest.CaptureFixture[str], **overrides: Any
) -> dict[str, Any]:
    """`shoujie case intake --as A017 --json -` with a factory body; the printed case JSON."""
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
