"""The audit trail: events chained per case, and cases chained per year.

Each event's hash is an HMAC over its content and the previous event's hash on the same case, so a
case's history needs no lock but its own row. Each case's first event is chained, at numbering, into
its year's chain of cases (the numbering row is locked for the case number anyway), so deleting a
case with its whole history breaks the year's chain. The hashes are keyed: a copy of the database
alone cannot forge them.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from cases import audit_state
from cases.models import Case, CaseCounter, CaseEvent

GENESIS = "0" * 64


def audit_key(secret_key: bytes) -> bytes:
    """The audit chain's key, derived from the secret key."""
    return hmac.new(secret_key, b"shoujie audit chain v1", hashlib.sha256).digest()


def _canonical(value: Mapping[str, Any]) -> bytes:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def event_hash(
    key: bytes,
    *,
    prev_hash: str,
    case_no: str,
    seq: int,
    action: str,
    actor_staff_no: str,
    at: datetime,
    from_state: str | None,
    to_state: str | None,
    payload: Mapping[str, Any],
    state: Mapping[str, str] | None = None,
) -> str:
    """The hash of one event, over its content, its predecessor's hash and what it left.

    ``state`` is the digest of the rows the step left (``cases.audit_state``); events written
    before migration 0014 have none, and their hashes are as they were."""
    body = {
        "prev": prev_hash,
        "case_no": case_no,
        "seq": seq,
        "action": action,
        "actor": actor_staff_no,
        # Microseconds dropped: some databases round them, and the order is kept by ``seq``.
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "from": from_state,
        "to": to_state,
        "payload": payload,
    }
    if state is not None:
        body["state"] = dict(state)
    return hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()


def case_link(key: bytes, *, prev_link: str, case_no: str, first_event_hash: str) -> str:
    """The link of a case in its year's chain of cases."""
    message = f"{prev_link}|{case_no}|{first_event_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of ``verify``: how many events were checked and the first break, if any."""

    events: int
    cases: int
    broken: str | None = None
    #: Cases whose last event predates the state digest (migration 0014): their rows are unchecked.
    unsealed: int = 0


#: Cases whose events ``verify`` reads in one query: memory stays bounded however long the trail.
VERIFY_BATCH = 200


def _events_of(conn: Connection, case_ids: list[int]) -> dict[int, list[Any]]:
    """The events of a batch of cases, each case's in order, in one query."""
    event_t = CaseEvent.__table__
    out: dict[int, list[Any]] = {i: [] for i in case_ids}
    for ev in conn.execute(
        select(event_t)
        .where(event_t.c.case_id.in_(case_ids))
        .order_by(event_t.c.case_id, event_t.c.seq)
    ):
        out[ev.case_id].append(ev)
    return out


def verify(conn: Connection, key: bytes) -> VerifyResult:
    """Walk every year's chain of cases and every case's chain of events.

    Events are read a batch of cases at a time, all in the caller's one transaction: pass a
    connection from ``cases.db.reader`` so that on SQLite the walk reads a snapshot and never holds
    the write lock (writers go on meanwhile; what they add after the snapshot is not seen)."""
    case_t, counter_t = Case.__table__, CaseCounter.__table__
    events = 0
    cases = 0
    unsealed = 0
    counters = {r.year: r for r in conn.execute(select(counter_t))}
    case_rows = conn.execute(
        select(
            case_t.c.id,
            case_t.c.case_no,
            case_t.c.year,
            case_t.c.seq,
            case_t.c.chain_hash,
            case_t.c.last_event_hash,
            case_t.c.event_count,
        ).order_by(case_t.c.year, case_t.c.seq)
    ).all()
    years: dict[int, list[Any]] = {}
    for row in case_rows:
        years.setdefault(row.year, []).append(row)
    for year in sorted(set(years) | set(counters)):
        rows = years.get(year, [])
        counter = counters.get(year)
        prev_link = GENESIS
        expected_seq = 1
        batch: dict[int, list[Any]] = {}
        states: dict[int, dict[str, str]] = {}
        for index, row in enumerate(rows):
            if index % VERIFY_BATCH == 0:
                ids = [r.id for r in rows[index : index + VERIFY_BATCH]]
                batch = _events_of(conn, ids)
                states = audit_state.current_digests(conn, ids)
            case_events = batch[row.id]
            if row.seq != expected_seq:
                return VerifyResult(
                    events,
                    cases,
                    f"信访件 {year}-{expected_seq:06d} 缺失（case {year}-{expected_seq:06d} missing）",
                )
            first = next((ev.hash for ev in case_events if ev.seq == 1), None)
            link = case_link(
                key, prev_link=prev_link, case_no=row.case_no, first_event_hash=first or ""
            )
            if not hmac.compare_digest(link, row.chain_hash):
                return VerifyResult(
                    events,
                    cases,
                    f"信访件 {row.case_no} 的年度链接不符（case {row.case_no} chain link broken）",
                )
            prev_link = link
            expected_seq += 1
            checked, broken = _verify_case(case_events, key, row)
            events += checked
            cases += 1
            if broken:
                return VerifyResult(events, cases, broken)
            sealed = case_events[-1].state_digest if case_events else None
            if sealed is None:
                unsealed += 1
                continue
            tables = audit_state.differing(sealed, states[row.id])
            if tables:
                names = "、".join(tables)
                return VerifyResult(
                    events,
                    cases,
                    f"信访件 {row.case_no} 的数据与其最后事件记录的状态不符，被改动的表：{names}"
                    f"（case {row.case_no}: table {', '.join(tables)} differs from its last event）",
                )
        if counter is not None and counter.last_seq > len(rows):
            # The year's last numbers are gone: the counter says how far the year had come.
            missing = f"{year}-{len(rows) + 1:06d}"
            return VerifyResult(
                events,
                cases,
                f"信访件 {missing} 缺失，年度信访件链尾不符（case {missing} missing: year {year}"
                " chain head mismatch）",
            )
        if (
            counter is None
            or counter.last_seq != len(rows)
            or counter.chain_head != (prev_link if rows else counter.chain_head)
        ):
            return VerifyResult(
                events,
                cases,
                f"{year}年的信访件链尾不符，可能有信访件被删除（year {year} chain head mismatch: a case was deleted）",
            )
    return VerifyResult(events, cases, unsealed=unsealed)


def _verify_case(case_events: list[Any], key: bytes, case_row: Any) -> tuple[int, str | None]:
    prev = GENESIS
    count = 0
    for ev in case_events:
        count += 1
        label = f"信访件 {case_row.case_no} 第{ev.seq}条事件（event #{ev.id}, {case_row.case_no} seq {ev.seq}）"
        if ev.seq != count:
            return count, f"{label}之前有事件缺失（missing event before it）"
        expected = event_hash(
            key,
            prev_hash=prev,
            case_no=case_row.case_no,
            seq=ev.seq,
            action=ev.action,
            actor_staff_no=ev.actor_staff_no,
            at=ev.at,
            from_state=ev.from_state,
            to_state=ev.to_state,
            payload=ev.payload,
            state=ev.state_digest,
        )
        if ev.prev_hash != prev or not hmac.compare_digest(expected, ev.hash):
            return count, f"{label}被篡改（tampered）"
        prev = ev.hash
    if count != case_row.event_count or prev != case_row.last_event_hash:
        return (
            count,
            f"信访件 {case_row.case_no} 的最后事件不符，可能有事件被删除（case {case_row.case_no}: trailing events deleted）",
        )
    return count, None
