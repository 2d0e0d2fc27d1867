"""The people and units a case names, each with their role in Chinese: the petitioner, a group
visit's representatives (条例第二十条第三款: at most five), and whom an accusation accuses."""

from typing import Any

from sqlalchemy import Connection, select

from cases.casework.reading import not_found
from cases.store.tables import case_t, petitioner_t, representative_t
from workflow.glossary import PARTY_ROLE_LABELS


def _party(role: str, name: str, id_masked: str | None = None, phone: str | None = None) -> dict:
    return {
        "role": role,
        "role_label": PARTY_ROLE_LABELS[role],
        "name": name,
        "id_number_masked": id_masked,
        "phone_masked": phone,
    }


def case_parties(conn: Connection, *, case_no: str, hidden: bool) -> list[dict[str, Any]]:
    """The case's parties in order (petitioner, representatives, the accused); none at all for a
    viewer the case is hidden from (the accused unit, 第三十条第三款)."""
    if hidden:
        return []
    row = conn.execute(
        select(
            case_t.c.id, case_t.c.petitioner_id, case_t.c.accused_name, case_t.c.accused_unit
        ).where(case_t.c.case_no == case_no)
    ).first()
    if row is None:
        raise not_found(case_no)
    people = select(
        petitioner_t.c.id,
        petitioner_t.c.name,
        petitioner_t.c.id_number_masked,
        petitioner_t.c.phone_masked,
    )
    first = conn.execute(people.where(petitioner_t.c.id == row.petitioner_id)).one()
    out = [_party("petitioner", first.name, first.id_number_masked, first.phone_masked)]
    reps = conn.execute(
        people.join(representative_t, representative_t.c.petitioner_id == petitioner_t.c.id)
        .where(representative_t.c.case_id == row.id)
        .order_by(petitioner_t.c.id)
    )
    out += [_party("representative", r.name, r.id_number_masked, r.phone_masked) for r in reps]
    if row.accused_name:
        out.append(_party("accused_person", row.accused_name))
    if row.accused_unit:
        out.append(_party("accused_unit", row.accused_unit))
    return out
