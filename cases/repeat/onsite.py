"""On-site intake (下移接待): a group visit registered where the people are, in one transaction.

The office moves its reception window to the site of a group visit (a village, a building site, the
gate) and registers the group there on a phone: its headcount, its common matter, up to five
representatives (条例第二十条第三款), photos taken on the spot, and where the visit is. Everything
goes in one unit of work: the case (the first representative is its petitioner), the visit's
place on the case (``details.on_site.place``) with an on-site contact, the group-visit alert to the
registering staff member's supervisor (``cases.casework.intake``), and the photos as attachments
(``cases.paper.attachments``). A refusal stores nothing, photos included.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from cases.paper import attachments
from cases.repeat import registration
from cases.runtime import Runtime
from cases.store.staff import get_actor
from workflow.errors import InvalidInput
from workflow.intake import validate_intake

#: The longest place recorded (as ``registration.register`` keeps it).
MAX_PLACE = 200


def check_place(place: str, group_size: Any) -> list[dict[str, str]]:
    """What is wrong with the place and the headcount of an on-site group visit, field by field."""
    errors: list[dict[str, str]] = []
    place = place.strip()
    if not place:
        errors.append(
            {
                "field": "place",
                "code": "onsite.place_required",
                "message": "请填写下移接待的地点（如 某街道办事处门口）",
            }
        )
    elif len(place) > MAX_PLACE:
        errors.append(
            {
                "field": "place",
                "code": "onsite.place_too_long",
                "message": f"下移接待地点不能超过{MAX_PLACE}个字",
            }
        )
    size = str(group_size).strip()
    # A wrong number is intake.group_size_invalid's to refuse; here only "one person" is wrong.
    if size.isdigit() and int(size) < 2:
        errors.append(
            {
                "field": "group_size",
                "code": "onsite.group_size_too_small",
                "message": "下移接待登记的是集体访：来访人数应为2人以上",
            }
        )
    return errors


def register_on_site(
    conn: Connection,
    rt: Runtime,
    *,
    body: Mapping[str, Any],
    place: str,
    files: Sequence[tuple[str, bytes]],
    actor_staff_no: str,
    now: datetime,
) -> dict[str, Any]:
    """Register a group visit on site, in the caller's transaction: the case with its place, the
    supervisor's group-visit alert and the photos. Returns the case JSON with ``query_code``
    (shown once), ``attachments`` (what was stored) and ``alerted`` (the supervisor told: ``staff_no`` and ``name``; or None)."""
    body = {**body, "channel": "visit"}
    errors = check_place(place, body.get("group_size", ""))
    listed = rt.regions(conn)
    if not str(body.get("region_code") or "").strip():
        # Few taps: the region is read from the place (南京市玄武区…) unless it is typed.
        found = listed.from_address(place) if place.strip() else None
        if found is not None:
            body["region_code"] = found.code
        elif not errors:
            errors.append(
                {
                    "field": "region_code",
                    "code": "onsite.region_required",
                    "message": "未能从地点中识别行政区划：请在地点中写明市、区县"
                    "（如 南京市玄武区…），或填写6位行政区划代码",
                }
            )
    try:
        # Checked here too, so the clerk sees every mistake at once, the place's among them.
        validate_intake(body, now=now, regions=listed)
    except InvalidInput as exc:
        found_errors = exc.details.get("errors") or [
            {"field": exc.field, "code": exc.code, "message": exc.message}
        ]
        taken = {e["field"] for e in errors}
        errors += [e for e in found_errors if e.get("field") not in taken]
    if errors:
        first = errors[0]
        more = f"（另有{len(errors) - 1}处需要更正）" if len(errors) > 1 else ""
        raise InvalidInput(
            first["code"], first["message"] + more, field=first["field"], errors=errors
        )
    case = registration.register(
        conn,
        rt,
        body=body,
        actor_staff_no=actor_staff_no,
        now=now,
        on_site=True,
        on_site_place=place,
    )
    stored = (
        attachments.attach(
            conn, rt, case_no=case["case_no"], files=files, actor_staff_no=actor_staff_no, now=now
        )
        if files
        else []
    )
    supervisor = ((case.get("details") or {}).get("group_visit") or {}).get("supervisor")
    alerted = None
    if supervisor:
        _, row = get_actor(conn, supervisor)
        alerted = {"staff_no": supervisor, "name": row.name}
    return {**case, "attachments": stored, "alerted": alerted}
