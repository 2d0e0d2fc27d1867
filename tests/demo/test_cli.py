"""`shoujie demo` as an operator runs it: the summary with the logins, and --if-empty."""

from pathlib import Path

import pytest

from api.cli.main import main
from cases import db as cases_db
from cases.settings import settings


def test_shoujie_demo_prints_the_logins_and_loads_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("SHOUJIE_ENV", "test")
    monkeypatch.setenv("SHOUJIE_NOW", "2026-11-26T09:30:00+08:00")
    settings.cache_clear()
    try:
        assert main(["db", "upgrade"]) == 0
        capsys.readouterr()
        assert main(["demo"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("演示数据已载入：省信访局接访处（省级，行政区划代码320000），")
        assert "时间截至 2026-11-26 09:30" in out
        assert "  JF03  钱丽萍  接访员 receptionist     党小组长  第一党小组\n" in out
        assert "密码均为 shoujie-demo" in out
        assert "信访件 40 件" in out

        assert main(["demo", "--if-empty"]) == 0
        assert "demo skipped" in capsys.readouterr().out
    finally:
        settings.cache_clear()
        cases_db.engine_for.cache_clear()
