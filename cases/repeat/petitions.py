"""Repeat, skip-level and group petitions, and one petitioner's history.

- **Repeat petition (重复访, 条例第十九条第三款).** When the receptionist confirms that a visit is
  about a matter that already has a case, nothing is accepted again: the visit becomes a
  ``case_contact`` on the original case, an audit event (``repeat_contact``) is chained onto that
  case, and its owner (首接责任人), who stays responsible, is told through the outbox. The
  petitioner is given the statutory word for the original's state: in process, refused, or, for a
  concluded matter (终结), that the same facts and reasons are not accepted again (第三十六条第三款).
- **Skip-level visit (越级访, 第五条、第二十条).** See ``cases.jurisdiction``: a matter belongs to
  the level of its region code; a visit to the level itself or the level directly above is lawful
  (第二十条: "本级或者上一级"); a visit two or more levels above, about a matter not yet handled
  below, is skip-level. Every intake is classified (``intake.intake``); the form offers the
  transfer (转送) to the organ with authority.
- **Group visit (集体访, 第二十条第三款).** The group size and its representatives (at most 5,
  checked at intake) are kept; the owner's supervisor is told; when the office goes to the site
  (下移接待) that is recorded as an on-site contact.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select

from cases.casework import actions, intake, reading, view
from cases.models import CaseContact, CaseRepresentative
from cases.repeat import candidates
from cases.repeat.jurisdiction import classify_here
from cases.runtime import Runtime
from cases.store import chain, outbox, records, staff, statements
from cases.store.tables import case_t, petitioner_t
from workflow import confidentiality, lifecycle
from workflow.errors import Conflict, InvalidInput, NotFound
from workflow.intake import ValidIntake, validate_intake

contact_t = CaseContact.__table__
rep_t = CaseRepresentative.__table__

CONTACT_KINDS = {"repeat": "重复访", "on_site": "下移接待"}
#: At most this many cases and contacts on one person's history page.
HISTORY_ROWS = 1000
CLOSED_GUIDANCE = (
    "该信访事项已办理完毕（已办结）。对处理意见不服的，应在规定期限内请求复查、复核；"
    "无新的事实和理由，不再作为新的信访事项受理。"
)
WITHDRAWN = "原信访事项已撤回，不能记为重复访；如信访人再次提出，请作为新的信访事项登记并关联原事项"


# --- registering a new matter ----------------------------------------------------------------------


def _case_row(conn: Connection, case_no: str) -> Any:
    return records.load_case(conn, case_no, for_update=False)


def register(
    conn: Connection,
    rt: Runtime,
    *,
    body: Mapping[str, Any],
    actor_staff_no: str,
    now: datetime,
    handled_below: bool = False,
    on_site: bool = False,
    on_site_place: str = "",
    transfer: bool = False,
    repeat_of: str | None = None,
) -> dict[str, Any]:
    """Register a new matter with its skip-level and group flags, index it, and tell who must know.

    ``transfer`` also transfers it at once to the organ with authority (the form's offer);
    ``repeat_of`` links it to an earlier case it re-raises (e.g. one the petitioner withdrew).
    Returns the case JSON with ``query_code`` (shown once) and ``jurisdiction``.
    """
    flags: dict[str, Any] = {}
    if repeat_of:
        original = _case_row(conn, repeat_of)
        if original is None:
            raise NotFound(
                "case.not_found", f"没有编号为 {repeat_of} 的信访事项", case_no=repeat_of
            )
        flags["repeat_of_id"] = original.id
    if on_site:
        flags["on_site"] = {"place": on_site_place.strip()[:200]}
    # Classified, flagged and its group told like every other intake (intake.intake).
    case = intake.intake(
        conn,
        rt,
        body=body,
        actor_staff_no=actor_staff_no,
        now=now,
        handled_below=handled_below,
        flags=flags,
    )
    code = case["query_code"]
    case_no = case["case_no"]
    where = case["jurisdiction"]
    actor, _ = staff.get_actor(conn, actor_staff_no)
    record = _case_row(conn, case_no)
    if on_site:
        _add_contact(
            conn,
            rt,
            record=record,
            kind="on_site",
            channel=record.channel,
            actor=actor,
            summary=f"下移接待：{on_site_place.strip()}" if on_site_place.strip() else "下移接待",
            petitioner_id=record.petitioner_id,
            on_site=True,
            group_size=record.group_size,
            skip_level=False,
            details={"place": on_site_place.strip()[:200]},
            now=now,
        )
    if transfer and where["offer_transfer"]:
        actions.act(
            conn,
            rt,
            case_no=case_no,
            action="transfer",
            actor_staff_no=actor.staff_no,
            payload={"organ": where["organ"]},
            now=now,
        )
    # Read back: the on-site note and the transfer moved the version on.
    case = reading.show(conn, rt, case_no=case_no, viewer_staff_no=actor.staff_no, now=now)
    case["query_code"] = code
    case["jurisdiction"] = where
    return case


# --- contacts on an existing case ---------------------------------------------------------------------


def _add_contact(
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
    record = _case_row(conn, case_no)
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
    valid = validate_intake(body, now=now)
    record = _visible_case(conn, case_no, actor, actor_row.unit)
    if record.state == "withdrawn":
        raise Conflict("repeat.original_withdrawn", WITHDRAWN, case_no=case_no)
    match = _match(conn, rt, valid, record, now)
    where = classify_here(conn, valid.region_code, handled_below=handled_below)
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
    contact_id = _add_contact(
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
                supervisor=staff.supervisor_of(conn, record.owner_id),
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
    contact_id = _add_contact(
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


# --- one petitioner's history -----------------------------------------------------------------------


def _same_person_rows(conn: Connection, petitioner_id: int) -> list[int]:
    """Petitioner rows of the same person: same identity number, or same name and phone (2 hops)."""
    base = conn.execute(select(petitioner_t).where(petitioner_t.c.id == petitioner_id)).first()
    if base is None:
        raise NotFound("petitioner.not_found", "没有该信访人", petitioner_id=petitioner_id)
    ids = {base.id}
    id_indexes = {base.id_number_index} - {None}
    pairs = {(base.name, base.phone_index)} if base.phone_index else set()
    for _ in range(2):
        conditions = []
        if id_indexes:
            conditions.append(petitioner_t.c.id_number_index.in_(list(id_indexes)))
        for name, phone_index in pairs:
            conditions.append(
                and_(petitioner_t.c.phone_index == phone_index, petitioner_t.c.name == name)
            )
        if not conditions:
            break
        rows = conn.execute(
            select(
                petitioner_t.c.id,
                petitioner_t.c.name,
                petitioner_t.c.id_number_index,
                petitioner_t.c.phone_index,
            )
            .where(or_(*conditions))
            .limit(candidates.PERSON_ROWS)
        ).all()
        ids |= {r.id for r in rows}
        id_indexes |= {r.id_number_index for r in rows} - {None}
        pairs |= {(r.name, r.phone_index) for r in rows if r.phone_index}
    return sorted(ids)


def petitioner_history(
    conn: Connection,
    rt: Runtime,
    *,
    petitioner_id: int,
    viewer_staff_no: str,
    now: datetime,
) -> dict[str, Any]:
    """One person's cases (as petitioner or representative) and contacts, as the viewer may see them.

    Accusations hidden from the viewer (条例第三十条第三款) are left out; a person with nothing the
    viewer may see is answered as not found, so the page never shows that they accused someone.
    """
    viewer, viewer_row = reading.viewer(conn, viewer_staff_no)
    assert viewer is not None
    unit = viewer_row.unit if viewer_row is not None else None
    rows = _same_person_rows(conn, petitioner_id)
    as_rep = set(
        conn.execute(select(rep_t.c.case_id).where(rep_t.c.petitioner_id.in_(rows))).scalars()
    )
    # Sorted here, not in SQL: an ORDER BY … LIMIT could lead PostgreSQL to walk a date index
    # over every case instead of the person's indexes (see candidates._person_cases).
    found = conn.execute(
        statements.CASE_QUERY.where(
            or_(case_t.c.petitioner_id.in_(rows), case_t.c.id.in_(as_rep))
        ).limit(HISTORY_ROWS)
    ).all()
    found = sorted(found, key=lambda r: (r.received_at, r.id), reverse=True)
    visible = [r for r in found if not confidentiality.hidden_from(viewer, unit, r)]
    contact_rows = conn.execute(
        select(contact_t, case_t.c.case_no)
        .join(case_t, case_t.c.id == contact_t.c.case_id)
        .where(
            or_(
                contact_t.c.petitioner_id.in_(rows),
                contact_t.c.case_id.in_([r.id for r in visible]),
            )
        )
        .limit(HISTORY_ROWS)
    ).all()
    contact_rows = sorted(contact_rows, key=lambda c: (c.at, c.id), reverse=True)
    visible_ids = {r.id for r in visible}
    contacts = [contact_json(c, rt, c.case_no) for c in contact_rows if c.case_id in visible_ids]
    if not visible:
        raise NotFound("petitioner.not_found", "没有该信访人", petitioner_id=petitioner_id)
    rendered = [
        view.render(r, [], viewer=viewer, now=now, rt=rt, viewer_unit=unit) for r in visible
    ]
    for case, record in zip(rendered, visible, strict=True):
        case["role"] = (
            "representative"
            if record.id in as_rep and record.petitioner_id not in rows
            else "petitioner"
        )
        case["contacts"] = sum(1 for c in contacts if c["case_no"] == record.case_no)
    person = conn.execute(
        select(
            petitioner_t.c.name,
            petitioner_t.c.id_number_masked,
            petitioner_t.c.phone_masked,
        )
        .where(petitioner_t.c.id.in_(rows))
        .order_by(petitioner_t.c.id.desc())
    ).all()
    own = conn.execute(
        select(petitioner_t.c.name).where(petitioner_t.c.id == petitioner_id)
    ).scalar()
    return {
        "petitioner_id": petitioner_id,
        "name": own,
        "id_number_masked": next((p.id_number_masked for p in person if p.id_number_masked), None),
        "phones_masked": list(dict.fromkeys(p.phone_masked for p in person if p.phone_masked)),
        "cases": rendered,
        "contacts": contacts,
        "counts": {
            "cases": len(rendered),
            "open": sum(1 for c in rendered if c["state"] in lifecycle.OPEN_STATES),
            "repeat_contacts": sum(1 for c in contacts if c["kind"] == "repeat"),
        },
    }


def petitioner_of(conn: Connection, *, case_no: str, viewer_staff_no: str) -> int:
    """The petitioner row of a case, if the viewer may see who brought it."""
    viewer, viewer_row = reading.viewer(conn, viewer_staff_no)
    assert viewer is not None
    record = _case_row(conn, case_no)
    if record is None or confidentiality.hidden_from(
        viewer, viewer_row.unit if viewer_row else None, record
    ):
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    return record.petitioner_id
