"""Who may not see an accusation's author (条例第三十条第三款): the person or unit accused."""

from typing import Any

from workflow.lifecycle import Actor


def hidden_from(viewer: Actor | None, viewer_unit: str | None, record: Any) -> bool:
    """Art. 30 ¶3: an accusation's author is never shown to the accused person or unit.

    ``record`` carries ``confidential``, ``accused_unit`` and ``accused_name``.
    """
    if not record.confidential or viewer is None:
        return False
    if viewer_unit and record.accused_unit and viewer_unit.strip() == record.accused_unit.strip():
        return True
    return bool(record.accused_name and viewer.name and viewer.name == record.accused_name)
