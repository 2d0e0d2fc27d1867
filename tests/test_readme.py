"""The README's generated parts match what they describe: the lifecycle and the layout."""

from pathlib import Path

from tests import layout
from workflow.diagram import block

README = Path(__file__).parent.parent / "README.md"


def test_readme_diagram_is_generated_from_the_machine() -> None:
    """Regenerate with `python -m workflow.diagram --write README.md` when the lifecycle changes."""
    assert block() in README.read_text(encoding="utf-8")


def test_readme_map_of_the_packages_is_current() -> None:
    """Regenerate with `python -m tests.layout --write README.md` when a package or module is
    added, moved or its docstring changes: a newcomer reads this map first."""
    assert layout.block() in README.read_text(encoding="utf-8")


def test_every_package_and_module_says_what_it_is() -> None:
    """A row of the map without a description is a package nobody explained."""
    assert [where for where, what in layout.rows() if not what] == []
