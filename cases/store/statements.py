"""The statements every intake and action sends, built once.

Through SQLAlchemy each of these cost more Python than the database spends running it
(bench/lifecycle.py --profile), so they run on the connection's DBAPI cursor through
``cases.store.fastsql``. Everything off the hot path stays SQLAlchemy.
"""

from typing import Any

from sqlalchemy import select

from cases.store import fastsql
from cases.store.tables import case_t, clock_t, counter_t, event_t, petitioner_t, staff_t

OWNER = staff_t.alias("owner")
#: Cases with their owner and (masked) petitioner, for the reads off the hot path.
CASE_QUERY = (
    select(
        case_t,
        OWNER.c.staff_no.label("owner_staff_no"),
        OWNER.c.name.label("owner_name"),
        petitioner_t.c.name.label("p_name"),
        petitioner_t.c.id_number_masked.label("p_id_masked"),
        petitioner_t.c.phone_masked.label("p_phone_masked"),
        petitioner_t.c.address.label("p_address"),
    )
    .join(OWNER, OWNER.c.id == case_t.c.owner_id)
    .join(petitioner_t, petitioner_t.c.id == case_t.c.petitioner_id)
)
CLOCK_COLUMNS = [c.name for c in clock_t.columns if c.name not in ("id", "case_id")]

ACTOR = fastsql.Statement(
    "SELECT id, staff_no, name, role, unit, group_id FROM staff WHERE staff_no = ? AND active = ?",
    [staff_t.c.staff_no, staff_t.c.active],
    [staff_t.c[n] for n in ("id", "staff_no", "name", "role", "unit", "group_id")],
)
# The case with its owner and (masked) petitioner: CASE_QUERY's columns, in its order.
CASE_JOINED: list[tuple[str, Any]] = [
    ("owner_staff_no", staff_t.c.staff_no),
    ("owner_name", staff_t.c.name),
    ("p_name", petitioner_t.c.name),
    ("p_id_masked", petitioner_t.c.id_number_masked),
    ("p_phone_masked", petitioner_t.c.phone_masked),
    ("p_address", petitioner_t.c.address),
]
CASE_SQL = (
    "SELECT "
    + ", ".join(f"c.{fastsql.quoted(col.name)}" for col in case_t.columns)
    + ", o.staff_no, o.name, p.name, p.id_number_masked, p.phone_masked, p.address"
    ' FROM "case" AS c JOIN staff AS o ON o.id = c.owner_id'
    " JOIN petitioner AS p ON p.id = c.petitioner_id WHERE c.case_no = ?"
)
CASE_RESULT = [*case_t.columns, *CASE_JOINED]
CASE = fastsql.Statement(CASE_SQL, [case_t.c.case_no], CASE_RESULT)
CASE_FOR_UPDATE = fastsql.Statement(CASE_SQL + " FOR UPDATE OF c", [case_t.c.case_no], CASE_RESULT)
CLOCKS = fastsql.Statement(
    f"SELECT {', '.join(fastsql.quoted(c.name) for c in clock_t.columns)} FROM case_clock"
    " WHERE case_id = ? ORDER BY id",
    [clock_t.c.case_id],
    list(clock_t.columns),
)
UPDATE_CLOCK = fastsql.Statement(
    f"UPDATE case_clock SET {', '.join(f'{fastsql.quoted(n)} = ?' for n in CLOCK_COLUMNS)} WHERE id = ?",
    [*(clock_t.c[n] for n in CLOCK_COLUMNS), clock_t.c.id],
)
INSERT_CLOCK = fastsql.Insert(clock_t, ["case_id", *CLOCK_COLUMNS], returning=["id"])
INSERT_EVENT = fastsql.Insert(
    event_t,
    [
        "case_id",
        "seq",
        "action",
        "actor_staff_no",
        "at",
        "from_state",
        "to_state",
        "payload",
        "public",
        "prev_hash",
        "hash",
        "on_time",
    ],
)
INSERT_PERSON = fastsql.Insert(
    petitioner_t,
    [
        "name",
        "address",
        "created_at",
        "id_number_enc",
        "id_number_index",
        "id_number_masked",
        "phone_enc",
        "phone_index",
        "phone_masked",
    ],
    returning=["id"],
)
TAKE_NUMBER = fastsql.Statement(
    "UPDATE case_counter SET last_seq = last_seq + 1 WHERE year = ? RETURNING last_seq, chain_head",
    [counter_t.c.year],
    [counter_t.c.last_seq, counter_t.c.chain_head],
)
SET_CHAIN_HEAD = fastsql.Statement(
    "UPDATE case_counter SET chain_head = ? WHERE year = ?",
    [counter_t.c.chain_head, counter_t.c.year],
)
INSERT_CASE = fastsql.Insert(
    case_t,
    [
        "case_no",
        "year",
        "seq",
        "state",
        "category",
        "channel",
        "subject",
        "content",
        "requests",
        "region_code",
        "group_size",
        "confidential",
        "accused_name",
        "accused_unit",
        "skip_level",
        "repeat_of_id",
        "owner_id",
        "petitioner_id",
        "received_at",
        "query_code_hash",
        "extended",
        "hearing_open",
        "partner_accepted",
        "details",
        "chain_hash",
        "last_event_hash",
        "event_count",
        "created_at",
        "updated_at",
        "version",
    ],
    returning=["id"],
)
_UPDATE_CASE_CACHE: dict[tuple[str, ...], fastsql.Statement] = {}


def update_case(extra: tuple[str, ...]) -> fastsql.Statement:
    """The versioned case UPDATE for a set of extra columns, built once per set."""
    stmt = _UPDATE_CASE_CACHE.get(extra)
    if stmt is None:
        columns = ("state", "event_count", "last_event_hash", "updated_at", "version", *extra)
        stmt = fastsql.Statement(
            f'UPDATE "case" SET {", ".join(f"{fastsql.quoted(n)} = ?" for n in columns)}'
            " WHERE id = ? AND version = ?",
            [*(case_t.c[n] for n in columns), case_t.c.id, case_t.c.version],
        )
        _UPDATE_CASE_CACHE[extra] = stmt
    return stmt
