"""Settings and keys: the keys generated in dev and test live in the user's data directory, one
folder per database, the same from every working directory, private, and movable as one file."""

import stat
import subprocess
from pathlib import Path

import pytest

from api.cli.main import main
from cases import keys
from cases.settings import load_settings, settings
from workflow.errors import InvalidInput

ROOT = Path(__file__).parent.parent


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dev environment whose data directory is ``tmp_path/data``, database ``tmp_path/office.db``."""
    for name in ("SHOUJIE_SECRET_KEY", "SHOUJIE_DATA_KEY", "SHOUJIE_NOW", "SHOUJIE_KEYS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("SHOUJIE_ENV", "dev")
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", f"sqlite:///{tmp_path}/office.db")
    settings.cache_clear()
    yield tmp_path
    settings.cache_clear()


def test_generated_keys_are_private_kept_and_not_in_the_working_directory(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Made once in the data directory, mode 0600, read back the same from another directory."""
    elsewhere = office / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    first = load_settings()
    folder = keys.key_dir(first.database_url)
    assert folder.is_relative_to(office / "data" / "shoujie" / "keys")
    for name in ("secret_key", "data_key"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert not list(elsewhere.iterdir())
    assert not [p for p in office.iterdir() if p.name.startswith(".shoujie")]
    monkeypatch.chdir(office)
    again = load_settings()
    assert (again.secret_key, again.data_key) == (first.secret_key, first.data_key)
    assert first.secret_key != first.data_key and len(first.secret_key) >= 48


def test_a_postgresql_office_has_one_key_pair_from_every_directory(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's failure: run from another directory, the CLI made a new key for the same database."""
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", "postgresql+psycopg://u:pw@db.example/office")
    (office / "a").mkdir()
    (office / "b").mkdir()
    monkeypatch.chdir(office / "a")
    first = load_settings()
    monkeypatch.chdir(office / "b")
    # Another driver or password names the same database: the same keys.
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", "postgresql://u:other@db.example/office")
    assert load_settings().data_key == first.data_key
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", "postgresql://u@db.example/another_office")
    assert load_settings().data_key != first.data_key


def test_keys_an_earlier_version_kept_beside_the_sqlite_file_are_adopted(office: Path) -> None:
    """Cases stored under the old keys stay readable after the upgrade."""
    (office / ".shoujie-shoujie_data_key").write_text("old-data-key-" + "x" * 40)
    assert load_settings().data_key == ("old-data-key-" + "x" * 40).encode()


def test_production_requires_the_keys(office: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is generated in production: a missing key stops the start."""
    monkeypatch.setenv("SHOUJIE_ENV", "prod")
    with pytest.raises(InvalidInput) as err:
        load_settings()
    assert err.value.code == "settings.key_required"
    assert not (office / "data").exists()


def test_keys_move_with_the_office(
    office: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Export on one machine, import on another: the same fingerprint; never a silent replacement."""
    assert main(["keys", "export", str(office / "keys.json")]) == 0
    assert stat.S_IMODE((office / "keys.json").stat().st_mode) == 0o600
    fp = settings().key_fingerprint
    assert main(["keys", "export", str(office / "keys.json")]) == 2  # never overwrites
    # The other machine: another data directory, which already made keys of its own.
    monkeypatch.setenv("XDG_DATA_HOME", str(office / "other-home"))
    settings.cache_clear()
    assert settings().key_fingerprint != fp
    capsys.readouterr()
    assert main(["keys", "import", str(office / "keys.json")]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["keys", "import", "--replace", str(office / "keys.json")]) == 0
    settings.cache_clear()
    assert settings().key_fingerprint == fp
    assert main(["keys", "show"]) == 0
    assert fp in capsys.readouterr().out


def test_an_altered_export_is_refused(office: Path) -> None:
    """A key file edited by hand would make data unreadable: refused before anything is kept."""
    assert main(["keys", "export", str(office / "keys.json")]) == 0
    text = (
        (office / "keys.json")
        .read_text()
        .replace('"SHOUJIE_DATA_KEY": "', '"SHOUJIE_DATA_KEY": "Z')
    )
    (office / "keys.json").write_text(text)
    assert main(["keys", "import", "--replace", str(office / "keys.json")]) == 2


def test_git_ignores_the_key_files_earlier_versions_made() -> None:
    """`git add -A` in the project would otherwise commit the encryption key."""
    for name in (".shoujie-shoujie_secret_key", ".shoujie-shoujie_data_key"):
        done = subprocess.run(
            ["git", "check-ignore", "-q", name], cwd=ROOT, capture_output=True, check=False
        )
        assert done.returncode == 0, f"{name} is not ignored by .gitignore"


def test_the_walls_minimum_of_ratings_is_read_and_checked(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SHOUJIE_WALL_MIN_RATINGS: 5 unless set; a positive whole number, else a clear refusal."""
    monkeypatch.delenv("SHOUJIE_WALL_MIN_RATINGS", raising=False)
    assert load_settings().wall_min_ratings == 5
    monkeypatch.setenv("SHOUJIE_WALL_MIN_RATINGS", "10")
    assert load_settings().wall_min_ratings == 10
    for bad in ("0", "many", "-3"):
        monkeypatch.setenv("SHOUJIE_WALL_MIN_RATINGS", bad)
        with pytest.raises(InvalidInput) as err:
            load_settings()
        assert err.value.code == "settings.bad_number"
