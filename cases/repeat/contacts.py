"""Contacts on an existing case: a repeat petition (重复访) or an on-site reception (下移接待).

- **Repeat petition (重复访, 条例第十九条第三款).** When the receptionist confirms that a visit is
  about a matter that already has a case, nothing is accepted again: the visit becomes a
  ``case_contact`` on the original case, an audit event (``repeat_contact``) is chained onto that
  case, and its owner (首接责任人), who stays responsible, is told through the outbox. The
  petitioner is given the statutory word for the original's state: in process, refused, or, for a
  concluded matter (终结), that the same facts and reasons are not accepted again (第三十六条第三款).
  A group coming back (集体访, 第二十条第三款) is flagged for the owner's supervisor again.
- **On-site reception (下移接待).** When the office goes to the site of a group visit, that is
  recorded as an on-site contact (an ``on_site_reception`` event).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from cases.casework import intake, reading
from cases.models import CaseContact
from cases.repeat import candidates
from cases.repeat.jurisdiction import classify_here
from cases.runtime import Runtime
from cases.store import chain, outbox, records, staff
from workflow import confidentiality, lifecycle
from workflow.errors import Conflict, InvalidInput, NotFound
from workflow.intake import ValidIntake, validate_intake

contact_t = CaseContact.__table__

CONTACT_KINDS = {"repeat": "重复访", "on_site": "下移接待"}
CLOSED_GUIDANCE = (
    "该信访事项已办理完毕（已办结）。对处理意见不服的，应在规定期限内请求复查、复核；"
    "无新的事实和理由，不再作为新的信访事项受理。"
)
WITHDRAWN = "原信访事项已撤回，不能记为重复访；如信访人再次提出，请作为新的信访事项登记并关联原事项"


def add_contact(
    conn: Connection,
    rt: Runtime,
    *,
    record: Any,
    kind: str,
    channel: str,
    actor: lifecycle.Actor,
    summary: str,
    petitioner_id: int | None,
    on_site: bool,
    group_size: int,
    skip_level: bool,
    details: Mapping[str, Any],
    now: datetime,
    event_payload: Mapping[str, Any] | None = None,
) -> int:
    """Insert the contact and chain its event onto the case (one transaction with the caller)."""
    contact_id = conn.execute(
        insert(contact_t).returning(contact_t.c.id),
        {
            "case_id": record.id,
            "at": now,
            "kind": kind,
            "channel": channel,
            "actor_staff_no": actor.staff_no,
            "summary": summary,
            "petitioner_id": petitioner_id,
            "on_site": on_site,
            "group_size": group_size,
            "skip_level": skip_level,
            "details": dict(details),
        },
    ).scalar_one()
    payload = {
        "contact_id": contact_id,
        "recorded_by": actor.staff_no,
        "channel": channel,
        "group_size": group_size,
        "text": summary,
        **(event_payload or {}),
    }
    # system_event keeps the case's hash chain and bumps its version; the staff member who
    # recorded the contact is named in the payload.
    chain.system_event(
        conn,
        rt,
        case_no=record.case_no,
        action="repeat_contact" if kind == "repeat" else "on_site_reception",
        payload=payload,
        now=now,
    )
    return contact_id


def guidance_for(record: Any) -> tuple[str | None, str]:
    """The reason code and the words the petitioner is given for a repeat of this case."""
    if record.state == "concluded":
        return "concluded", lifecycle.REJECT_REASONS["concluded"][1]
    if record.state == "rejected":
        original = (record.details or {}).get("reject") or {}
        text = original.get("guidance") or lifecycle.REJECT_REASONS["other_statutory"][1]
        return original.get("reason_code"), f"该信访事项已不予受理：{text}"
    if record.state == "closed":
        return None, CLOSED_GUIDANCE
    return "in_process", lifecycle.REJECT_REASONS["in_process"][1]


def _visible_case(conn: Connection, case_no: str, actor: lifecycle.Actor, unit: str | None) -> Any:
    """The case as this actor may see it; a hidden one is answered as missing."""
    record = records.load_case(conn, case_no, for_update=False)
    if record is None or confidentiality.hidden_from(actor, unit, record):
        # A case hidden from this person is answered as missing: never "it exists, but…".
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    return record


def record_repeat(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    body: Mapping[str, Any],
    actor_staff_no: str,
    now: datetime,
    summary: str = "",
    on_site: bool = False,
    handled_below: bool = False,
) -> dict[str, Any]:
    """Record a confirmed repeat petition as a contact on the original case; accept nothing anew.

    The original's owner stays responsible and is told; a group is flagged for the supervisor. A
    concluded original is refused with Art. 36 ¶3's words. Returns the contact (with
    ``flags.repeat_of``), the petitioner's guidance and the original case as the actor sees it.
    """
    actor, actor_row = intake.intake_actor(conn, actor_staff_no)
    valid = validate_intake(body, now=now, regions=rt.regions(conn))
    record = _visible_case(conn, case_no, actor, actor_row.unit)
    if record.state == "withdrawn":
        raise Conflict("repeat.original_withdrawn", WITHDRAWN, case_no=case_no)
    match = _match(conn, rt, valid, record, now)
    where = classify_here(
        conn, valid.region_code, channel=valid.channel, handled_below=handled_below
    )
    reason_code, guidance = guidance_for(record)
    refused = record.state in ("concluded", "rejected")
    person_id = intake.insert_person(conn, rt, valid.petitioner, now)
    text = summary.strip()[:2000] or f"再次反映：{valid.subject}"
    details = {
        "subject": valid.subject,
        "score": round(match.score, 3) if match else None,
        "reasons": match.reasons if match else [],
        "reason_code": reason_code,
        "guidance": guidance,
        "refused": refused,
        "original_state": record.state,
        "representatives": [p.name for p in valid.representatives],
    }
    contact_id = add_contact(
        conn,
        rt,
        record=record,
        kind="repeat",
        channel=valid.channel,
        actor=actor,
        summary=text,
        petitioner_id=person_id,
        on_site=on_site,
        group_size=valid.group_size,
        skip_level=where.skip_level,
        details=details,
        now=now,
        event_payload={"reason_code": reason_code, "guidance": guidance} if reason_code else {},
    )
    told = []
    if record.owner_staff_no != actor.staff_no:
        outbox.notify(
            conn,
            dedup_key=f"contact:{contact_id}:repeat:{record.owner_staff_no}",
            topic="repeat_contact",
            recipient=record.owner_staff_no,
            case_no=record.case_no,
            payload={
                "contact_id": contact_id,
                "recorded_by": actor.staff_no,
                "channel": valid.channel,
                "group_size": valid.group_size,
                "refused": refused,
            },
            now=now,
        )
        told.append(record.owner_staff_no)
    if valid.group_size > 1:
        told.append(
            intake.flag_group_visit(
                conn,
                case_no=record.case_no,
                supervisor=staff.supervisor_of(conn, record.owner_id, skip=[actor.staff_no]),
                key=f"contact:{contact_id}",
                payload={"group_size": valid.group_size, "on_site": on_site, "new_case": False},
                now=now,
            )
        )
    case = reading.show(conn, rt, case_no=record.case_no, viewer_staff_no=actor.staff_no, now=now)
    contact = contact_json(
        conn.execute(select(contact_t).where(contact_t.c.id == contact_id)).one(),
        rt,
        record.case_no,
    )
    return {
        "contact": contact,
        "case": case,
        "refused": refused,
        "reason_code": reason_code,
        "guidance": guidance,
        "notified": list(dict.fromkeys(told)),
        "jurisdiction": where.as_dict(),
    }


def record_on_site(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    now: datetime,
    place: str,
    summary: str = "",
    group_size: int = 1,
) -> dict[str, Any]:
    """Record that the office went to the site of a group visit (下移接待) on an existing case."""
    actor, actor_row = intake.intake_actor(conn, actor_staff_no)
    record = _visible_case(conn, case_no, actor, actor_row.unit)
    place = place.strip()[:200]
    if not place:
        raise InvalidInput("contact.place_required", "请填写下移接待的地点", field="place")
    if (
        isinstance(group_size, bool)
        or not isinstance(group_size, int)
        or not 1 <= group_size <= 10000
    ):
        raise InvalidInput(
            "contact.group_size_invalid", "来访人数应为1至10000的整数", field="group_size"
        )
    text = summary.strip()[:2000] or f"下移接待：{place}"
    contact_id = add_contact(
        conn,
        rt,
        record=record,
        kind="on_site",
        channel="visit",
        actor=actor,
        summary=text,
        petitioner_id=None,
        on_site=True,
        group_size=group_size,
        skip_level=False,
        details={"place": place},
        now=now,
    )
    row = conn.execute(select(contact_t).where(contact_t.c.id == contact_id)).one()
    return {"contact": contact_json(row, rt, record.case_no)}


def contact_json(row: Any, rt: Runtime, case_no: str) -> dict[str, Any]:
    """A contact as the API answers it; ``flags.repeat_of`` names the original case."""
    details = row.details or {}
    return {
        "id": row.id,
        "case_no": case_no,
        "kind": row.kind,
        "kind_label": CONTACT_KINDS.get(row.kind, row.kind),
        "at": row.at.astimezone(rt.tz).isoformat(),
        "channel": row.channel,
        "recorded_by": row.actor_staff_no,
        "summary": row.summary,
        "flags": {
            "repeat_of": case_no if row.kind == "repeat" else None,
            "skip_level": row.skip_level,
            "group_size": row.group_size,
            "on_site": row.on_site,
        },
        "guidance": details.get("guidance"),
        "refused": bool(details.get("refused")),
        "reasons": details.get("reasons", []),
    }


def _match(
    conn: Connection, rt: Runtime, valid: ValidIntake, record: Any, now: datetime
) -> candidates.Candidate | None:
    """How the visit matches the original (for the audit): the candidate look-up's own answer."""
    for candidate in candidates.find(conn, rt, valid, now=now, limit=50):
        if candidate.case_id == record.id:
            return candidate
    return None
