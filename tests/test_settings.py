"""Settings: the keys generated in dev and test stay private and out of git."""

import stat
import subprocess
from pathlib import Path

import pytest

from cases.settings import load_settings

ROOT = Path(__file__).parent.parent


def test_generated_keys_are_private_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys are made once beside the SQLite file, mode 0600, and read back the same."""
    for name in ("SHOUJIE_SECRET_KEY", "SHOUJIE_DATA_KEY", "SHOUJIE_NOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOUJIE_ENV", "dev")
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", f"sqlite:///{tmp_path}/office.db")
    first = load_settings()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [".shoujie-shoujie_data_key", ".shoujie-shoujie_secret_key"]
    for name in files:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    again = load_settings()
    assert (again.secret_key, again.data_key) == (first.secret_key, first.data_key)
    assert first.secret_key != first.data_key and len(first.secret_key) >= 48


def test_git_ignores_the_generated_key_files() -> None:
    """`git add -A` in the project would otherwise commit the encryption key."""
    for name in (".shoujie-shoujie_secret_key", ".shoujie-shoujie_data_key"):
        done = subprocess.run(
            ["git", "check-ignore", "-q", name], cwd=ROOT, capture_output=True, check=False
        )
        assert done.returncode == 0, f"{name} is not ignored by .gitignore"
