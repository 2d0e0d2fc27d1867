"""One petitioner's history: the person's cases (as petitioner or representative) and contacts.

A person is every petitioner row with the same identity number, or the same name and phone (each
intake stores its own row). Accusations hidden from the viewer (条例第三十条第三款) are left out.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from cases.casework import reading, view
from cases.models import CaseContact
from cases.repeat import candidates
from cases.repeat.contacts import contact_json
from cases.runtime import Runtime
from cases.store import records, statements
from cases.store.tables import case_t, petitioner_t, representative_t
from workflow import confidentiality, lifecycle, read_scope
from workflow.errors import NotFound

contact_t = CaseContact.__table__

#: At most this many cases and contacts on one person's history page.
HISTORY_ROWS = 1000


def _same_person_rows(conn: Connection, petitioner_id: int) -> list[int]:
    """Petitioner rows of the same person: same identity number, or same name and phone (2 hops)."""
    base = conn.execute(select(petitioner_t).where(petitioner_t.c.id == petitioner_id)).first()
    if base is None:
        raise NotFound("petitioner.not_found", "没有该信访人", petitioner_id=petitioner_id)
    ids = {base.id}
    id_indexes = {base.id_number_index} - {None}
    pairs = {(base.name, base.phone_index)} if base.phone_index else set()
    for _ in range(2):
        conditions = []
        if id_indexes:
            conditions.append(petitioner_t.c.id_number_index.in_(list(id_indexes)))
        for name, phone_index in pairs:
            conditions.append(
                and_(petitioner_t.c.phone_index == phone_index, petitioner_t.c.name == name)
            )
        if not conditions:
            break
        rows = conn.execute(
            select(
                petitioner_t.c.id,
                petitioner_t.c.name,
                petitioner_t.c.id_number_index,
                petitioner_t.c.phone_index,
            )
            .where(or_(*conditions))
            .limit(candidates.PERSON_ROWS)
        ).all()
        ids |= {r.id for r in rows}
        id_indexes |= {r.id_number_index for r in rows} - {None}
        pairs |= {(r.name, r.phone_index) for r in rows if r.phone_index}
    return sorted(ids)


def petitioner_history(
    conn: Connection,
    rt: Runtime,
    *,
    petitioner_id: int,
    viewer_staff_no: str,
    now: datetime,
) -> dict[str, Any]:
    """One person's cases (as petitioner or representative) and contacts, as the viewer may see them.

    Accusations hidden from the viewer (条例第三十条第三款) are left out; a person with nothing the
    viewer may see is answered as not found, so the page never shows that they accused someone.
    """
    viewer, viewer_row = reading.viewer(conn, viewer_staff_no)
    assert viewer is not None
    unit = viewer_row.unit if viewer_row is not None else None
    rows = _same_person_rows(conn, petitioner_id)
    as_rep = set(
        conn.execute(
            select(representative_t.c.case_id).where(representative_t.c.petitioner_id.in_(rows))
        ).scalars()
    )
    # Sorted here, not in SQL (as in the candidates look-up): an ORDER BY … LIMIT could lead
    # PostgreSQL to walk a date index over every case instead of the person's indexes.
    found = conn.execute(
        statements.CASE_QUERY.where(
            or_(case_t.c.petitioner_id.in_(rows), case_t.c.id.in_(as_rep))
        ).limit(HISTORY_ROWS)
    ).all()
    found = sorted(found, key=lambda r: (r.received_at, r.id), reverse=True)
    visible = [r for r in found if not confidentiality.hidden_from(viewer, unit, r)]
    # A receptionist sees a person's history only when one of its cases is theirs (so a sequential
    # id opens nobody else's), and of the others only their summaries (workflow/read_scope.py).
    full = [r for r in visible if read_scope.reads_in_full(viewer, r.owner_staff_no, r.state)]
    if not full:
        visible = []
    contact_rows = conn.execute(
        select(contact_t, case_t.c.case_no)
        .join(case_t, case_t.c.id == contact_t.c.case_id)
        .where(
            or_(
                contact_t.c.petitioner_id.in_(rows),
                contact_t.c.case_id.in_([r.id for r in visible]),
            )
        )
        .limit(HISTORY_ROWS)
    ).all()
    contact_rows = sorted(contact_rows, key=lambda c: (c.at, c.id), reverse=True)
    visible_ids = {r.id for r in full}
    # The identity shown is that of the records on cases the viewer reads in full.
    own_rows = [p for p in rows if p in {r.petitioner_id for r in full}] or [petitioner_id]
    contacts = [contact_json(c, rt, c.case_no) for c in contact_rows if c.case_id in visible_ids]
    if not visible:
        raise NotFound("petitioner.not_found", "没有该信访人", petitioner_id=petitioner_id)
    rendered = [
        view.render(r, [], viewer=viewer, now=now, rt=rt, viewer_unit=unit) for r in visible
    ]
    for case, record in zip(rendered, visible, strict=True):
        case["role"] = (
            "representative"
            if record.id in as_rep and record.petitioner_id not in rows
            else "petitioner"
        )
        case["contacts"] = sum(1 for c in contacts if c["case_no"] == record.case_no)
    person = conn.execute(
        select(
            petitioner_t.c.name,
            petitioner_t.c.id_number_masked,
            petitioner_t.c.phone_masked,
        )
        .where(petitioner_t.c.id.in_(own_rows))
        .order_by(petitioner_t.c.id.desc())
    ).all()
    own = conn.execute(
        select(petitioner_t.c.name).where(petitioner_t.c.id == petitioner_id)
    ).scalar()
    return {
        "petitioner_id": petitioner_id,
        "name": own,
        "id_number_masked": next((p.id_number_masked for p in person if p.id_number_masked), None),
        "phones_masked": list(dict.fromkeys(p.phone_masked for p in person if p.phone_masked)),
        "cases": rendered,
        "contacts": contacts,
        "counts": {
            "cases": len(rendered),
            "open": sum(1 for c in rendered if c["state"] in lifecycle.OPEN_STATES),
            "repeat_contacts": sum(1 for c in contacts if c["kind"] == "repeat"),
        },
    }


def petitioner_of(conn: Connection, *, case_no: str, viewer_staff_no: str) -> int:
    """The petitioner row of a case, if the viewer may see who brought it."""
    viewer, viewer_row = reading.viewer(conn, viewer_staff_no)
    assert viewer is not None
    record = records.load_case(conn, case_no, for_update=False)
    if (
        record is None
        or confidentiality.hidden_from(viewer, viewer_row.unit if viewer_row else None, record)
        or not read_scope.reads_in_full(viewer, record.owner_staff_no, record.state)
    ):
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    return record.petitioner_id
