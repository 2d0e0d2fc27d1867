"""Repeat, skip-level and group petitions, and one petitioner's history.

- **Repeat petition (重复访, 条例第十九条第三款).** When the receptionist confirms that a visit is
  about a matter that already has a case, nothing is accepted again: the visit becomes a
  ``case_contact`` on the original case, an audit event (``repeat_contact``) is chained onto that
  case, and its owner (首接责任人), who stays responsible, is told through the outbox. The
  petitioner is given the statutory word for the original's state: in process, refused, or, for a
  concluded matter (终结), that the same facts and reasons are not accepted again (第三十六条第三款).
- **Skip-level visit (越级访, 第五条、第二十条).** See ``classify``: a matter belongs to the level of
  its region code; a visit to the level itself or the level directly above is lawful (第二十条:
  "本级或者上一级"); a visit two or more levels above, about a matter not yet handled below, is
  skip-level. The form offers the transfer (转送) to the organ with authority.
- **Group visit (集体访, 第二十条第三款).** The group size and its representatives (at most 5,
  checked at intake) are kept; the owner's supervisor is told; when the office goes to the site
  (下移接待) that is recorded as an on-site contact.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from cases import candidates, service
from cases.models import Office
from cases.models_repeat import CaseContact
from workflow import lifecycle
from workflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from workflow.intake import ValidIntake, validate_intake

contact_t = CaseContact.__table__
case_t = service.case_t
petitioner_t = service.petitioner_t
rep_t = service.CaseRepresentative.__table__
office_t = Office.__table__

LEVELS = ("national", "province", "city", "county")
LEVEL_LABELS = {"national": "国家级", "province": "省级", "city": "市级", "county": "县级"}
#: Provinces whose counties (districts) sit directly under the province: the municipalities.
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
#: The city digits of 省直辖县级行政区划 (e.g. 429004 仙桃市): no city level above the county.
DIRECT_COUNTIES = "90"
#: What the office is when no office row is configured (the defaults of ``cases.models.Office``).
DEFAULT_LEVEL = "province"
DEFAULT_REGION = "320000"

CONTACT_KINDS = {"repeat": "重复访", "on_site": "下移接待"}
#: At most this many cases and contacts on one person's history page.
HISTORY_ROWS = 1000
CLOSED_GUIDANCE = (
    "该信访事项已办理完毕（已办结）。对处理意见不服的，应在规定期限内请求复查、复核；"
    "无新的事实和理由，不再作为新的信访事项受理。"
)
WITHDRAWN = "原信访事项已撤回，不能记为重复访；如信访人再次提出，请作为新的信访事项登记并关联原事项"


# --- jurisdiction (越级访) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Jurisdiction:
    """Where a matter belongs, seen from this office: skip-level or not, and whom to transfer to."""

    office_level: str
    office_region: str
    matter_region: str
    matter_level: str
    within: bool
    steps: int
    skip_level: bool
    offer_transfer: bool
    organ: str
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        """As stored in the case's details and shown on the form."""
        return asdict(self)


def matter_chain(region_code: str) -> list[tuple[str, str]]:
    """The levels above and at a region code, from the nation down: [(level, region code)].

    320102 → national, 320000, 320100, 320102. A municipality's district (110105) and a county
    directly under its province (429004) have no city level between them and the province; a
    city's 市辖区 placeholder (320101) is the city itself. 100000 (the nation) is national.
    """
    chain = [("national", "000000")]
    province, city, county = region_code[:2], region_code[2:4], region_code[4:]
    if province in ("00", "10"):
        return chain
    chain.append(("province", f"{province}0000"))
    if city == "00":
        return chain
    if province in MUNICIPALITIES or city == DIRECT_COUNTIES:
        if county != "00":
            chain.append(("county", region_code))
        return chain
    chain.append(("city", f"{province}{city}00"))
    if county not in ("00", "01"):
        chain.append(("county", region_code))
    return chain


def _covers(level: str, office_region: str, region_code: str) -> bool:
    if level == "national":
        return True
    if level == "province":
        return region_code[:2] == office_region[:2]
    if level == "city":
        return region_code[:4] == office_region[:4]
    return region_code == office_region


def office_jurisdiction(conn: Connection) -> tuple[str, str, dict[str, str]]:
    """The office's level, region code and the organs it transfers to, by region code."""
    row = conn.execute(select(office_t).order_by(office_t.c.id)).first()
    if row is None:
        return DEFAULT_LEVEL, DEFAULT_REGION, {}
    organs = ((row.policy or {}).get("jurisdiction") or {}).get("organs") or {}
    level = row.level if row.level in LEVELS else DEFAULT_LEVEL
    return level, row.region_code, {str(k): str(v) for k, v in organs.items()}


def configure_office(
    conn: Connection,
    *,
    level: str,
    region_code: str,
    name: str | None = None,
    organs: Mapping[str, str] | None = None,
) -> None:
    """Set the office's level and region code, and the names of the organs it transfers to."""
    if level not in LEVELS:
        raise InvalidInput(
            "office.bad_level", "机构层级应为 national、province、city 或 county", field="level"
        )
    if not (len(region_code) == 6 and region_code.isdigit()):
        raise InvalidInput("office.bad_region", "行政区划代码应为6位数字", field="region_code")
    row = conn.execute(select(office_t).order_by(office_t.c.id)).first()
    policy = dict(row.policy or {}) if row is not None else {}
    if organs is not None:
        policy["jurisdiction"] = {"organs": dict(organs)}
    values = {"level": level, "region_code": region_code, "policy": policy}
    if row is None:
        conn.execute(insert(office_t), {"name": name or "信访接待窗口", **values})
    else:
        conn.execute(
            update(office_t)
            .where(office_t.c.id == row.id)
            .values(**values, **({"name": name} if name else {}))
        )


def classify(
    region_code: str,
    *,
    office_level: str,
    office_region: str,
    organs: Mapping[str, str] | None = None,
    handled_below: bool = False,
) -> Jurisdiction:
    """Whether a visit about a matter in ``region_code`` is skip-level at this office.

    The rule: the matter belongs to the lowest level of its region code (属地管理、分级负责,
    第五条). ``steps`` counts the levels from the office down to that level. 0 or 1 step is the
    level with authority or the one directly above it, where a visit is lawful (第二十条); 2 or
    more steps is 越级访, unless the matter has already been handled below (the petitioner holds a
    lower organ's opinion: ``handled_below``). A matter outside the office's area, or above it, is
    not skip-level but is transferred to the organ with authority (第二十二条).
    """
    chain = matter_chain(region_code)
    matter_level, responsible = chain[-1]
    organ = (organs or {}).get(responsible) or (
        f"行政区划{responsible}的{LEVEL_LABELS[matter_level]}信访工作机构"
    )
    levels = [level for level, _ in chain]
    within = _covers(office_level, office_region, region_code) and office_level in levels
    if not within:
        return Jurisdiction(
            office_level=office_level,
            office_region=office_region,
            matter_region=region_code,
            matter_level=matter_level,
            within=False,
            steps=0,
            skip_level=False,
            offer_transfer=True,
            organ=organ,
            explanation=f"该事项不属于本机关管辖范围，应转送{organ}处理（第二十二条）",
        )
    steps = levels.index(matter_level) - levels.index(office_level)
    skip = steps >= 2 and not handled_below
    if steps == 0:
        text = "该事项属于本级管辖"
    elif handled_below:
        text = f"该事项属于{LEVEL_LABELS[matter_level]}管辖，已经下级机关处理，可依法受理复查等请求"
    elif skip:
        text = (
            f"越级访：该事项属于{LEVEL_LABELS[matter_level]}管辖（{responsible}），"
            f"信访人跨越本级和上一级机关走访（第二十条），宜转送{organ}处理"
        )
    else:
        text = (
            f"该事项属于{LEVEL_LABELS[matter_level]}管辖，本机关为其上一级（第二十条），"
            f"可转送{organ}就地处理"
        )
    return Jurisdiction(
        office_level=office_level,
        office_region=office_region,
        matter_region=region_code,
        matter_level=matter_level,
        within=True,
        steps=steps,
        skip_level=skip,
        offer_transfer=steps >= 1 and not handled_below,
        organ=organ,
        explanation=text,
    )


def classify_here(
    conn: Connection, region_code: str, *, handled_below: bool = False
) -> Jurisdiction:
    """``classify`` with this office's configured level, region and organs."""
    level, region, organs = office_jurisdiction(conn)
    return classify(
        region_code,
        office_level=level,
        office_region=region,
        organs=organs,
        handled_below=handled_below,
    )


# --- notifications --------------------------------------------------------------------------------


def _supervisor(conn: Connection, owner_id: int) -> str:
    """The owner's group leader, or the next post up (a vacant post falls to the next one)."""
    chain = service.org_chain(conn, owner_id)
    return chain.group_leader or chain.branch_secretary or chain.office_leader or chain.owner


def _flag_group(
    conn: Connection,
    *,
    case_no: str,
    supervisor: str,
    key: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> str:
    """Tell the supervisor of a group visit (集体访); returns who was told."""
    service.notify(
        conn,
        dedup_key=f"{key}:group_visit:{supervisor}",
        topic="group_visit",
        recipient=supervisor,
        case_no=case_no,
        payload=dict(payload),
        now=now,
    )
    return supervisor


# --- registering a new matter ----------------------------------------------------------------------


def _intake_actor(conn: Connection, staff_no: str) -> tuple[lifecycle.Actor, Any]:
    actor, row = service.get_actor(conn, staff_no)
    if actor.role not in lifecycle.INTAKE_ROLES:
        raise PermissionDenied(
            "permission.denied",
            f"{lifecycle.ROLE_LABELS.get(actor.role, actor.role)}无权登记信访事项",
            action="intake",
        )
    return actor, row


def _case_row(conn: Connection, case_no: str) -> Any:
    return service._load(conn, case_no, for_update=False)


def register(
    conn: Connection,
    rt: service.Runtime,
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
    actor, actor_row = _intake_actor(conn, actor_staff_no)
    valid = validate_intake(body, now=now)
    where = classify_here(conn, valid.region_code, handled_below=handled_below)
    flags: dict[str, Any] = {"skip_level": where.skip_level, "jurisdiction": where.as_dict()}
    if repeat_of:
        original = _case_row(conn, repeat_of)
        if original is None:
            raise NotFound(
                "case.not_found", f"没有编号为 {repeat_of} 的信访事项", case_no=repeat_of
            )
        flags["repeat_of_id"] = original.id
    # The registering staff member becomes the owner: their supervisor watches the group.
    supervisor = _supervisor(conn, actor_row.id) if valid.group_size > 1 else None
    if supervisor:
        flags["group_visit"] = {
            "group_size": valid.group_size,
            "representatives": [p.name for p in valid.representatives],
            "supervisor": supervisor,
        }
    if on_site:
        flags["on_site"] = {"place": on_site_place.strip()[:200]}
    case = service._register(conn, rt, valid, actor, actor_row, now, flags=flags)
    code = case["query_code"]
    case_no = case["case_no"]
    record = _case_row(conn, case_no)
    if supervisor:
        _flag_group(
            conn,
            case_no=case_no,
            supervisor=supervisor,
            key=case_no,
            payload={"group_size": valid.group_size, "on_site": on_site, "new_case": True},
            now=now,
        )
    if on_site:
        _add_contact(
            conn,
            rt,
            record=record,
            kind="on_site",
            channel=valid.channel,
            actor=actor,
            summary=f"下移接待：{on_site_place.strip()}" if on_site_place.strip() else "下移接待",
            petitioner_id=record.petitioner_id,
            on_site=True,
            group_size=valid.group_size,
            skip_level=False,
            details={"place": on_site_place.strip()[:200]},
            now=now,
        )
    if transfer and where.offer_transfer:
        service.act(
            conn,
            rt,
            case_no=case_no,
            action="transfer",
            actor_staff_no=actor.staff_no,
            payload={"organ": where.organ},
            now=now,
        )
    # Read back: the on-site note and the transfer moved the version on.
    case = service.show(conn, rt, case_no=case_no, viewer_staff_no=actor.staff_no, now=now)
    case["query_code"] = code
    case["jurisdiction"] = where.as_dict()
    return case


# --- contacts on an existing case ---------------------------------------------------------------------


def _add_contact(
    conn: Connection,
    rt: service.Runtime,
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
    service.system_event(
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
    if record is None or service._hidden_from(actor, unit, record):
        # A case hidden from this person is answered as missing: never "it exists, but…".
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    return record


def record_repeat(
    conn: Connection,
    rt: service.Runtime,
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
    actor, actor_row = _intake_actor(conn, actor_staff_no)
    valid = validate_intake(body, now=now)
    record = _visible_case(conn, case_no, actor, actor_row.unit)
    if record.state == "withdrawn":
        raise Conflict("repeat.original_withdrawn", WITHDRAWN, case_no=case_no)
    match = _match(conn, rt, valid, record, now)
    where = classify_here(conn, valid.region_code, handled_below=handled_below)
    reason_code, guidance = guidance_for(record)
    refused = record.state in ("concluded", "rejected")
    person_id = service._insert_person(conn, rt, valid.petitioner, now)
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
        service.notify(
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
            _flag_group(
                conn,
                case_no=record.case_no,
                supervisor=_supervisor(conn, record.owner_id),
                key=f"contact:{contact_id}",
                payload={"group_size": valid.group_size, "on_site": on_site, "new_case": False},
                now=now,
            )
        )
    case = service.show(conn, rt, case_no=record.case_no, viewer_staff_no=actor.staff_no, now=now)
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
    rt: service.Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    now: datetime,
    place: str,
    summary: str = "",
    group_size: int = 1,
) -> dict[str, Any]:
    """Record that the office went to the site of a group visit (下移接待) on an existing case."""
    actor, actor_row = _intake_actor(conn, actor_staff_no)
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


def contact_json(row: Any, rt: service.Runtime, case_no: str) -> dict[str, Any]:
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
    conn: Connection, rt: service.Runtime, valid: ValidIntake, record: Any, now: datetime
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
    rt: service.Runtime,
    *,
    petitioner_id: int,
    viewer_staff_no: str,
    now: datetime,
) -> dict[str, Any]:
    """One person's cases (as petitioner or representative) and contacts, as the viewer may see them.

    Accusations hidden from the viewer (条例第三十条第三款) are left out; a person with nothing the
    viewer may see is answered as not found, so the page never shows that they accused someone.
    """
    viewer, viewer_row = service._viewer(conn, viewer_staff_no)
    assert viewer is not None
    unit = viewer_row.unit if viewer_row is not None else None
    rows = _same_person_rows(conn, petitioner_id)
    as_rep = set(
        conn.execute(select(rep_t.c.case_id).where(rep_t.c.petitioner_id.in_(rows))).scalars()
    )
    # Sorted here, not in SQL: an ORDER BY … LIMIT could lead PostgreSQL to walk a date index
    # over every case instead of the person's indexes (see candidates._person_cases).
    records = conn.execute(
        service._case_query()
        .where(or_(case_t.c.petitioner_id.in_(rows), case_t.c.id.in_(as_rep)))
        .limit(HISTORY_ROWS)
    ).all()
    records = sorted(records, key=lambda r: (r.received_at, r.id), reverse=True)
    visible = [r for r in records if not service._hidden_from(viewer, unit, r)]
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
        service.render(r, [], viewer=viewer, now=now, rt=rt, viewer_unit=unit) for r in visible
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
    viewer, viewer_row = service._viewer(conn, viewer_staff_no)
    assert viewer is not None
    record = _case_row(conn, case_no)
    if record is None or service._hidden_from(
        viewer, viewer_row.unit if viewer_row else None, record
    ):
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    return record.petitioner_id


# --- statistics -------------------------------------------------------------------------------------


def statistics(conn: Connection, *, start: datetime, end: datetime) -> dict[str, Any]:
    """Repeat, skip-level and group figures for receipts in [start, end) (domain.md "Measures").

    重复访率 = repeat petitions (contacts confirmed as repeats, and new cases linked to an earlier
    one) ÷ receptions (new cases + repeat contacts); 越级访率 = skip-level visits ÷ visits.
    """
    in_cases = and_(case_t.c.received_at >= start, case_t.c.received_at < end)
    in_contacts = and_(contact_t.c.at >= start, contact_t.c.at < end)

    def count(table: Any, *where: Any) -> int:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()

    def people(table: Any, *where: Any) -> int:
        return int(
            conn.execute(
                select(func.coalesce(func.sum(table.c.group_size), 0)).where(*where)
            ).scalar_one()
        )

    intakes = count(case_t, in_cases)
    repeat_contacts = count(contact_t, in_contacts, contact_t.c.kind == "repeat")
    repeat_cases = count(case_t, in_cases, case_t.c.repeat_of_id.is_not(None))
    visits = count(case_t, in_cases, case_t.c.channel == "visit") + count(
        contact_t, in_contacts, contact_t.c.kind == "repeat", contact_t.c.channel == "visit"
    )
    skip = count(
        case_t, in_cases, case_t.c.channel == "visit", case_t.c.skip_level.is_(True)
    ) + count(
        contact_t,
        in_contacts,
        contact_t.c.kind == "repeat",
        contact_t.c.channel == "visit",
        contact_t.c.skip_level.is_(True),
    )
    group_where_c = (in_cases, case_t.c.group_size > 1)
    group_where_k = (in_contacts, contact_t.c.kind == "repeat", contact_t.c.group_size > 1)
    receptions = intakes + repeat_contacts
    return {
        "intakes": intakes,
        "repeat_contacts": repeat_contacts,
        "repeat_cases": repeat_cases,
        "repeat_rate": (repeat_contacts + repeat_cases) / receptions if receptions else None,
        "visits": visits,
        "skip_level_visits": skip,
        "skip_level_rate": skip / visits if visits else None,
        "group_visits": count(case_t, *group_where_c) + count(contact_t, *group_where_k),
        "group_visit_people": people(case_t, *group_where_c) + people(contact_t, *group_where_k),
        "on_site_receptions": count(contact_t, in_contacts, contact_t.c.on_site.is_(True)),
    }
