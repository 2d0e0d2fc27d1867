"""The README's lifecycle diagram is the machine's own."""

from pathlib import Path

from workflow.diagram import block


def test_readme_diagram_is_generated_from_the_machine() -> None:
    """Regenerate with `python -m workflow.diagram --write README.md` when the lifecycle changes."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert block() in readme
