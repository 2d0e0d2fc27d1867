"""The statements every intake and action sends, written once with SQLAlchemy Core.

Through ``Connection.execute`` each of these costs more Python than the database spends running
it (bench/lifecycle.py --profile), so they run as compiled SQL on the connection's DBAPI cursor
through ``cases.store.fastsql``, with their columns' own types. Parameters are named: after the
column an INSERT or UPDATE sets, or as the ``bindparam`` says. Everything off the hot path stays
``Connection.execute``.
"""

from sqlalchemy import bindparam, select, update

from cases.store import fastsql
from cases.store.tables import case_t, clock_t, counter_t, event_t, office_t, petitioner_t, staff_t

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

#: The columns each hot INSERT writes (the bench's bulk loaders write the same).
CLOCK_COLUMNS = [c.name for c in clock_t.columns if c.name not in ("id", "case_id")]
EVENT_COLUMNS = [c.name for c in event_t.columns if c.name != "id"]
PERSON_COLUMNS = [c.name for c in petitioner_t.columns if c.name != "id"]
#: What later steps write on a case (a decision, a transfer, the reply, the rating).
CASE_STEP_COLUMNS = [
    "transferred_on",
    "outcome",
    "rating",
    "rated_at",
    "decided_at",
    "decided_on_time",
    "replied_at",
    "replied_on_time",
]
#: What a new case is registered with: every other column.
CASE_COLUMNS = [c.name for c in case_t.columns if c.name not in ("id", *CASE_STEP_COLUMNS)]

ACTOR = fastsql.Statement(
    select(
        staff_t.c.id,
        staff_t.c.staff_no,
        staff_t.c.name,
        staff_t.c.role,
        staff_t.c.unit,
        staff_t.c.group_id,
    ).where(staff_t.c.staff_no == bindparam("staff_no"), staff_t.c.active.is_(True))
)
_BY_NUMBER = CASE_QUERY.where(case_t.c.case_no == bindparam("case_no"))
CASE = fastsql.Statement(_BY_NUMBER)
# SQLite has no FOR UPDATE (its compiler leaves it out); BEGIN IMMEDIATE holds the write lock.
CASE_FOR_UPDATE = fastsql.Statement(_BY_NUMBER.with_for_update(of=case_t))
#: The owner's and petitioner's fields that follow the case's own in a ``CASE`` row.
CASE_JOINED = CASE.fields[len(case_t.columns) :]
CLOCKS = fastsql.Statement(
    select(clock_t).where(clock_t.c.case_id == bindparam("case_id")).order_by(clock_t.c.id)
)
INSERT_EVENT = fastsql.insert_statement(event_t, EVENT_COLUMNS)
INSERT_PERSON = fastsql.insert_statement(
    petitioner_t, PERSON_COLUMNS, returning=[petitioner_t.c.id]
)
TAKE_NUMBER = fastsql.Statement(
    update(counter_t)
    .where(counter_t.c.year == bindparam("year"))
    .values(last_seq=counter_t.c.last_seq + 1)
    .returning(counter_t.c.last_seq, counter_t.c.chain_head)
)
SET_CHAIN_HEAD = fastsql.Statement(
    update(counter_t).where(counter_t.c.year == bindparam("year")),
    column_keys=["chain_head"],
)
# The whole row back: the intake answers with the case as reading it would give it.
INSERT_CASE = fastsql.insert_statement(case_t, CASE_COLUMNS, returning=list(case_t.columns))
#: The office's jurisdiction settings, read by every intake.
OFFICE = fastsql.Statement(
    select(office_t.c.level, office_t.c.region_code, office_t.c.policy)
    .order_by(office_t.c.id)
    .limit(1)
)

_UPDATE_CLOCK_CACHE: dict[tuple[str, ...], fastsql.Statement] = {}


def update_clock(columns: tuple[str, ...]) -> fastsql.Statement:
    """``UPDATE case_clock SET columns… WHERE id = :clock_id``, built once per set of columns."""
    stmt = _UPDATE_CLOCK_CACHE.get(columns)
    if stmt is None:
        stmt = fastsql.Statement(
            update(clock_t).where(clock_t.c.id == bindparam("clock_id")), column_keys=columns
        )
        _UPDATE_CLOCK_CACHE[columns] = stmt
    return stmt


_UPDATE_CASE_CACHE: dict[tuple[str, ...], fastsql.Statement] = {}


def update_case(extra: tuple[str, ...]) -> fastsql.Statement:
    """The versioned case UPDATE (``WHERE id = :case_id AND version = :expected_version``) of
    state, chain head, version and a set of extra columns, built once per set."""
    stmt = _UPDATE_CASE_CACHE.get(extra)
    if stmt is None:
        columns = ("state", "event_count", "last_event_hash", "updated_at", "version", *extra)
        stmt = fastsql.Statement(
            update(case_t).where(
                case_t.c.id == bindparam("case_id"),
                case_t.c.version == bindparam("expected_version"),
            ),
            column_keys=columns,
        )
        _UPDATE_CASE_CACHE[extra] = stmt
    return stmt
