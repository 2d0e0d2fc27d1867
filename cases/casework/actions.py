"""One action on a case (受理、转送、答复…) as one unit of work: the machine decides, this writes."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from cases.casework.reading import not_found
from cases.casework.view import case_facts, render, repeat_of_no
from cases.paper import notices
from cases.runtime import Runtime
from cases.store.chain import append_event
from cases.store.outbox import notify
from cases.store.records import load_case, load_clocks, write_clocks
from cases.store.staff import get_actor, supervisor_of
from cases.store.tables import staff_t
from workflow import confidentiality, lifecycle, measures, sla
from workflow.actions import validate_payload
from workflow.calendar import local_date
from workflow.errors import Conflict, InvalidInput
from workflow.lifecycle import Actor


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
    elif action == "withdraw":
        out["withdrawal"] = {
            "request": dict(payload.get("request") or {}),
            "reason": payload["reason"],
        }
    elif action == "close" and "waiver" in payload:
        out["waiver"] = dict(payload["waiver"])  # 条例第三十五条、第三十六条
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
    record = load_case(conn, case_no, for_update=True)
    if record is None:
        raise not_found(case_no)
    if expected_version is not None and expected_version != record.version:
        raise Conflict(
            "case.stale_version",
            f"信访事项 {case_no} 已被他人修改（当前版本 {record.version}），请刷新后重试",
            version=record.version,
        )
    clocks = load_clocks(conn, record.id)
    tz = rt.tz
    facts = case_facts(record, clocks, now, tz)
    lifecycle.check(action, facts, actor)
    data = validate_payload(action, payload or {}, facts, local_date(now, tz))
    if action in confidentiality.SENDING_ACTIONS:
        # Never to the unit an accusation accuses (条例第三十条第三款).
        confidentiality.check_recipient(
            action, data["organ"], record, allowed_actions=lifecycle.allowed_actions(facts, actor)
        )

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
    # What the statistics count of this step, committed with it (workflow/measures.py).
    counted = measures.step_facts(action, changes.changed, now, changes.started)
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

    # The written notice the step requires (告知文书), numbered and stored with it; its 文号 and
    # hash ride on the step's audit event, so the chain covers what was issued.
    due_dates = {c.name: c.due_date for c in (*changes.changed, *changes.started) if c.active}
    notice = notices.issue(
        conn, rt, action=action, record=record, data=data, due_dates=due_dates, now=now
    )
    # The clocks first: the step's event commits to what the step left (cases.audit_state).
    started = write_clocks(conn, record.id, changes.changed, changes.started, before=clocks)
    seq = append_event(
        conn,
        rt,
        case=record,
        action=action,
        actor_staff_no=actor.staff_no,
        now=now,
        to_state=new_state,
        payload={**data, "notice": notice} if notice else data,
        public=action in lifecycle.PUBLIC_ACTIONS,
        values=values,
        on_time=counted.note_on_time,
    )
    _notify_after(conn, action, record, data, now, seq, actor.staff_no)

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
        ctx=rt.ctx(conn),
        viewer_unit=actor_row.unit if actor_row is not None else None,
        repeat_of=repeat_of_no(conn, record),
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


def _notify_after(
    conn: Connection,
    action: str,
    record: Any,
    data: Mapping[str, Any],
    now: datetime,
    seq: int,
    actor_staff_no: str,
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
        # 不满意 goes before the owner's supervisor: the next post up held by someone other than
        # the owner and whoever recorded the rating.
        supervisor = supervisor_of(conn, record.owner_id, skip=[actor_staff_no])
        for who in dict.fromkeys([supervisor, record.owner_staff_no]):
            notify(
                conn,
                dedup_key=f"{key}:dissatisfied:{who}",
                topic="dissatisfied",
                recipient=who,
                case_no=record.case_no,
                payload={"rating": data["rating"]},
                now=now,
            )
