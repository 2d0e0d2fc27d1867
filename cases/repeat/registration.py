"""Registering a new matter from the intake page, after the candidates step: skip-level and group
flags, the on-site reception, the transfer at once to the level with authority, the link to an
earlier case.

- **Skip-level visit (越级访, 第五条、第二十条).** See ``cases.repeat.jurisdiction``: a matter
  belongs to the level of its region code; a visit to the level itself or the level directly above
  is lawful (第二十条: "本级或者上一级"); a visit two or more levels above, about a matter not yet
  handled below, is skip-level. Every intake is classified (``cases.casework.intake.intake``); the
  form offers the transfer (转送) to the organ with authority.
- **Group visit (集体访, 第二十条第三款).** The group size and its representatives (at most 5,
  checked at intake) are kept; the owner's supervisor is told; when the office goes to the site
  (下移接待) that is recorded as an on-site contact.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from cases.casework import actions, intake, reading
from cases.repeat import contacts
from cases.runtime import Runtime
from cases.store import records, staff
from workflow.errors import NotFound


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
        original = records.load_case(conn, repeat_of, for_update=False)
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
    record = records.load_case(conn, case_no, for_update=False)
    if on_site:
        contacts.add_contact(
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
