"""An organ's part named by its organ where a clock is listed (the queue, the briefing): 「配合单位办理
期限（玄武区财政局）」 rather than a bare 「配合单位办理期限」 for a case with several co-organs."""

from collections.abc import Iterable, MutableMapping
from typing import Any

from sqlalchemy import Connection, select

from cases.joint.tables import organ_t
from cases.store.tables import clock_t


def organ_of_clock(conn: Connection, case_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """``(case id, clock name) → organ`` for the joint parts of these cases."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    rows = conn.execute(
        select(organ_t.c.case_id, clock_t.c.name, organ_t.c.organ)
        .join(clock_t, clock_t.c.id == organ_t.c.clock_id)
        .where(organ_t.c.case_id.in_(ids))
    )
    return {(r.case_id, r.name): r.organ for r in rows}


def name_organ(item: MutableMapping[str, Any], organ: str | None) -> None:
    """Add the organ to a listed clock's label (``clock_label``, and ``text`` when present)."""
    if not organ:
        return
    label = item.get("clock_label")
    if label:
        item["clock_label"] = f"{label}（{organ}）"
        if isinstance(item.get("text"), str) and item["text"].startswith(label):
            item["text"] = item["clock_label"] + item["text"][len(label) :]
