"""Registering a petition (登记): the registering staff member becomes its owner (首接责任人)."""

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import DBAPIError

from cases import audit_state
from cases.audit import GENESIS, case_link, event_hash
from cases.casework.view import render
from cases.crypto import generate_query_code, hash_query_code
from cases.repeat.index import index_new_case
from cases.repeat.jurisdiction import classify_here
from cases.repeat.topics import store_topics
from cases.runtime import Runtime
from cases.store import fastsql, statements
from cases.store.chain import insert_event
from cases.store.outbox import notify
from cases.store.records import case_record, clock_values, write_clocks
from cases.store.retry import sqlstate
from cases.store.staff import get_actor, supervisor_of
from cases.store.tables import counter_t, idempotency_t, representative_t
from cases.store.upsert import insert_ignore
from workflow import lifecycle, measures, sla
from workflow.errors import Conflict, InvalidInput, PermissionDenied
from workflow.intake import ValidIntake, ValidPerson, mask_id_number, mask_phone, validate_intake
from workflow.lifecycle import Actor


def person_values(rt: Runtime, person: ValidPerson, now: datetime) -> dict[str, Any]:
    """A petitioner row: identity and phone encrypted, blind-indexed and masked."""
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


def insert_person(conn: Connection, rt: Runtime, person: ValidPerson, now: datetime) -> int:
    """Store one petitioner (or representative) and return their id."""
    values = person_values(rt, person, now)
    return fastsql.first(conn, statements.INSERT_PERSON, values).id


def _next_case_number(conn: Connection, year: int) -> tuple[int, str]:
    """Take the year's next number; the row lock it holds also orders the year's chain of cases."""
    row = fastsql.first(conn, statements.TAKE_NUMBER, {"year": year})
    if row is None:
        # The year's first case: create its counter (a racing intake may have just done so).
        insert_ignore(
            conn, counter_t, {"year": year, "last_seq": 0, "chain_head": GENESIS}, ["year"]
        )
        row = fastsql.first(conn, statements.TAKE_NUMBER, {"year": year})
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
        previous = claim_key(
            conn, rt, idempotency_key, actor_row.id, now, body_hash(body, handled_below)
        )
        if previous is not None:
            return previous
    valid = validate_intake(body, now=now, regions=rt.regions(conn))
    where = classify_here(
        conn, valid.region_code, channel=valid.channel, handled_below=handled_below
    )
    details: dict[str, Any] = {
        **(flags or {}),
        "skip_level": where.skip_level,
        "jurisdiction": where.as_dict(),
    }
    # The registering staff member owns the case: the alert goes to the next post up held by
    # someone else, so a group leader registering a group visit does not alert herself.
    supervisor = (
        supervisor_of(conn, actor_row.id, skip=[actor.staff_no]) if valid.group_size > 1 else None
    )
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
                # Where the office went to meet the group (下移接待), for the alert to name it.
                "place": (details.get("on_site") or {}).get("place", ""),
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


class InProgress(Conflict):
    """The first request with this Idempotency-Key is still being registered (409, retry later)."""

    def __init__(self, key: str) -> None:
        super().__init__(
            "idempotency.in_progress",
            "正在处理：使用同一幂等键的登记尚未完成，请稍后重试",
            key=key,
        )
        self.retry_after = IDEMPOTENCY_RETRY_AFTER


#: Seconds a duplicate intake waits for the first one's answer before it is told 「正在处理」.
IDEMPOTENCY_WAIT = 5
#: Seconds a client told 「正在处理」 is asked to wait before retrying.
IDEMPOTENCY_RETRY_AFTER = 1


def body_hash(body: Mapping[str, Any], handled_below: bool = False) -> str:
    """The SHA-256 of an intake body as JSON with sorted keys (and how it was classified)."""
    canonical = json.dumps(
        {"body": body, "handled_below": handled_below},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def claim_key(
    conn: Connection,
    rt: Runtime,
    key: str,
    staff_id: int,
    now: datetime,
    body_sha256: str | None = None,
) -> dict[str, Any] | None:
    """Claim an Idempotency-Key before registering (``INSERT … ON CONFLICT DO NOTHING``).

    None when this request claimed it (it goes on to register, and ``_register`` stores the answer
    on the claim). A duplicate gets the first answer: on PostgreSQL its INSERT waits on the first
    request's uncommitted claim (at most ``IDEMPOTENCY_WAIT`` seconds, then ``InProgress``); on
    SQLite the first request's transaction is over before a second one begins.
    """
    values = {"key": key, "staff_id": staff_id, "created_at": now, "body_sha256": body_sha256}
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{IDEMPOTENCY_WAIT}s'")
    try:
        claimed = insert_ignore(conn, idempotency_t, values, ["key"])
    except DBAPIError as exc:
        if sqlstate(exc) == "55P03":  # lock_not_available: the first request is still working
            raise InProgress(key) from None
        raise
    if postgres:
        conn.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")
    if claimed:
        return None
    row = conn.execute(select(idempotency_t).where(idempotency_t.c.key == key)).first()
    if row is None:  # the first request rolled back after this one looked: nothing to wait for
        raise InProgress(key)
    if row.staff_id != staff_id:
        raise Conflict("idempotency.key_reused", "该幂等键已被其他工作人员使用", key=key)
    if row.body_sha256 and body_sha256 and row.body_sha256 != body_sha256:
        # A retry sends the same body; another body under the key is a different petition.
        raise InvalidInput(
            "idempotency.body_mismatch",
            "该幂等键已用于另一份登记内容：请为新的登记使用新的 Idempotency-Key",
            field="Idempotency-Key",
        )
    if row.response_enc is None:
        raise InProgress(key)
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
    petitioner = person_values(rt, valid.petitioner, now)
    petitioner_id = fastsql.first(conn, statements.INSERT_PERSON, petitioner).id
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
        "event_count": 1,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    started = sla.intake_clocks(now, valid.received_at, rt.ctx(conn))
    # What the on-time rates count the case by, from its first clocks (workflow/measures.py).
    values.update(measures.due_dates("intake", [], started))
    values.setdefault("handling_due", None)
    # The first event commits to the rows the intake leaves (cases.audit_state): the case as it
    # is inserted, its petitioner and its first clocks; nothing escalated or attached yet.
    state = audit_state.case_digest(
        {**values, **dict.fromkeys(statements.CASE_STEP_COLUMNS)},
        petitioner,
        [clock_values(c) for c in started],
        [],
        [],
    )
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
        state=state,
    )
    link = case_link(
        rt.audit_key, prev_link=prev_link, case_no=case_no, first_event_hash=first_hash
    )
    fastsql.run(conn, statements.SET_CHAIN_HEAD, {"chain_head": link, "year": year})
    values.update(chain_hash=link, last_event_hash=first_hash)
    case_row = fastsql.first(conn, statements.INSERT_CASE, values)
    case_id = case_row.id
    # Keywords for finding similar matters at later intakes, on every path that registers a case.
    index_new_case(
        conn,
        case_id,
        subject=valid.subject,
        content=valid.content,
        requests=valid.requests,
        region_code=valid.region_code,
        received_at=valid.received_at,
    )
    # The hot topics' words, read once here rather than at every statistics call.
    store_topics(conn, case_id, valid.subject, valid.received_at)
    for person in valid.representatives:
        rep_id = insert_person(conn, rt, person, now)
        conn.execute(insert(representative_t), {"case_id": case_id, "petitioner_id": rep_id})
    insert_event(
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
            "state_digest": state,
        },
    )
    clocks = write_clocks(conn, case_id, [], started)
    # The case as reading it back would give it: its row came back from the INSERT.
    record = case_record(
        case_row,
        owner_staff_no=actor_row.staff_no,
        owner_name=actor_row.name,
        p_name=petitioner["name"],
        p_id_masked=petitioner["id_number_masked"],
        p_phone_masked=petitioner["phone_masked"],
        p_address=petitioner["address"],
    )
    result = render(record, clocks, viewer=actor, now=now, rt=rt, ctx=rt.ctx(conn))
    if "jurisdiction" in details:  # where the matter belongs, as the intake answer shows it
        result["jurisdiction"] = details["jurisdiction"]
    if idempotency_key:
        # The claim taken at the start of this transaction (claim_key) gets its answer.
        # The replayed answer never carries the 查询码: whoever replays the key (a retry, or
        # someone who read it from a log) must not see it; a lost code is reissued after the
        # petitioner's identity is checked (cases.casework.query_codes).
        conn.execute(
            update(idempotency_t)
            .where(idempotency_t.c.key == idempotency_key)
            .values(
                case_id=case_id,
                response_enc=rt.cipher.encrypt(json.dumps(result, ensure_ascii=False)),
            )
        )
    result["query_code"] = code
    return result
