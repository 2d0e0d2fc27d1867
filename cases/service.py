"""The unit of work: intake and actions, each one database transaction.

The machine in ``workflow.lifecycle`` decides; this module loads what it needs, writes the state
change, its audit event, its clocks and its notifications (the hot path's statements on the DBAPI
cursor through ``cases.fastsql``, the rest with SQLAlchemy Core), and renders the case JSON of
contract.md. The caller owns the transaction
(``with engine.begin() as conn``): everything an action writes commits together or not at all.
"""

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cases import fastsql, stats
from cases.audit import GENESIS, audit_key, case_link, event_hash
from cases.crypto import FieldCipher, generate_query_code, hash_query_code
from cases.jurisdiction import classify_here
from cases.models import (
    CalendarSchedule,
    Case,
    CaseClock,
    CaseCounter,
    CaseEvent,
    CaseRepresentative,
    Escalation,
    IdempotencyKey,
    Office,
    Outbox,
    PartyBranch,
    PartyGroup,
    Petitioner,
    Staff,
)
from cases.settings import Settings
from workflow import lifecycle, sla
from workflow.calendar import OfficialCalendar, YearSchedule, local_date, parse_schedule
from workflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from workflow.escalation import Chain
from workflow.intake import ValidIntake, ValidPerson, mask_id_number, mask_phone, validate_intake
from workflow.lifecycle import STATE_LABELS, Actor, CaseFacts
from workflow.periods import PERIODS, OfficePolicy

case_t = Case.__table__
event_t = CaseEvent.__table__
clock_t = CaseClock.__table__
staff_t = Staff.__table__
petitioner_t = Petitioner.__table__
counter_t = CaseCounter.__table__
escalation_t = Escalation.__table__
outbox_t = Outbox.__table__
group_t = PartyGroup.__table__
branch_t = PartyBranch.__table__

#: Steps the petitioner sees on the public tracking page (条例第二十一条: 可查询、可跟踪).
PUBLIC_ACTIONS = frozenset(
    {
        "intake",
        "accept",
        "reject",
        "transfer",
        "assign",
        "record_partner_acceptance",
        "report_back",
        "extend",
        "reply",
        "request_review",
        "reply_review",
        "request_reexamination",
        "start_hearing",
        "end_hearing",
        "reply_reexamination",
        "close",
        "withdraw",
        "lapse",
        "record_evaluation",
    }
)
SYSTEM_ACTOR = Actor(staff_no="SYSTEM", role="system", name="系统")


@dataclass
class Runtime:
    """What every unit of work needs: keys, time zone, policy and the official calendar."""

    settings: Settings
    cipher: FieldCipher
    audit_key: bytes
    policy: OfficePolicy = field(default_factory=OfficePolicy)
    _calendar: OfficialCalendar | None = None
    _calendar_checked: float = 0.0
    _calendar_stamp: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Runtime":
        """Build the runtime from settings."""
        return cls(
            settings=settings,
            cipher=FieldCipher(settings.data_key),
            audit_key=audit_key(settings.secret_key),
        )

    @property
    def tz(self) -> Any:
        """The office's local time zone."""
        return self.settings.timezone

    def calendar(self, conn: Connection) -> OfficialCalendar:
        """The official calendar with every schedule the office loaded (re-read at most every 30 s)."""
        if self._calendar is None or time.monotonic() - self._calendar_checked > 30:
            ct = CalendarSchedule.__table__
            stamp = conn.execute(select(func.count(), func.max(ct.c.loaded_at))).one()
            if self._calendar is None or tuple(stamp) != self._calendar_stamp:
                schedules = {
                    row.year: parse_schedule(json.dumps(row.data))
                    for row in conn.execute(select(ct))
                }
                self._calendar = OfficialCalendar(schedules)
                self._calendar_stamp = tuple(stamp)
            self._calendar_checked = time.monotonic()
        return self._calendar

    def invalidate_calendar(self) -> None:
        """Forget the cached calendar (a schedule was just loaded)."""
        self._calendar = None

    def ctx(self, conn: Connection) -> sla.Context:
        """The reckoning context for clocks."""
        return sla.Context(calendar=self.calendar(conn), tz=self.tz, policy=self.policy)


# --- staff ------------------------------------------------------------------------------------


def get_actor(conn: Connection, staff_no: str) -> tuple[Actor, Any]:
    """The active staff member with this 工号, as an ``Actor`` and their row."""
    row = fastsql.first(conn, _F_ACTOR, (staff_no, True))
    if row is None:
        raise NotFound(
            "staff.not_found", f"没有工号为 {staff_no} 的在岗工作人员", staff_no=staff_no
        )
    return Actor(staff_no=row.staff_no, role=row.role, name=row.name), row


def org_chain(conn: Connection, owner_id: int) -> Chain:
    """The owner's group leader, branch secretary and the office leader, by 工号."""
    owner = conn.execute(
        select(staff_t.c.staff_no, staff_t.c.group_id).where(staff_t.c.id == owner_id)
    ).one()
    group_leader = branch_secretary = None
    if owner.group_id is not None:
        branch_id = conn.execute(
            select(group_t.c.branch_id).where(group_t.c.id == owner.group_id)
        ).scalar()
        group_leader = conn.execute(
            select(staff_t.c.staff_no).where(
                staff_t.c.group_id == owner.group_id,
                staff_t.c.post == "group_leader",
                staff_t.c.active.is_(True),
            )
        ).scalar()
        branch_secretary = conn.execute(
            select(staff_t.c.staff_no)
            .join(group_t, group_t.c.id == staff_t.c.group_id)
            .where(
                group_t.c.branch_id == branch_id,
                staff_t.c.post == "branch_secretary",
                staff_t.c.active.is_(True),
            )
        ).scalar()
    office_leader = conn.execute(
        select(staff_t.c.staff_no).where(
            staff_t.c.post == "office_leader", staff_t.c.active.is_(True)
        )
    ).scalar()
    return Chain(
        owner=owner.staff_no,
        group_leader=group_leader,
        branch_secretary=branch_secretary,
        office_leader=office_leader,
    )


# --- intake ------------------------------------------------------------------------------------


def _insert_person(conn: Connection, rt: Runtime, person: ValidPerson, now: datetime) -> int:
    values = _person_values(rt, person, now)
    return fastsql.first(conn, _F_INSERT_PERSON, _F_INSERT_PERSON.values(values)).id


def _person_values(rt: Runtime, person: ValidPerson, now: datetime) -> dict[str, Any]:
    cipher = rt.cipher
    return {
        "name": person.name,
        "address": person.address,
        "created_at": now,
        "id_number_enc": cipher.encrypt(person.id_number) if person.id_number else None,
        "id_number_index": cipher.blind_index(person.id_number) if person.id_number else None,
        "id_number_masked": mask_id_number(person.id_number),
        "phone_enc": cipher.encrypt(person.phone) if person.phone else None,
        "phone_index": cipher.blind_index(person.phone) if person.phone else None,
        "phone_masked": mask_phone(person.phone),
    }


def _upsert_ignore(
    conn: Connection, table: Any, values: Mapping[str, Any], index: Sequence[str]
) -> int:
    """Insert a row unless it conflicts on ``index``; return 1 if inserted, 0 if it existed."""
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    key = list(table.primary_key.columns)[0]
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    stmt = (
        maker(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(index))
        .returning(key)
    )
    return len(conn.execute(stmt).all())


def _next_case_number(conn: Connection, year: int) -> tuple[int, str]:
    """Take the year's next number; the row lock it holds also orders the year's chain of cases."""
    row = fastsql.first(conn, _F_TAKE_NUMBER, (year,))
    if row is None:
        # The year's first case: create its counter (a racing intake may have just done so).
        _upsert_ignore(
            conn, counter_t, {"year": year, "last_seq": 0, "chain_head": GENESIS}, ["year"]
        )
        row = fastsql.first(conn, _F_TAKE_NUMBER, (year,))
        if row is None:
            raise RuntimeError(f"no case counter for {year} after creating it")
    return row.last_seq, row.chain_head


def intake(
    conn: Connection,
    rt: Runtime,
    *,
    body: Mapping[str, Any],
    actor_staff_no: str,
    now: datetime,
    idempotency_key: str | None = None,
    handled_below: bool = False,
    flags: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Register a petition; the registering staff member becomes its owner (首接责任人).

    Every path that registers a case comes here, so each one is classified the same way: a visit
    about a matter two or more levels below the office is flagged ``skip_level`` (越级访, unless
    ``handled_below``: the petitioner holds a lower organ's opinion), and a group visit (集体访) is
    flagged to the owner's supervisor. ``flags`` carries what the caller adds (``repeat_of_id``,
    ``on_site``). Returns the case JSON with ``query_code`` (the only time it is shown) and
    ``jurisdiction``.
    """
    actor, actor_row = intake_actor(conn, actor_staff_no)
    if idempotency_key:
        previous = _idempotent_response(conn, rt, idempotency_key, actor_row.id)
        if previous is not None:
            return previous
    valid = validate_intake(body, now=now)
    where = classify_here(conn, valid.region_code, handled_below=handled_below)
    details: dict[str, Any] = {
        **(flags or {}),
        "skip_level": where.skip_level,
        "jurisdiction": where.as_dict(),
    }
    supervisor = supervisor_of(conn, actor_row.id) if valid.group_size > 1 else None
    if supervisor:
        details["group_visit"] = {
            "group_size": valid.group_size,
            "representatives": [p.name for p in valid.representatives],
            "supervisor": supervisor,
        }
    case = _register(
        conn, rt, valid, actor, actor_row, now, idempotency_key=idempotency_key, flags=details
    )
    if supervisor:
        flag_group_visit(
            conn,
            case_no=case["case_no"],
            supervisor=supervisor,
            key=case["case_no"],
            payload={
                "group_size": valid.group_size,
                "on_site": bool(details.get("on_site")),
                "new_case": True,
            },
            now=now,
        )
    return case


def intake_actor(conn: Connection, staff_no: str) -> tuple[Actor, Any]:
    """The staff member registering a petition or a contact, if their role may (INTAKE_ROLES)."""
    actor, row = get_actor(conn, staff_no)
    if actor.role not in lifecycle.INTAKE_ROLES:
        raise PermissionDenied(
            "permission.denied",
            f"{lifecycle.ROLE_LABELS.get(actor.role, actor.role)}无权登记信访事项",
            action="intake",
        )
    return actor, row


def flag_group_visit(
    conn: Connection,
    *,
    case_no: str,
    supervisor: str,
    key: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> str:
    """Tell the supervisor of a group visit (集体访), once per ``key``; returns who was told."""
    notify(
        conn,
        dedup_key=f"{key}:group_visit:{supervisor}",
        topic="group_visit",
        recipient=supervisor,
        case_no=case_no,
        payload=dict(payload),
        now=now,
    )
    return supervisor


def supervisor_of(conn: Connection, owner_id: int) -> str:
    """The owner's group leader, or the next post up (a vacant post falls to the next one)."""
    chain = org_chain(conn, owner_id)
    return chain.group_leader or chain.branch_secretary or chain.office_leader or chain.owner


def _idempotent_response(
    conn: Connection, rt: Runtime, key: str, staff_id: int
) -> dict[str, Any] | None:
    it = IdempotencyKey.__table__
    row = conn.execute(select(it).where(it.c.key == key)).first()
    if row is None:
        return None
    if row.staff_id != staff_id:
        raise Conflict("idempotency.key_reused", "该幂等键已被其他工作人员使用", key=key)
    return json.loads(rt.cipher.decrypt(row.response_enc))


def _register(
    conn: Connection,
    rt: Runtime,
    valid: ValidIntake,
    actor: Actor,
    actor_row: Any,
    now: datetime,
    *,
    idempotency_key: str | None = None,
    flags: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    petitioner = _person_values(rt, valid.petitioner, now)
    petitioner_id = fastsql.first(conn, _F_INSERT_PERSON, _F_INSERT_PERSON.values(petitioner)).id
    received_local = valid.received_at.astimezone(rt.tz)
    year = received_local.year
    seq, prev_link = _next_case_number(conn, year)
    case_no = f"{year}-{seq:06d}"
    code = generate_query_code()
    payload = {
        "channel": valid.channel,
        "category": valid.category,
        "region_code": valid.region_code,
        "group_size": valid.group_size,
        "received_at": valid.received_at.isoformat(),
    }
    first_hash = event_hash(
        rt.audit_key,
        prev_hash=GENESIS,
        case_no=case_no,
        seq=1,
        action="intake",
        actor_staff_no=actor.staff_no,
        at=now,
        from_state=None,
        to_state="registered",
        payload=payload,
    )
    link = case_link(
        rt.audit_key, prev_link=prev_link, case_no=case_no, first_event_hash=first_hash
    )
    fastsql.run(conn, _F_SET_CHAIN_HEAD, (link, year))
    details: dict[str, Any] = dict(flags or {})
    values = {
        "case_no": case_no,
        "year": year,
        "seq": seq,
        "state": "registered",
        "category": valid.category,
        "channel": valid.channel,
        "subject": valid.subject,
        "content": valid.content,
        "requests": valid.requests,
        "region_code": valid.region_code,
        "group_size": valid.group_size,
        "confidential": valid.confidential,
        "accused_name": valid.accused.name if valid.accused else None,
        "accused_unit": valid.accused.unit if valid.accused else None,
        "skip_level": bool(details.pop("skip_level", False)),
        "repeat_of_id": details.pop("repeat_of_id", None),
        "owner_id": actor_row.id,
        "petitioner_id": petitioner_id,
        "received_at": valid.received_at,
        "query_code_hash": hash_query_code(code),
        "extended": False,
        "hearing_open": False,
        "partner_accepted": False,
        "details": details,
        "chain_hash": link,
        "last_event_hash": first_hash,
        "event_count": 1,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    case_id = fastsql.first(conn, _F_INSERT_CASE, _F_INSERT_CASE.values(values)).id
    # Keywords for finding similar matters at later intakes, on every path that registers a case.
    from cases.candidates import index_new_case  # noqa: PLC0415  (candidates imports this module)

    index_new_case(
        conn,
        case_id,
        subject=valid.subject,
        content=valid.content,
        requests=valid.requests,
        region_code=valid.region_code,
        received_at=valid.received_at,
    )
    for person in valid.representatives:
        rep_id = _insert_person(conn, rt, person, now)
        conn.execute(
            insert(CaseRepresentative.__table__), {"case_id": case_id, "petitioner_id": rep_id}
        )
    _insert_event(
        conn,
        {
            "case_id": case_id,
            "seq": 1,
            "action": "intake",
            "actor_staff_no": actor.staff_no,
            "at": now,
            "from_state": None,
            "to_state": "registered",
            "payload": payload,
            "public": True,
            "prev_hash": GENESIS,
            "hash": first_hash,
            "on_time": None,
        },
    )
    clocks = _write_clocks(
        conn, case_id, [], sla.intake_clocks(now, valid.received_at, rt.ctx(conn))
    )
    # The case as reading it back would give it: every value is known, nothing to re-read.
    record = _case_record(
        {**values, "id": case_id},
        owner_staff_no=actor_row.staff_no,
        owner_name=actor_row.name,
        p_name=petitioner["name"],
        p_id_masked=petitioner["id_number_masked"],
        p_phone_masked=petitioner["phone_masked"],
        p_address=petitioner["address"],
    )
    result = render(record, clocks, viewer=actor, now=now, rt=rt)
    result["query_code"] = code
    if "jurisdiction" in details:  # where the matter belongs, as the intake answer shows it
        result["jurisdiction"] = details["jurisdiction"]
    if idempotency_key:
        conn.execute(
            insert(IdempotencyKey.__table__),
            {
                "key": idempotency_key,
                "staff_id": actor_row.id,
                "case_id": case_id,
                "response_enc": rt.cipher.encrypt(json.dumps(result, ensure_ascii=False)),
                "created_at": now,
            },
        )
    return result


# --- loading and rendering -----------------------------------------------------------------------


def _case_query() -> Any:
    """Cases with their owner and (masked) petitioner: built once, reused (see the statements below)."""
    return _CASE_QUERY


_OWNER = staff_t.alias("owner")
_CASE_QUERY = (
    select(
        case_t,
        _OWNER.c.staff_no.label("owner_staff_no"),
        _OWNER.c.name.label("owner_name"),
        petitioner_t.c.name.label("p_name"),
        petitioner_t.c.id_number_masked.label("p_id_masked"),
        petitioner_t.c.phone_masked.label("p_phone_masked"),
        petitioner_t.c.address.label("p_address"),
    )
    .join(_OWNER, _OWNER.c.id == case_t.c.owner_id)
    .join(petitioner_t, petitioner_t.c.id == case_t.c.petitioner_id)
)
_CLOCK_COLUMNS = [c.name for c in clock_t.columns if c.name not in ("id", "case_id")]


# --- the hot path on the DBAPI cursor (cases.fastsql) ---------------------------------------------
# What every intake and action sends, written once as SQL and run on the connection's DBAPI
# cursor: through SQLAlchemy each statement cost more Python than the database spends running it
# (bench/lifecycle.py --profile). Everything off the hot path stays SQLAlchemy.

_q = fastsql.quoted
_F_ACTOR = fastsql.Statement(
    "SELECT id, staff_no, name, role, unit, group_id FROM staff WHERE staff_no = ? AND active = ?",
    [staff_t.c.staff_no, staff_t.c.active],
    [staff_t.c[n] for n in ("id", "staff_no", "name", "role", "unit", "group_id")],
)
# The case with its owner and (masked) petitioner: _CASE_QUERY's columns, in its order.
_CASE_JOINED: list[tuple[str, Any]] = [
    ("owner_staff_no", staff_t.c.staff_no),
    ("owner_name", staff_t.c.name),
    ("p_name", petitioner_t.c.name),
    ("p_id_masked", petitioner_t.c.id_number_masked),
    ("p_phone_masked", petitioner_t.c.phone_masked),
    ("p_address", petitioner_t.c.address),
]
_CASE_SQL = (
    "SELECT "
    + ", ".join(f"c.{_q(col.name)}" for col in case_t.columns)
    + ", o.staff_no, o.name, p.name, p.id_number_masked, p.phone_masked, p.address"
    ' FROM "case" AS c JOIN staff AS o ON o.id = c.owner_id'
    " JOIN petitioner AS p ON p.id = c.petitioner_id WHERE c.case_no = ?"
)
_CASE_RESULT = [*case_t.columns, *_CASE_JOINED]
_F_CASE = fastsql.Statement(_CASE_SQL, [case_t.c.case_no], _CASE_RESULT)
_F_CASE_FOR_UPDATE = fastsql.Statement(
    _CASE_SQL + " FOR UPDATE OF c", [case_t.c.case_no], _CASE_RESULT
)
_F_CLOCKS = fastsql.Statement(
    f"SELECT {', '.join(_q(c.name) for c in clock_t.columns)} FROM case_clock"
    " WHERE case_id = ? ORDER BY id",
    [clock_t.c.case_id],
    list(clock_t.columns),
)
_F_UPDATE_CLOCK = fastsql.Statement(
    f"UPDATE case_clock SET {', '.join(f'{_q(n)} = ?' for n in _CLOCK_COLUMNS)} WHERE id = ?",
    [*(clock_t.c[n] for n in _CLOCK_COLUMNS), clock_t.c.id],
)
_F_INSERT_CLOCK = fastsql.Insert(clock_t, ["case_id", *_CLOCK_COLUMNS], returning=["id"])
_F_INSERT_EVENT = fastsql.Insert(
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
_F_INSERT_PERSON = fastsql.Insert(
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
_F_TAKE_NUMBER = fastsql.Statement(
    "UPDATE case_counter SET last_seq = last_seq + 1 WHERE year = ? RETURNING last_seq, chain_head",
    [counter_t.c.year],
    [counter_t.c.last_seq, counter_t.c.chain_head],
)
_F_SET_CHAIN_HEAD = fastsql.Statement(
    "UPDATE case_counter SET chain_head = ? WHERE year = ?",
    [counter_t.c.chain_head, counter_t.c.year],
)
_F_INSERT_CASE = fastsql.Insert(
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
_F_UPDATE_CASE_CACHE: dict[tuple[str, ...], fastsql.Statement] = {}


def _fast_update_case(extra: tuple[str, ...]) -> fastsql.Statement:
    """The versioned case UPDATE for a set of extra columns, built once per set."""
    stmt = _F_UPDATE_CASE_CACHE.get(extra)
    if stmt is None:
        columns = ("state", "event_count", "last_event_hash", "updated_at", "version", *extra)
        stmt = fastsql.Statement(
            f'UPDATE "case" SET {", ".join(f"{_q(n)} = ?" for n in columns)}'
            " WHERE id = ? AND version = ?",
            [*(case_t.c[n] for n in columns), case_t.c.id, case_t.c.version],
        )
        _F_UPDATE_CASE_CACHE[extra] = stmt
    return stmt


_CaseRecord = _F_CASE.record
_CASE_STORED = [(col.name, fastsql.storer(col)) for col in case_t.columns]


def _case_record(values: Mapping[str, Any], **joined: Any) -> Any:
    """A case row as ``_load`` reads it, from the values just written (``joined``: owner and
    petitioner); a column not given is NULL."""
    return _CaseRecord(
        *(
            values.get(name) if store is None else store(values.get(name))
            for name, store in _CASE_STORED
        ),
        *(joined[name] for name, _ in _CASE_JOINED),
    )


def _load(conn: Connection, case_no: str, *, for_update: bool) -> Any:
    """The case with its owner and (masked) petitioner, locked for update on PostgreSQL."""
    stmt = _F_CASE_FOR_UPDATE if for_update and conn.dialect.name == "postgresql" else _F_CASE
    return fastsql.first(conn, stmt, (case_no,))


def _clock_from_row(row: Any) -> sla.Clock:
    return sla.Clock(
        id=row.id,
        name=row.name,
        status=row.status,
        started_at=row.started_at,
        start_on=row.start_on,
        days=row.days,
        unit=row.unit,
        due_date=row.due_date,
        due_at=row.due_at,
        provisional=row.provisional,
        reckoning=row.reckoning,
        extra_days=row.extra_days,
        level=row.level,
        paused_on=row.paused_on,
        fixed_due=row.fixed_due,
        stopped_at=row.stopped_at,
        next_fire_at=row.next_fire_at,
    )


def load_clocks(conn: Connection, case_id: int) -> list[sla.Clock]:
    """Every clock run of a case, oldest first."""
    return [_clock_from_row(r) for r in fastsql.all_rows(conn, _F_CLOCKS, (case_id,))]


def _clock_values(clock: sla.Clock) -> dict[str, Any]:
    return {
        "name": clock.name,
        "status": clock.status,
        "started_at": clock.started_at,
        "start_on": clock.start_on,
        "days": clock.days,
        "unit": clock.unit,
        "extra_days": clock.extra_days,
        "due_date": clock.due_date,
        "due_at": clock.due_at,
        "provisional": clock.provisional,
        "reckoning": clock.reckoning,
        "level": clock.level,
        "paused_on": clock.paused_on,
        "fixed_due": clock.fixed_due,
        "stopped_at": clock.stopped_at,
        "next_fire_at": clock.next_fire_at,
    }


def _clock_params(clock: sla.Clock) -> tuple[Any, ...]:
    """A clock's values in ``_CLOCK_COLUMNS`` order."""
    return tuple(getattr(clock, name) for name in _CLOCK_COLUMNS)


def _write_clocks(
    conn: Connection, case_id: int, changed: Sequence[sla.Clock], started: Sequence[sla.Clock]
) -> list[sla.Clock]:
    """Persist changed and new clocks; return the new ones with their ids."""
    if changed:
        fastsql.executemany(conn, _F_UPDATE_CLOCK, [(*_clock_params(c), c.id) for c in changed])
    # A stopped clock's open escalations are settled with it: nothing escalates a finished step.
    # Only a clock that has escalated has any: the sweeper writes an escalation and the clock's
    # level in one transaction, under the case's lock, and nothing sets a level back to None.
    stopped = [c.id for c in changed if not c.active and c.level is not None]
    if stopped:
        conn.execute(
            update(escalation_t)
            .where(escalation_t.c.clock_id.in_(stopped), escalation_t.c.status != "resolved")
            .values(status="resolved", resolved_at=changed[0].stopped_at)
        )
    out = []
    for clock in started:
        # One statement per clock: each needs its id back, and a multi-row INSERT's RETURNING
        # order is not promised.
        row = fastsql.first(
            conn,
            _F_INSERT_CLOCK,
            _F_INSERT_CLOCK.values({"case_id": case_id, **_clock_values(clock)}),
        )
        out.append(replace(clock, id=row.id))
    return out


def _facts(record: Any, clocks: Sequence[sla.Clock], now: datetime, tz: Any) -> CaseFacts:
    windows = {
        c.name: c.due_at
        for c in clocks
        if c.status == "running" and PERIODS[c.name].kind == "petitioner"
    }
    return CaseFacts(
        state=record.state,
        owner_staff_no=record.owner_staff_no,
        now=now,
        extended=record.extended,
        hearing_open=record.hearing_open,
        rated=record.rating is not None,
        window_due=windows,
        received_on=local_date(record.received_at, tz),
        transferred_on=record.transferred_on,
        partner_accepted=record.partner_accepted,
    )


def _hidden_from(viewer: Actor | None, viewer_unit: str | None, record: Any) -> bool:
    """Art. 30 ¶3: an accusation's author is never shown to the accused person or unit."""
    if not record.confidential or viewer is None:
        return False
    if viewer_unit and record.accused_unit and viewer_unit.strip() == record.accused_unit.strip():
        return True
    return bool(record.accused_name and viewer.name and viewer.name == record.accused_name)


def render_clock(clock: sla.Clock, tz: Any) -> dict[str, Any]:
    """A clock as contract.md's JSON."""
    return {
        "name": clock.name,
        "label": PERIODS[clock.name].label,
        "article": PERIODS[clock.name].article,
        "due_date": clock.due_date.isoformat(),
        "due_at": clock.due_at.astimezone(tz).isoformat(),
        "provisional": clock.provisional,
        "reckoning": clock.reckoning,
        "status": clock.status,
        "level": clock.level,
        "started_at": clock.started_at.astimezone(tz).isoformat(),
        "stopped_at": clock.stopped_at.astimezone(tz).isoformat() if clock.stopped_at else None,
    }


def render(
    record: Any,
    clocks: Sequence[sla.Clock],
    *,
    viewer: Actor | None,
    now: datetime,
    rt: Runtime,
    viewer_unit: str | None = None,
    repeat_of: str | None = None,
) -> dict[str, Any]:
    """The case JSON of contract.md, as this viewer may see it."""
    tz = rt.tz
    hidden = _hidden_from(viewer, viewer_unit, record)
    petitioner = (
        {"name": "（保密）", "id_number_masked": None, "phone_masked": None, "confidential": True}
        if hidden
        else {
            "name": record.p_name,
            "id_number_masked": record.p_id_masked,
            "phone_masked": record.p_phone_masked,
        }
    )
    facts = _facts(record, clocks, now, tz)
    return {
        "case_no": record.case_no,
        "state": record.state,
        "state_label": STATE_LABELS[record.state],
        "category": record.category,
        "channel": record.channel,
        "subject": record.subject,
        "content": None if hidden else record.content,
        "requests": None if hidden else record.requests,
        "region_code": record.region_code,
        "owner": {"staff_no": record.owner_staff_no, "name": record.owner_name},
        "petitioner": petitioner,
        "received_at": record.received_at.astimezone(tz).isoformat(),
        "clocks": [render_clock(c, tz) for c in clocks],
        "allowed_actions": lifecycle.allowed_actions(facts, viewer) if viewer else [],
        "flags": {
            "repeat_of": repeat_of,
            "skip_level": record.skip_level,
            "group_size": record.group_size,
            "confidential": record.confidential,
        },
        "outcome": record.outcome,
        "rating": record.rating,
        "extended": record.extended,
        "details": record.details or {},
        "version": record.version,
    }


def _repeat_of_no(conn: Connection, record: Any) -> str | None:
    if record.repeat_of_id is None:
        return None
    return conn.execute(select(case_t.c.case_no).where(case_t.c.id == record.repeat_of_id)).scalar()


def show(
    conn: Connection, rt: Runtime, *, case_no: str, viewer_staff_no: str | None, now: datetime
) -> dict[str, Any]:
    """One case with its clocks, as the viewer may see it."""
    record = _load(conn, case_no, for_update=False)
    if record is None:
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    viewer, viewer_row = _viewer(conn, viewer_staff_no)
    return render(
        record,
        load_clocks(conn, record.id),
        viewer=viewer,
        now=now,
        rt=rt,
        viewer_unit=viewer_row.unit if viewer_row is not None else None,
        repeat_of=_repeat_of_no(conn, record),
    )


def _viewer(conn: Connection, staff_no: str | None) -> tuple[Actor | None, Any]:
    if staff_no is None:
        return None, None
    actor, row = get_actor(conn, staff_no)
    if actor.role not in lifecycle.READ_ROLES:
        raise PermissionDenied(
            "permission.denied",
            f"{lifecycle.ROLE_LABELS.get(actor.role, actor.role)}无权查看信访事项",
        )
    return actor, row


def list_cases(
    conn: Connection,
    rt: Runtime,
    *,
    viewer_staff_no: str | None,
    now: datetime,
    owner: str | None = None,
    state: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Cases, newest first, optionally by owner's 工号 and state."""
    viewer, viewer_row = _viewer(conn, viewer_staff_no)
    stmt = _case_query().order_by(case_t.c.received_at.desc(), case_t.c.id.desc()).limit(limit)
    if owner:
        stmt = stmt.where(
            case_t.c.owner_id
            == select(staff_t.c.id).where(staff_t.c.staff_no == owner).scalar_subquery()
        )
    if state:
        if state not in STATE_LABELS:
            raise InvalidInput("case.bad_state", f"未知的状态：{state}", field="state")
        stmt = stmt.where(case_t.c.state == state)
    records = conn.execute(stmt).all()
    by_case: dict[int, list[sla.Clock]] = {r.id: [] for r in records}
    if records:
        rows = conn.execute(
            select(clock_t).where(clock_t.c.case_id.in_(list(by_case))).order_by(clock_t.c.id)
        )
        for row in rows:
            by_case[row.case_id].append(_clock_from_row(row))
    unit = viewer_row.unit if viewer_row is not None else None
    return [
        render(r, by_case[r.id], viewer=viewer, now=now, rt=rt, viewer_unit=unit) for r in records
    ]


def case_events(
    conn: Connection, rt: Runtime, *, case_no: str, viewer_staff_no: str | None
) -> list[dict[str, Any]]:
    """The case's audit events, oldest first."""
    record = _load(conn, case_no, for_update=False)
    if record is None:
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    _viewer(conn, viewer_staff_no)
    rows = conn.execute(
        select(event_t).where(event_t.c.case_id == record.id).order_by(event_t.c.seq)
    )
    return [
        {
            "seq": r.seq,
            "action": r.action,
            "action_label": lifecycle.EVENT_LABELS.get(r.action, r.action),
            "actor": r.actor_staff_no,
            "at": r.at.astimezone(rt.tz).isoformat(),
            "from_state": r.from_state,
            "to_state": r.to_state,
            "payload": r.payload,
            "public": r.public,
            "hash": r.hash,
        }
        for r in rows
    ]


# --- actions -----------------------------------------------------------------------------------


def _details_after(
    action: str, payload: Mapping[str, Any], details: Mapping[str, Any]
) -> dict[str, Any]:
    out = dict(details)
    if action == "reject":
        out["reject"] = {"reason_code": payload["reason_code"], "guidance": payload["guidance"]}
    elif action in ("transfer", "assign"):
        out[action] = dict(payload)
    elif action == "record_partner_acceptance":
        out["partner_accepted_on"] = payload["accepted_on"]
    elif action == "report_back":
        out["report_back"] = payload["summary"]
    elif action == "extend":
        out["extension"] = {"days": payload["days"], "reason": payload["reason"]}
    elif action == "reply":
        out["reply"] = {"outcome": payload["outcome"], "opinion": payload["opinion"]}
    elif action == "reply_review":
        out["review_opinion"] = payload["opinion"]
    elif action == "reply_reexamination":
        out["reexamination_opinion"] = payload["opinion"]
    return out


def act(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    action: str,
    actor_staff_no: str,
    payload: Mapping[str, Any] | None,
    now: datetime,
    expected_version: int | None = None,
    actor: Actor | None = None,
) -> dict[str, Any]:
    """Perform one action on a case as one unit of work and return the case JSON."""
    actor_row = None
    if actor is None:
        actor, actor_row = get_actor(conn, actor_staff_no)
    if action not in lifecycle.ACTION_ROLES or (action == "lapse" and actor.role != "system"):
        raise InvalidInput("action.unknown", f"未知的操作：{action}", field="action")
    # Lock the case row (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so two
    # writers without a version are applied one after the other, each checked against the state
    # the other left; a writer naming a stale version is refused.
    record = _load(conn, case_no, for_update=True)
    if record is None:
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    if expected_version is not None and expected_version != record.version:
        raise Conflict(
            "case.stale_version",
            f"信访事项 {case_no} 已被他人修改（当前版本 {record.version}），请刷新后重试",
            version=record.version,
        )
    clocks = load_clocks(conn, record.id)
    tz = rt.tz
    facts = _facts(record, clocks, now, tz)
    lifecycle.check(action, facts, actor)
    data = lifecycle.validate_payload(action, payload or {}, facts, local_date(now, tz))

    values: dict[str, Any] = {}
    if action == "reassign":
        target, target_row = get_actor(conn, data["to_staff_no"])
        if target.role not in lifecycle.OWNER_ROLES:
            raise InvalidInput(
                "reassign.bad_target",
                f"{target.name}（{target.staff_no}）的岗位不能担任首接责任人",
                field="to_staff_no",
            )
        if target.staff_no == record.owner_staff_no:
            raise InvalidInput(
                "reassign.same_owner", "新的首接责任人与原责任人相同", field="to_staff_no"
            )
        values["owner_id"] = target_row.id
        data["from_staff_no"] = record.owner_staff_no

    new_state = lifecycle.fire(action, facts)
    active = {c.name: c for c in clocks if c.active}
    changes = sla.apply_action(action, new_state, active, data, now, rt.ctx(conn))
    # What the statistics count of this step, committed with it (cases/stats.py).
    counted = stats.step_facts(action, changes.changed, now)
    values.update(counted.case)

    if action == "extend":
        values["extended"] = True
    elif action == "start_hearing":
        values["hearing_open"] = True
    elif action == "end_hearing":
        values["hearing_open"] = False
    elif action == "record_partner_acceptance":
        values["partner_accepted"] = True
    elif action == "transfer":
        values["transferred_on"] = local_date(now, tz)
    elif action == "reply":
        values["outcome"] = data["outcome"]
    elif action == "record_evaluation":
        values["rating"] = data["rating"]
        values["rated_at"] = now
    details = _details_after(action, data, record.details or {})
    if details != (record.details or {}):
        values["details"] = details

    seq = _append_event(
        conn,
        rt,
        case=record,
        action=action,
        actor_staff_no=actor.staff_no,
        now=now,
        to_state=new_state,
        payload=data,
        public=action in PUBLIC_ACTIONS,
        values=values,
        on_time=counted.note_on_time,
    )
    started = _write_clocks(conn, record.id, changes.changed, changes.started)
    _notify_after(conn, action, record, data, now, seq)

    by_id = {c.id: c for c in changes.changed}
    merged = [by_id.get(c.id, c) for c in clocks] + started
    # The loaded row with the action's changes laid over it: nothing to re-read.
    new_record = record._replace(
        state=new_state, version=record.version + 1, **_record_overrides(values, conn)
    )
    return render(
        new_record,
        merged,
        viewer=actor,
        now=now,
        rt=rt,
        viewer_unit=actor_row.unit if actor_row is not None else None,
        repeat_of=_repeat_of_no(conn, record),
    )


def _record_overrides(values: Mapping[str, Any], conn: Connection) -> dict[str, Any]:
    out = {k: v for k, v in values.items() if k != "owner_id"}
    if "owner_id" in values:
        row = conn.execute(
            select(staff_t.c.staff_no, staff_t.c.name).where(staff_t.c.id == values["owner_id"])
        ).one()
        out["owner_staff_no"] = row.staff_no
        out["owner_name"] = row.name
    return out


def notify(
    conn: Connection,
    *,
    dedup_key: str,
    topic: str,
    recipient: str,
    case_no: str | None,
    payload: Mapping[str, Any],
    now: datetime,
) -> bool:
    """Write a notification to the outbox, once per dedup key; delivered after commit."""
    values = {
        "dedup_key": dedup_key,
        "topic": topic,
        "recipient_staff_no": recipient,
        "case_no": case_no,
        "payload": dict(payload),
        "created_at": now,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
    }
    return _upsert_ignore(conn, outbox_t, values, ["dedup_key"]) == 1


def _notify_after(
    conn: Connection, action: str, record: Any, data: Mapping[str, Any], now: datetime, seq: int
) -> None:
    key = f"{record.case_no}:{seq}"
    if action == "reassign":
        for who, role in ((data["to_staff_no"], "new_owner"), (record.owner_staff_no, "old_owner")):
            notify(
                conn,
                dedup_key=f"{key}:reassign:{who}",
                topic="reassigned",
                recipient=who,
                case_no=record.case_no,
                payload={"role": role, "reason": data["reason"]},
                now=now,
            )
    elif action == "record_evaluation" and data["rating"] == "dissatisfied":
        chain = org_chain(conn, record.owner_id)
        # 不满意 goes before the owner's supervisor (the group leader, or the next post up).
        supervisor = (
            chain.group_leader or chain.branch_secretary or chain.office_leader or chain.owner
        )
        for who in dict.fromkeys([supervisor, chain.owner]):
            notify(
                conn,
                dedup_key=f"{key}:dissatisfied:{who}",
                topic="dissatisfied",
                recipient=who,
                case_no=record.case_no,
                payload={"rating": data["rating"]},
                now=now,
            )


# --- calendar -----------------------------------------------------------------------------------


def load_calendar(
    conn: Connection, rt: Runtime, *, schedule: YearSchedule, now: datetime
) -> list[dict[str, Any]]:
    """Store an official year schedule and recompute every open deadline; record each change."""
    ct = CalendarSchedule.__table__
    data = {
        "year": schedule.year,
        "holidays": {d.isoformat(): n for d, n in sorted(schedule.holidays.items())},
        "workdays": sorted(d.isoformat() for d in schedule.workdays),
    }
    conn.execute(ct.delete().where(ct.c.year == schedule.year))
    conn.execute(insert(ct), {"year": schedule.year, "data": data, "loaded_at": now})
    rt.invalidate_calendar()
    ctx = rt.ctx(conn)
    changes = []
    # Every active clock: its due date, and the working days its ladder counts, may change.
    rows = conn.execute(
        select(clock_t, case_t.c.case_no)
        .join(case_t, case_t.c.id == clock_t.c.case_id)
        .where(clock_t.c.status.in_(["running", "paused"]))
        .order_by(clock_t.c.case_id, clock_t.c.id)
    ).all()
    for row in rows:
        old = _clock_from_row(row)
        new = sla.recompute(old, ctx)
        if new == old:
            continue
        conn.execute(update(clock_t).where(clock_t.c.id == old.id).values(**_clock_values(new)))
        if (new.due_date, new.provisional, new.reckoning) == (
            old.due_date,
            old.provisional,
            old.reckoning,
        ):
            continue  # only the ladder's timing moved: derived data, no change to tell the case
        change = {
            "clock": old.name,
            "old_due_date": old.due_date.isoformat(),
            "new_due_date": new.due_date.isoformat(),
            "old_provisional": old.provisional,
            "provisional": new.provisional,
            "why": f"载入{schedule.year}年官方放假安排，重新计算期限",
            "reckoning": new.reckoning,
        }
        system_event(
            conn, rt, case_no=row.case_no, action="deadline_changed", payload=change, now=now
        )
        changes.append({"case_no": row.case_no, **change})
    return changes


def system_event(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    action: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> None:
    """Append a system event (no state change) to a case's chain, bumping its version."""
    stmt = select(
        case_t.c.id,
        case_t.c.case_no,
        case_t.c.state,
        case_t.c.event_count,
        case_t.c.last_event_hash,
        case_t.c.version,
    ).where(case_t.c.case_no == case_no)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).one()
    _append_event(
        conn,
        rt,
        case=row,
        action=action,
        actor_staff_no=SYSTEM_ACTOR.staff_no,
        now=now,
        to_state=row.state,
        payload=payload,
        public=False,
    )


def _append_event(
    conn: Connection,
    rt: Runtime,
    *,
    case: Any,
    action: str,
    actor_staff_no: str,
    now: datetime,
    to_state: str,
    payload: Mapping[str, Any],
    public: bool,
    values: Mapping[str, Any] | None = None,
    on_time: bool | None = None,
) -> int:
    """Chain one event onto a case and move the case row (state, head, version) with it.

    ``case`` is the case row as read (id, case_no, state, event_count, last_event_hash, version);
    a row changed since is a conflict. Returns the event's sequence number.
    """
    seq = case.event_count + 1
    digest = event_hash(
        rt.audit_key,
        prev_hash=case.last_event_hash,
        case_no=case.case_no,
        seq=seq,
        action=action,
        actor_staff_no=actor_staff_no,
        at=now,
        from_state=case.state,
        to_state=to_state,
        payload=payload,
    )
    extra = dict(values or {})
    names = tuple(sorted(extra))
    moved = fastsql.run(
        conn,
        _fast_update_case(names),
        (
            to_state,
            seq,
            digest,
            now,
            case.version + 1,
            *(extra[n] for n in names),
            case.id,
            case.version,
        ),
    )
    if moved != 1:
        raise Conflict(
            "case.stale_version",
            f"信访事项 {case.case_no} 已被他人同时修改，请刷新后重试",
            version=case.version,
        )
    _insert_event(
        conn,
        {
            "case_id": case.id,
            "seq": seq,
            "action": action,
            "actor_staff_no": actor_staff_no,
            "at": now,
            "from_state": case.state,
            "to_state": to_state,
            "payload": dict(payload),
            "public": public,
            "prev_hash": case.last_event_hash,
            "hash": digest,
            "on_time": on_time,
        },
    )
    return seq


def _insert_event(conn: Connection, values: Mapping[str, Any]) -> None:
    """Insert one audit event row."""
    fastsql.run(conn, _F_INSERT_EVENT, _F_INSERT_EVENT.values(values))


# --- staff administration -------------------------------------------------------------------------


def add_staff(
    conn: Connection,
    *,
    staff_no: str,
    name: str,
    role: str,
    now: datetime,
    group: str | None = None,
    password_hash: str | None = None,
    pledge: str = "",
    post: str | None = None,
    unit: str | None = None,
    title: str = "",
    email: str | None = None,
) -> int:
    """Add a staff member; the 工号 must be new and the role one of domain.md's."""
    staff_no = staff_no.strip()
    if not staff_no or len(staff_no) > 32:
        raise InvalidInput("staff.bad_staff_no", "工号不能为空，且不超过32个字符", field="staff_no")
    if not name.strip():
        raise InvalidInput("staff.bad_name", "姓名不能为空", field="name")
    if role not in lifecycle.STAFF_ROLES:
        roles = "、".join(
            f"{k}（{lifecycle.ROLE_LABELS[k]}）" for k in sorted(lifecycle.STAFF_ROLES)
        )
        raise InvalidInput("staff.bad_role", f"岗位应为以下之一：{roles}", field="role")
    if post not in (None, "group_leader", "branch_secretary", "office_leader"):
        raise InvalidInput(
            "staff.bad_post",
            "党内职务应为 group_leader、branch_secretary 或 office_leader",
            field="post",
        )
    if conn.execute(select(staff_t.c.id).where(staff_t.c.staff_no == staff_no)).first():
        raise Conflict("staff.duplicate", f"工号 {staff_no} 已存在", field="staff_no")
    group_id = None
    if group:
        group_id = conn.execute(select(group_t.c.id).where(group_t.c.name == group)).scalar()
        if group_id is None:
            raise NotFound("group.not_found", f"没有名为「{group}」的党小组", field="group")
    return conn.execute(
        insert(staff_t).returning(staff_t.c.id),
        {
            "staff_no": staff_no,
            "name": name.strip(),
            "role": role,
            "group_id": group_id,
            "password_hash": password_hash,
            "pledge": pledge,
            "post": post,
            "unit": unit,
            "title": title,
            "party_member": True,
            "active": True,
            "created_at": now,
            "email": email,
        },
    ).scalar_one()


def ensure_group(conn: Connection, *, branch: str, group: str) -> int:
    """The id of a party group, creating it (and its branch) when missing."""
    branch_id = conn.execute(select(branch_t.c.id).where(branch_t.c.name == branch)).scalar()
    if branch_id is None:
        branch_id = conn.execute(
            insert(branch_t).returning(branch_t.c.id), {"name": branch}
        ).scalar_one()
    group_id = conn.execute(select(group_t.c.id).where(group_t.c.name == group)).scalar()
    if group_id is None:
        group_id = conn.execute(
            insert(group_t).returning(group_t.c.id), {"name": group, "branch_id": branch_id}
        ).scalar_one()
    return group_id


def case_count(conn: Connection) -> int:
    """How many cases the database holds."""
    return conn.execute(select(func.count()).select_from(case_t)).scalar_one()


def office(conn: Connection) -> Any:
    """The office row, if configured."""
    return conn.execute(select(Office.__table__)).first()
