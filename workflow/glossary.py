"""The one glossary of what pages say for codes: event labels, role names, the parties' roles, the
labels of a step's contents, and how an actor is named (姓名（工号）, never a bare code).

Pages, the API's ``action_label``, reports and the command line read their Chinese from here; a
test renders every page of the demo office and fails on any code that reaches a page untranslated.
"""

from collections.abc import Mapping
from typing import Any

from workflow.lifecycle import ACTION_LABELS, ROLE_LABELS

#: Labels of the events that are not actions: recorded by the system, the queue or the intake desk.
OTHER_EVENT_LABELS: dict[str, str] = {
    "intake": "登记",
    "deadline_changed": "期限重新计算",
    "escalated": "期限预警升级",
    "escalation_acknowledged": "签收督办",
    "supervision_notice": "下达督办单",
    "notice_answered": "答复督办单",
    "notice_escalated": "督办单逾期上报",
    "extension_requested": "申请延期",
    "extension_refused": "延期申请未获批准",
    "extension_notice": "延期告知信访人",
    "dissatisfaction_followed_up": "不满意评价已跟进",
    "repeat_contact": "重复访（来访记录）",
    "on_site_reception": "下移接待",
    "query_code_reissued": "重新发放查询码",
    "attach": "上传材料",
    "joint_setup": "设立联合会办",
    "joint_meeting": "会办记录",
    "joint_report": "会办单位报送办理结果",
    "joint_dispute": "受理争议",
    "joint_decision": "决定受理机关",
}
#: Every step's Chinese name: the actions' and the other events'.
EVENT_LABELS: dict[str, str] = {**OTHER_EVENT_LABELS, **ACTION_LABELS}

#: Staff roles (and the two actors that are not staff), as pages name them.
ROLES: dict[str, str] = ROLE_LABELS

#: The roles of the people and units a case names.
PARTY_ROLE_LABELS: dict[str, str] = {
    "petitioner": "信访人",
    "representative": "集体访代表",
    "accused_person": "被反映人",
    "accused_unit": "被反映单位",
}

#: Who acted, for the actors that are not staff members.
SYSTEM_STAFF_NO = "SYSTEM"
PETITIONER_STAFF_NO = "PETITIONER"
NON_STAFF_ACTORS: dict[str, str] = {
    SYSTEM_STAFF_NO: "系统自动",
    PETITIONER_STAFF_NO: "信访人本人（凭查询码）",
}

#: The labels of a step's contents (payload fields); a field not listed is not shown.
PAYLOAD_LABELS: dict[str, str] = {
    "channel": "信访形式",
    "category": "类别",
    "region_code": "行政区划",
    "group_size": "人数",
    "received_at": "接收时间",
    "reason_code": "理由",
    "guidance": "告知",
    "organ": "机关",
    "report_by": "报结日期",
    "accepted_on": "受理日期",
    "summary": "办结报告",
    "days": "延长天数",
    "reason": "理由",
    "outcome": "处理意见",
    "opinion": "意见书",
    "to_staff_no": "新责任人",
    "from_staff_no": "原责任人",
    "text": "记录",
    "rating": "评价",
    "comment": "评价意见",
    "clock_label": "期限",
    "level_label": "级别",
    "due_date": "届满日",
    "recipients": "通知",
    "old_due_date": "原届满日",
    "new_due_date": "新届满日",
    "why": "原因",
    "waiver": "信访人表示",
    "request": "信访人请求",
    "checked": "核对身份",
    "sms": "告知方式",
    "by": "经办人",
    "reply_by": "答复期限",
    "instruction": "督办要求",
    "answer": "答复内容",
    "note": "说明",
    "notice": "告知内容",
    "attachments": "材料",
}
#: Where one action names a field differently (two rows both called 理由 say nothing).
PAYLOAD_LABELS_BY_ACTION: dict[str, dict[str, str]] = {
    "reassign": {"reason_code": "变更原因", "reason": "变更说明"},
    "reject": {"reason_code": "不予受理理由", "guidance": "告知信访人"},
    "extend": {"reason": "延期理由"},
    "extension_requested": {"reason": "延期理由"},
    "extension_notice": {"reason": "延期理由", "new_due_date": "延长后届满日"},
    "withdraw": {"reason": "撤回理由"},
    "joint_report": {"organ": "会办单位", "summary": "办理结果"},
    "joint_decision": {"accepting_organ": "受理机关", "reason": "决定理由"},
    "transfer": {"organ": "转送机关"},
    "assign": {"organ": "交办机关"},
    "reply": {"opinion": "处理意见书"},
    "reply_review": {"opinion": "复查意见书"},
    "reply_reexamination": {"opinion": "复核意见书"},
}
#: Payload fields that hold 工号: shown as 姓名（工号）.
STAFF_FIELDS = frozenset({"to_staff_no", "from_staff_no", "recipients"})


#: How the petitioner asked to withdraw (``withdraw``'s ``request.how``).
REQUEST_WAYS: dict[str, str] = {"书面": "书面申请", "当面": "当面提出", "电话记录": "电话记录"}


def request_text(request: Mapping[str, Any]) -> str:
    """「信访人于2026-11-05以书面申请方式请求撤回」."""
    how = REQUEST_WAYS.get(str(request.get("how")), str(request.get("how", "")))
    return f"信访人于{request.get('date', '')}以{how}方式请求撤回"


def withdrawal_text(withdrawal: Mapping[str, Any]) -> str:
    """The withdrawal as the case page says it: who asked, when, how, and what they said."""
    request = withdrawal.get("request") or {}
    text = request_text(request) if request else "信访人请求撤回"
    reason = str(withdrawal.get("reason") or "").strip()
    return f"{text}：{reason}" if reason else text


def event_label(action: str) -> str:
    """A step's Chinese name (the code itself only for a step this glossary lacks)."""
    return EVENT_LABELS.get(action, action)


def payload_label(action: str, key: str) -> str | None:
    """What a step's field is called on the pages, or None when it is not shown."""
    return PAYLOAD_LABELS_BY_ACTION.get(action, {}).get(key) or PAYLOAD_LABELS.get(key)


def person(staff_no: str, names: Mapping[str, str]) -> str:
    """A staff member as pages name them: 姓名（工号）; the system or the petitioner in words."""
    if staff_no in NON_STAFF_ACTORS:
        return NON_STAFF_ACTORS[staff_no]
    name = names.get(staff_no)
    return f"{name}（{staff_no}）" if name else f"工号 {staff_no}"


def event_actor(event: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """Who took a step: the staff member, also for steps recorded before events named them (a
    system event then names its actor in its ``by`` or ``recorded_by`` field)."""
    actor = str(event.get("actor") or SYSTEM_STAFF_NO)
    payload = event.get("payload") or {}
    if actor == SYSTEM_STAFF_NO:
        if isinstance(payload.get("by"), str) and payload["by"]:
            by = payload["by"]
            return by if "（" in by else person(by, names)
        if isinstance(payload.get("recorded_by"), str) and payload["recorded_by"]:
            return person(payload["recorded_by"], names)
    return person(actor, names)


def staff_numbers(events: Any) -> set[str]:
    """Every 工号 a list of events names (actors and staff fields), to look their names up once."""
    out: set[str] = set()
    for e in events:
        out.add(str(e.get("actor") or ""))
        payload = e.get("payload") or {}
        for key in (*STAFF_FIELDS, "recorded_by", "by"):
            value = payload.get(key)
            if isinstance(value, str):
                out.add(value)
            elif isinstance(value, list):
                out.update(str(v) for v in value)
    out.discard("")
    return out
