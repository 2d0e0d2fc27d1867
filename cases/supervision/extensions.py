"""Extension requests (延期申请): the owner asks, a supervisor approves or refuses (条例第三十四条).

Each action is one unit of work in the caller's transaction: the request row, its events on the
case (an approval performs the case's own ``extend`` through ``actions.act``) and the notifications
commit together or not at all.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from cases.casework import actions, view
from cases.runtime import Runtime
from cases.store import chain, outbox, records, staff
from cases.store.locking import lock_case_of
from cases.store.tables import case_t, clock_t, staff_t
from cases.supervision.guards import (
    SUPERVISING_ROLES,
    locked,
    named,
    require_supervisor,
    required_text,
)
from cases.supervision.labels import EXTENSION_STATUS_LABELS
from cases.supervision.tables import extension_t
from workflow import lifecycle
from workflow.actions import validate_payload
from workflow.calendar import local_date
from workflow.errors import ActionNotAllowed, Conflict, NotFound, PermissionDenied
from workflow.escalation import Chain
from workflow.lifecycle import Actor


def _approver(conn: Connection, ladder: Chain, *, skip: Iterable[str] = ()) -> str | None:
    """The first post above the owner's own, held by someone other than the owner and ``skip``
    (the requester) who may decide (a supervisor or leader): nobody approves their own request."""
    excluded = {ladder.owner, *skip}
    own = max((i for i, p in enumerate(ladder.posts) if p == ladder.owner), default=-1)
    posts = [p for p in ladder.posts[own + 1 :] if p and p not in excluded]
    if posts:
        roles = dict(
            conn.execute(
                select(staff_t.c.staff_no, staff_t.c.role).where(staff_t.c.staff_no.in_(posts))
            ).all()
        )
        for post in posts:
            if roles.get(post) in SUPERVISING_ROLES:
                return post
    return conn.execute(
        select(staff_t.c.staff_no)
        .where(
            staff_t.c.role == "supervisor",
            staff_t.c.active.is_(True),
            staff_t.c.staff_no.not_in(sorted(excluded)),
        )
        .order_by(staff_t.c.staff_no)
        .limit(1)
    ).scalar()


def _extendable(conn: Connection, rt: Runtime, record: Any, now: datetime) -> Any:
    """The case's facts, if the handling period may be extended now (else the precise refusal)."""
    facts = view.case_facts(record, records.load_clocks(conn, record.id), now, rt.tz)
    # Asked as a supervisor would be: the owner only asks, the rule is the extension's own.
    lifecycle.check("extend", facts, Actor(staff_no="-", role="supervisor", name="-"))
    return facts


def request_extension(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    days: Any,
    reason: Any,
    now: datetime,
) -> dict[str, Any]:
    """The owner asks to extend the handling period (延期, 条例第三十四条); a supervisor decides."""
    actor, _ = staff.get_actor(conn, actor_staff_no)
    record = records.load_case(conn, case_no, for_update=True)
    if record is None:
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    if actor.staff_no != record.owner_staff_no:
        if actor.role in SUPERVISING_ROLES:
            # They decide extensions: they extend directly rather than ask themselves.
            raise ActionNotAllowed(
                "extension.extend_directly",
                "督办、领导可以直接办理延期，无需申请",
                allowed_actions=["extend"],
            )
        raise PermissionDenied("permission.denied", "只有首接责任人可以申请延期", role=actor.role)
    facts = _extendable(conn, rt, record, now)
    data = validate_payload(
        "extend", {"days": days, "reason": reason}, facts, local_date(now, rt.tz)
    )
    pending = conn.execute(
        select(extension_t.c.id).where(
            extension_t.c.case_id == record.id, extension_t.c.status == "pending"
        )
    ).first()
    if pending is not None:
        raise Conflict("extension.pending", "该事项已有待审批的延期申请")
    request_id = conn.execute(
        insert(extension_t).returning(extension_t.c.id),
        {
            "case_id": record.id,
            "requested_by": actor.staff_no,
            "requested_at": now,
            "days": data["days"],
            "reason": data["reason"],
            "status": "pending",
        },
    ).scalar_one()
    chain.system_event(
        conn,
        rt,
        case_no=case_no,
        action="extension_requested",
        payload={
            "request_id": request_id,
            "days": data["days"],
            "reason": data["reason"],
            "by": named(actor),
        },
        now=now,
        actor_staff_no=actor.staff_no,
    )
    approver = _approver(conn, staff.org_chain(conn, record.owner_id), skip=[actor.staff_no])
    if approver:
        outbox.notify(
            conn,
            dedup_key=f"extension:{request_id}:requested:{approver}",
            topic="extension_requested",
            recipient=approver,
            case_no=case_no,
            payload={"request_id": request_id, "days": data["days"], "reason": data["reason"]},
            now=now,
        )
    return extension_request(conn, rt, request_id=request_id)


def extension_request(conn: Connection, rt: Runtime, *, request_id: int) -> dict[str, Any]:
    """One extension request."""
    rows = _extension_rows(conn, rt, extension_t.c.id == request_id)
    if not rows:
        raise NotFound("extension.not_found", f"没有编号为 {request_id} 的延期申请")
    return rows[0]


def _extension_rows(conn: Connection, rt: Runtime, *where: Any) -> list[dict[str, Any]]:
    """The requests matching ``where``, with their case, owner and current handling due date."""
    owner_t = staff_t.alias("owner")
    stmt = (
        select(
            extension_t,
            case_t.c.case_no,
            case_t.c.subject,
            owner_t.c.staff_no.label("owner_staff_no"),
            owner_t.c.name.label("owner_name"),
        )
        .join(case_t, case_t.c.id == extension_t.c.case_id)
        .join(owner_t, owner_t.c.id == case_t.c.owner_id)
        .where(*where)
        .order_by(extension_t.c.requested_at, extension_t.c.id)
    )
    found = list(conn.execute(stmt))
    # Only the shown requests' cases: their handling clocks through ix_case_clock_active
    # (case_id, name, status, due_date), never the office's every open clock.
    case_ids = sorted({r.case_id for r in found})
    handling = (
        {
            r.case_id: r.due_date
            for r in conn.execute(
                select(clock_t.c.case_id, clock_t.c.due_date).where(
                    clock_t.c.case_id.in_(case_ids),
                    clock_t.c.name == "handling",
                    clock_t.c.status.in_(["running", "paused"]),
                )
            )
        }
        if case_ids
        else {}
    )
    return [
        {
            "id": r.id,
            "case_no": r.case_no,
            "subject": r.subject,
            "owner": {"staff_no": r.owner_staff_no, "name": r.owner_name},
            "requested_by": r.requested_by,
            "requested_at": r.requested_at.astimezone(rt.tz).isoformat(),
            "days": r.days,
            "reason": r.reason,
            "status": r.status,
            "status_label": EXTENSION_STATUS_LABELS.get(r.status, r.status),
            "decided_by": r.decided_by,
            "decided_at": r.decided_at.astimezone(rt.tz).isoformat() if r.decided_at else None,
            "decision_note": r.decision_note,
            "handling_due_date": handling[r.case_id].isoformat() if r.case_id in handling else None,
        }
        for r in found
    ]


def pending_extensions(
    conn: Connection, rt: Runtime, *, requested_by: str | None = None
) -> list[dict[str, Any]]:
    """Extension requests waiting for a decision, the oldest first."""
    where = [extension_t.c.status == "pending"]
    if requested_by:
        where.append(extension_t.c.requested_by == requested_by)
    return _extension_rows(conn, rt, *where)


def case_extensions(conn: Connection, rt: Runtime, case_no: str) -> list[dict[str, Any]]:
    """Every extension request of a case, the oldest first."""
    return _extension_rows(conn, rt, case_t.c.case_no == case_no)


def decide_extension(
    conn: Connection,
    rt: Runtime,
    *,
    request_id: int,
    actor_staff_no: str,
    approve: bool,
    note: Any,
    now: datetime,
) -> dict[str, Any]:
    """A supervisor approves (performing ``extend``, and recording the notice to the petitioner)
    or refuses (with a reason) an extension request; the owner is told either way."""
    actor, _ = require_supervisor(conn, actor_staff_no, "审批延期申请")
    stmt = (
        select(extension_t, case_t.c.case_no, case_t.c.subject)
        .join(case_t, case_t.c.id == extension_t.c.case_id)
        .where(extension_t.c.id == request_id)
    )
    lock_case_of(conn, extension_t, request_id)  # the case first (cases.store.locking)
    row = conn.execute(locked(stmt, conn, extension_t)).first()
    if row is None:
        raise NotFound("extension.not_found", f"没有编号为 {request_id} 的延期申请")
    if row.status != "pending":
        raise Conflict(
            "extension.decided",
            f"该延期申请已处理（{EXTENSION_STATUS_LABELS.get(row.status, row.status)}）",
        )
    note_text = note.strip()[:1000] if isinstance(note, str) else ""
    if approve:
        case = actions.act(
            conn,
            rt,
            case_no=row.case_no,
            action="extend",
            actor_staff_no=actor.staff_no,
            payload={"days": row.days, "reason": row.reason},
            now=now,
        )
        due = next(
            (
                c["due_date"]
                for c in case["clocks"]
                if c["name"] == "handling" and c["status"] == "running"
            ),
            "",
        )
        # 条例第三十四条: the petitioner is told of the extension and why, in writing. The reason
        # is a sentence of its own; its closing punctuation would double the notice's 「，」.
        reason = row.reason.strip().rstrip("。.，,；;！!")
        told = (
            f"您反映的「{row.subject}」（{row.case_no}）因{reason}，经批准办理期限延长"
            f"{row.days}日，延长后的办理期限届满日为{due}（《信访工作条例》第三十四条）。"
        )
        chain.system_event(
            conn,
            rt,
            case_no=row.case_no,
            action="extension_notice",
            payload={
                "request_id": request_id,
                "days": row.days,
                "new_due_date": due,
                "reason": reason,
                "notice": told,
                "by": named(actor),
            },
            now=now,
            actor_staff_no=actor.staff_no,
            public=True,  # 告知信访人: on the tracking page, not an internal note
        )
    else:
        note_text = required_text(note, "note", "不予批准的理由", max_len=1000)
        chain.system_event(
            conn,
            rt,
            case_no=row.case_no,
            action="extension_refused",
            payload={"request_id": request_id, "note": note_text, "by": named(actor)},
            now=now,
            actor_staff_no=actor.staff_no,
        )
    conn.execute(
        update(extension_t)
        .where(extension_t.c.id == request_id)
        .values(
            status="approved" if approve else "refused",
            decided_by=actor.staff_no,
            decided_at=now,
            decision_note=note_text or None,
        )
    )
    outbox.notify(
        conn,
        dedup_key=f"extension:{request_id}:decided:{row.requested_by}",
        topic="extension_decided",
        recipient=row.requested_by,
        case_no=row.case_no,
        payload={
            "request_id": request_id,
            "approved": approve,
            "days": row.days,
            "note": note_text,
        },
        now=now,
    )
    return extension_request(conn, rt, request_id=request_id)


def can_request_extension(
    conn: Connection, rt: Runtime, case_no: str, staff_no: str, now: datetime
) -> bool:
    """Whether this person may ask to extend this case now (its owner, extendable, none pending)."""
    record = records.load_case(conn, case_no, for_update=False)
    if record is None or record.owner_staff_no != staff_no:
        return False
    try:
        _extendable(conn, rt, record, now)
    except ActionNotAllowed:
        return False
    return (
        conn.execute(
            select(extension_t.c.id).where(
                extension_t.c.case_id == record.id, extension_t.c.status == "pending"
            )
        ).first()
        is None
    )
