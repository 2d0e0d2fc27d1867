"""`shoujie training`: a run started, played and scored from the command line, in the training
office's own database beside the real one (which is never touched)."""

import json
from pathlib import Path

import pytest

from api.cli.main import main
from cases import db as cases_db
from cases.demo import organisation
from cases.settings import settings
from tests.web import password_hash


def test_new_next_finish_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "shoujie.db"
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", f"sqlite:///{real}")
    monkeypatch.delenv("SHOUJIE_TRAINING_DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOUJIE_ENV", "test")
    monkeypatch.setenv("SHOUJIE_NOW", "2026-11-02T09:30:00+08:00")
    monkeypatch.setattr(organisation, "hash_password", lambda _p: password_hash())
    settings.cache_clear()
    try:
        capsys.readouterr()
        assert main(["training", "new", "--scenario", "review", "--trainee", "JF03", "--json"]) == 0
        started = json.loads(capsys.readouterr().out)
        assert started["run"] == 1 and len(started["cases"]) == 1
        assert started["facts"]["petitioner"]["name"] == "吴桂芳"
        assert main(["training", "next", "1"]) == 0
        assert "复查" in capsys.readouterr().out
        assert main(["training", "finish", "1", "--json"]) == 0
        result = json.loads(capsys.readouterr().out)
        # Hand-worked: nothing done about the review request; only 「不重复登记」 (20) and the
        # owner (15) are met.
        assert (result["points"], result["grade"]) == (35, "不合格")
        assert main(["training", "list", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["points"] == 35
        assert main(["training", "new", "--scenario", "nope", "--trainee", "JF03"]) == 6
        assert "repeat_visitor" in capsys.readouterr().err
    finally:
        cases_db.engine_for.cache_clear()
        settings.cache_clear()
    assert (tmp_path / "shoujie-training.db").exists()
    assert not real.exists()  # the real office's database was never opened
