"""What a step left, digested: per case, its row, its petitioner, its clocks, its escalations and its
attachments' hashes; per staff member, their authority. Each audit event commits to these digests
(its HMAC covers them), and ``shoujie audit verify`` recomputes them from the current rows, so an
edit made behind the engine's back (a state, an owner, a rating, a deadline, a deleted escalation)
is told apart from a step, and named by case (or 工号) and table.

A digest is a SHA-256 over the rows' columns in one canonical text, order-free: the writer may
compute it from what it is about to write, the verifier from what it reads, and they agree.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from cases.models import Case, CaseAttachment, CaseClock, Escalation, Petitioner, Staff
from cases.store import fastsql

case_t, clock_t, escalation_t = Case.__table__, CaseClock.__table__, Escalation.__table__
attachment_t, petitioner_t, staff_t = (
    CaseAttachment.__table__,
    Petitioner.__table__,
    Staff.__table__,
)

#: The tables a case's digest covers, in the order ``verify`` names a difference.
CASE_TABLES = ("case", "petitioner", "case_clock", "escalation", "case_attachment")

# Columns that move without a step of their own: the chain's hashes (they are the step) and the
# sweeper's schedule (``next_fire_at``, recomputed on every pass).
CASE_COLUMNS = [
    c.name for c in case_t.columns if c.name not in ("id", "chain_hash", "last_event_hash")
]
CLOCK_COLUMNS = [c.name for c in clock_t.columns if c.name not in ("id", "case_id", "next_fire_at")]
PETITIONER_COLUMNS = ("name", "id_number_masked", "phone_masked", "address")
ESCALATION_COLUMNS = (
    "clock_id",
    "level",
    "fired_at",
    "due_at",
    "recipients",
    "status",
    "resolved_at",
)
ATTACHMENT_COLUMNS = ("filename", "media_type", "size", "sha256")
#: What a staff member may do and see: the administrative log commits to these.
STAFF_COLUMNS = ("role", "active", "group_id", "post", "unit")


def _plain(value: Any) -> Any:
    # Whole seconds in UTC: SQLite hands back naive values, and some databases round microseconds.
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _text(row: Mapping[str, Any], columns: Iterable[str]) -> str:
    return json.dumps(
        {c: _plain(row[c]) for c in columns},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def _digest(texts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(texts)).encode()).hexdigest()[:32]


def case_digest(
    case: Mapping[str, Any],
    petitioner: Mapping[str, Any],
    clocks: Iterable[Mapping[str, Any]],
    escalations: Iterable[Mapping[str, Any]],
    attachments: Iterable[Mapping[str, Any]],
) -> dict[str, str]:
    """The digest of one case's rows, per table (``CASE_TABLES``)."""
    return {
        "case": _digest([_text(case, CASE_COLUMNS)]),
        "petitioner": _digest([_text(petitioner, PETITIONER_COLUMNS)]),
        "case_clock": _digest(_text(c, CLOCK_COLUMNS) for c in clocks),
        "escalation": _digest(_text(e, ESCALATION_COLUMNS) for e in escalations),
        "case_attachment": _digest(_text(a, ATTACHMENT_COLUMNS) for a in attachments),
    }


def _hangers(conn: Connection, case_ids: list[int]) -> dict[int, dict[str, list[Any]]]:
    """The clocks, escalations and attachments of these cases, as rows."""
    out: dict[int, dict[str, list[Any]]] = {
        i: {"case_clock": [], "escalation": [], "case_attachment": []} for i in case_ids
    }
    for name, table, columns in (
        ("case_clock", clock_t, CLOCK_COLUMNS),
        ("escalation", escalation_t, ESCALATION_COLUMNS),
        ("case_attachment", attachment_t, ATTACHMENT_COLUMNS),
    ):
        cols = [table.c.case_id, *(table.c[c] for c in columns)]
        for row in conn.execute(select(*cols).where(table.c.case_id.in_(case_ids))):
            out[row.case_id][name].append(row._mapping)
    return out


# One case's rows, compiled once per dialect (the hot path: every step reads them back).
_ONE_CASE = [
    fastsql.Statement(
        select(*(table.c[c] for c in columns)).where(table.c.case_id == bindparam("case_id"))
    )
    for table, columns in (
        (clock_t, CLOCK_COLUMNS),
        (escalation_t, ESCALATION_COLUMNS),
        (attachment_t, ATTACHMENT_COLUMNS),
    )
]


def step_digest(
    conn: Connection, case_id: int, case: Mapping[str, Any], petitioner: Mapping[str, Any]
) -> dict[str, str]:
    """The digest a step leaves: the case row as it writes it, the rest as the database has it.

    Called after the step's other writes (clocks, escalations, attachments), in its transaction.
    """
    clocks, escalations, attached = (
        [r._mapping for r in fastsql.all_rows(conn, stmt, {"case_id": case_id})]
        for stmt in _ONE_CASE
    )
    return case_digest(case, petitioner, clocks, escalations, attached)


def current_digests(conn: Connection, case_ids: list[int]) -> dict[int, dict[str, str]]:
    """The digests of these cases as their rows stand now (what ``audit verify`` compares)."""
    if not case_ids:
        return {}
    hung = _hangers(conn, case_ids)
    rows = conn.execute(
        select(
            case_t,
            *(petitioner_t.c[c].label(f"p__{c}") for c in PETITIONER_COLUMNS),
        )
        .join(petitioner_t, petitioner_t.c.id == case_t.c.petitioner_id, isouter=True)
        .where(case_t.c.id.in_(case_ids))
    )
    out = {}
    for row in rows:
        m = row._mapping
        person = {c: m[f"p__{c}"] for c in PETITIONER_COLUMNS}
        h = hung[row.id]
        out[row.id] = case_digest(m, person, h["case_clock"], h["escalation"], h["case_attachment"])
    return out


def staff_digests(conn: Connection) -> dict[str, str]:
    """Each staff member's authority (role, active, group, post, unit), digested, by 工号."""
    rows = conn.execute(select(staff_t.c.staff_no, *(staff_t.c[c] for c in STAFF_COLUMNS)))
    return {r.staff_no: _digest([_text(r._mapping, STAFF_COLUMNS)])[:16] for r in rows}


def differing(expected: Mapping[str, str], actual: Mapping[str, str]) -> list[str]:
    """The keys (tables, or 工号) whose digest differs, in the expected mapping's order first."""
    keys = list(dict.fromkeys([*expected, *actual]))
    return [k for k in keys if expected.get(k) != actual.get(k)]
