"""The accused never learn of an accusation (条例第三十条第三款): who may not see it, where it may not go.

An accusation (检举控告) is hidden from the person or unit it accuses: they see neither the accuser
nor the matter's subject or content, and the case is never transferred or assigned to that unit.
"The same unit" is decided on names, compared after normalisation (full-width and half-width
forms, spaces and punctuation do not count): a name *names* the accused unit when it contains it,
so 「某区住建局规划科」 names 「某区住建局」, while the district government above it does not.
"""

import re
import unicodedata
from typing import Any

from workflow.errors import ActionNotAllowed
from workflow.lifecycle import ACTION_LABELS, Actor

#: What the accused see in place of the accuser, the subject and the contents.
HIDDEN = "（保密）"
#: The article the refusals cite.
ARTICLE = "《信访工作条例》第三十条第三款"
#: Actions that send the matter to another organ (its ``organ`` field).
SENDING_ACTIONS = ("transfer", "assign")

# Whitespace, punctuation and symbols: 「某区 住建局」 and 「某区（住建局）」 name the same unit.
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalised(name: str | None) -> str:
    """A unit's name as compared: NFKC (full-width → half-width), without spaces or punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", name or "")).lower()


def names_unit(name: str | None, unit: str | None) -> bool:
    """Whether ``name`` (an organ, a staff member's unit) is the unit ``unit`` or a part of it."""
    wanted = normalised(unit)
    return bool(wanted) and wanted in normalised(name)


def hidden_from(viewer: Actor | None, viewer_unit: str | None, record: Any) -> bool:
    """Art. 30 ¶3: an accusation is never shown to the accused person or to staff of the accused unit.

    ``record`` carries ``confidential``, ``accused_unit`` and ``accused_name``.
    """
    if not record.confidential or viewer is None:
        return False
    if names_unit(viewer_unit, record.accused_unit):
        return True
    return bool(record.accused_name and viewer.name and viewer.name == record.accused_name)


def check_recipient(
    action: str, organ: str | None, record: Any, *, allowed_actions: list[str]
) -> None:
    """Refuse to transfer or assign an accusation to the unit it accuses (exit 3, HTTP 409)."""
    if action not in SENDING_ACTIONS or not record.confidential:
        return
    if not names_unit(organ, record.accused_unit):
        return
    verb = ACTION_LABELS[action]
    raise ActionNotAllowed(
        f"{action}.accused_unit",
        f"该检举控告事项反映的是「{record.accused_unit}」，不得{verb}给被检举控告的单位"
        f"「{organ}」（{ARTICLE}：不得将检举控告材料转给被检举控告的单位），请{verb}给其他有权处理的机关",
        allowed_actions=allowed_actions,
        state=record.state,
        organ=organ,
    )
