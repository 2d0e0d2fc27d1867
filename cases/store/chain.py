"""The audit chain on the case row: each event is hashed onto the one before it, and the case's
state, head and version move with it in one versioned UPDATE."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from cases import audit_state
from cases.audit import event_hash
from cases.runtime import Runtime
from cases.store import fastsql, statements
from cases.store.records import load_case
from cases.tracing import current_request_id
from workflow.errors import Conflict
from workflow.lifecycle import SYSTEM_ACTOR


def insert_event(conn: Connection, values: Mapping[str, Any]) -> None:
    """Insert one audit event row, with the id of the request that made it."""
    fastsql.run(conn, statements.INSERT_EVENT, {"request_id": current_request_id(), **values})


def append_event(
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

    ``case`` is the case as ``load_case`` reads it (every column of the row, with its
    petitioner's); a row changed since is a conflict. The event commits to the digest of what
    the step left (``cases.audit_state``), so the step's other writes (clocks, escalations,
    attachments) come before this call. Returns the event's sequence number.
    """
    seq = case.event_count + 1
    extra = dict(values or {})
    after = {name: getattr(case, name) for name in audit_state.CASE_COLUMNS}
    after.update(extra)
    after.update(state=to_state, event_count=seq, updated_at=now, version=case.version + 1)
    state = audit_state.step_digest(conn, case.id, after, petitioner_of(case))
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
        state=state,
    )
    moved = fastsql.run(
        conn,
        statements.update_case(tuple(sorted(extra))),
        {
            **extra,
            "state": to_state,
            "event_count": seq,
            "last_event_hash": digest,
            "updated_at": now,
            "version": case.version + 1,
            "case_id": case.id,
            "expected_version": case.version,
        },
    )
    if moved != 1:
        raise Conflict(
            "case.stale_version",
            f"信访事项 {case.case_no} 已被他人同时修改，请刷新后重试",
            version=case.version,
        )
    insert_event(
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
            "state_digest": state,
        },
    )
    return seq


def petitioner_of(case: Any) -> dict[str, Any]:
    """The petitioner's columns a case's digest covers, from a ``load_case`` row."""
    return {
        "name": case.p_name,
        "id_number_masked": case.p_id_masked,
        "phone_masked": case.p_phone_masked,
        "address": case.p_address,
    }


def system_event(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    action: str,
    payload: Mapping[str, Any],
    now: datetime,
    actor_staff_no: str | None = None,
    public: bool = False,
) -> None:
    """Append an event that changes no state to a case's chain, bumping its version.

    ``actor_staff_no`` names the staff member who acted (the system when None); ``public`` puts
    the step on the petitioner's tracking page (a notice meant for them)."""
    row = load_case(conn, case_no, for_update=True)
    append_event(
        conn,
        rt,
        case=row,
        action=action,
        actor_staff_no=actor_staff_no or SYSTEM_ACTOR.staff_no,
        now=now,
        to_state=row.state,
        payload=payload,
        public=public,
    )
