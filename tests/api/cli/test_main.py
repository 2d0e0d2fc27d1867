"""What every `shoujie` command shares: start-up checks refused with exit 2, errors on stderr."""

from typing import Any

import pytest

from cases.casework import reading
from cases.settings import settings


def test_fixed_now_is_refused_outside_tests(
    shoujie: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SHOUJIE_NOW is refused at start-up unless SHOUJIE_ENV=test."""
    monkeypatch.setenv("SHOUJIE_ENV", "dev")
    settings.cache_clear()
    assert shoujie("case", "list") == 2
    assert "SHOUJIE_NOW" in capsys.readouterr().err


def test_an_unexpected_failure_is_one_line_and_exit_1(
    shoujie: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anything not a refusal: exit 1 and one line of Chinese and English, never a traceback."""

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(reading, "list_cases", broken)
    capsys.readouterr()
    assert shoujie("case", "list") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "意外错误：磁盘已满 / unexpected failure: RuntimeError\n"
