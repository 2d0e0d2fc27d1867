"""Finding cases by number, by a petitioner's or representative's name, phone or ID number."""

import contextlib
import re
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from cases.casework import reading
from cases.casework.desk import render_rows
from cases.models import CaseRepresentative
from cases.runtime import Runtime
from cases.store import statements
from cases.store.tables import case_t, petitioner_t, staff_t
from workflow import confidentiality, lifecycle
from workflow.errors import InvalidInput
from workflow.intake import validate_id_number, validate_phone

rep_t = CaseRepresentative.__table__
#: What a case number or its beginning looks like (``2026-000123``, ``2026-00``).
_CASE_NO_PART = re.compile(r"[0-9][0-9-]*")

#: A case number, or the start of one (``2026-0001``): searched in URLs freely.
CASE_NO = re.compile(r"^\d{4}(-\d{0,6})?$")
#: Why a number is never searched for in a URL: the access log would keep it in plain text.
NUMBER_IN_URL = (
    "电话号码和身份证号不能放在网址中查询（网址会写入访问日志），"
    "请在查询框中提交（页面）或使用 POST /api/v1/cases/search（接口）"
)


def names_a_number(q: str) -> bool:
    """Whether the search text is (or may be) a phone or identity number: one that validates as
    either, or any text with 7 or more digits that is not a case number (a mistyped number is
    still a person's number)."""
    q = q.strip()
    if CASE_NO.match(q):
        return False
    if sum(ch.isdigit() for ch in q) >= 7:
        return True
    for validate in (validate_phone, validate_id_number):
        with contextlib.suppress(InvalidInput):
            validate(q)
            return True
    return False


def refuse_number_in_url(q: str | None) -> None:
    """Refuse a phone or identity number given in a query string (HTTP 422, ``search.use_post``)."""
    if q and names_a_number(q):
        raise InvalidInput("search.use_post", NUMBER_IN_URL, field="q")


def search_cases(
    conn: Connection,
    rt: Runtime,
    *,
    viewer_staff_no: str,
    now: datetime,
    q: str = "",
    state: str | None = None,
    owner: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Cases matching a case number, a petitioner's (or representative's) name, phone or ID number.

    Phone and ID numbers are found through their blind index: the typed value is normalised as at
    intake and hashed with the same key. A search by person never returns an accusation to the
    accused unit or person (条例第三十条第三款): that would tell them who accused them.
    """
    viewer, viewer_row = reading.viewer(conn, viewer_staff_no)
    assert viewer is not None
    stmt = statements.CASE_QUERY.order_by(case_t.c.received_at.desc(), case_t.c.id.desc()).limit(
        limit
    )
    q = q.strip()
    by_person = False
    if q:
        person = []
        for validate, column in (
            (validate_phone, petitioner_t.c.phone_index),
            (validate_id_number, petitioner_t.c.id_number_index),
        ):
            with contextlib.suppress(InvalidInput):
                person.append(column == rt.cipher.blind_index(validate(q)))
        if not person:
            # A phone or an ID number is no part of a name: only other text is looked for in the
            # names, which no index serves (a substring), so the blind indexes answer alone.
            person.append(petitioner_t.c.name.contains(q, autoescape=True))
        stmt = stmt.where(case_t.c.id.in_(sorted(_matching(conn, q, person))))
        by_person = True
    if owner:
        stmt = stmt.where(
            case_t.c.owner_id
            == select(staff_t.c.id).where(staff_t.c.staff_no == owner).scalar_subquery()
        )
    if state:
        if state not in lifecycle.STATE_LABELS:
            raise InvalidInput("case.bad_state", f"未知的状态：{state}", field="state")
        stmt = stmt.where(case_t.c.state == state)
    found = conn.execute(stmt).all()
    unit = viewer_row.unit if viewer_row is not None else None
    if by_person:
        found = [
            r for r in found if r.case_no == q or not confidentiality.hidden_from(viewer, unit, r)
        ]
    rendered, _ = render_rows(conn, rt, found, viewer=viewer, viewer_unit=unit, now=now)
    return rendered


def _matching(conn: Connection, q: str, person: list[Any]) -> set[int]:
    """The ids of the cases ``q`` finds, each way on its own index: the petitioners' (name, blind
    indexes) then ix_case_petitioner_id and the representatives' index, and the case number's
    unique index by range. One OR over them all would read the case table whole."""
    people = list(conn.execute(select(petitioner_t.c.id).where(or_(*person))).scalars())
    found: set[int] = set()
    if people:
        found |= set(
            conn.execute(select(case_t.c.id).where(case_t.c.petitioner_id.in_(people))).scalars()
        )
        found |= set(
            conn.execute(select(rep_t.c.case_id).where(rep_t.c.petitioner_id.in_(people))).scalars()
        )
    if _CASE_NO_PART.fullmatch(q):
        # A prefix as a range (the index serves it under any collation: the numbers are ASCII).
        found |= set(
            conn.execute(
                select(case_t.c.id).where(
                    case_t.c.case_no >= q,
                    case_t.c.case_no < q + "\x7f",
                    case_t.c.case_no.startswith(q, autoescape=True),
                )
            ).scalars()
        )
    return found
