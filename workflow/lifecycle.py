"""The lifecycle of a petition matter under 《信访工作条例》 (2022): states, actions, who may act, guards.

One static transitions ``Machine`` serves every case (transitions' FAQ; a machine per row would cost
memory and vanish on rows SQLAlchemy loads). The service fires ``MACHINE.events[action].trigger``
on a plain ``CaseFacts`` object inside its database transaction; nothing here touches a database,
a clock or the network.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import cache
from typing import Any

from transitions import Machine

from workflow.errors import ActionNotAllowed, InvalidInput, PermissionDenied
from workflow.facts import Actor, CaseFacts, Guard


class State(StrEnum):
    """The states of a petition matter."""

    REGISTERED = "registered"
    ACCEPTED = "accepted"
    TRANSFERRED = "transferred"
    ASSIGNED = "assigned"
    REJECTED = "rejected"
    REPLIED = "replied"
    UNDER_REVIEW = "under_review"
    REVIEW_REPLIED = "review_replied"
    UNDER_REEXAMINATION = "under_reexamination"
    CLOSED = "closed"
    CONCLUDED = "concluded"
    WITHDRAWN = "withdrawn"


STATE_LABELS: dict[str, str] = {
    "registered": "已登记",
    "accepted": "已受理",
    "transferred": "已转送",
    "assigned": "已交办",
    "rejected": "不予受理",
    "replied": "已答复",
    "under_review": "复查中",
    "review_replied": "已复查",
    "under_reexamination": "复核中",
    "closed": "已办结",
    "concluded": "已终结",
    "withdrawn": "已撤回",
}

#: States in which nothing more happens to the matter itself (no clock runs, no escalation).
TERMINAL_STATES = frozenset({"rejected", "closed", "concluded", "withdrawn"})

ACTION_LABELS: dict[str, str] = {
    "accept": "受理",
    "reject": "不予受理",
    "transfer": "转送",
    "assign": "交办",
    "record_partner_acceptance": "登记转送机关受理",
    "report_back": "报结",
    "extend": "延期",
    "reply": "答复",
    "request_review": "申请复查",
    "reply_review": "复查答复",
    "request_reexamination": "申请复核",
    "start_hearing": "开始听证",
    "end_hearing": "结束听证",
    "reply_reexamination": "复核答复（终结）",
    "close": "办结",
    "withdraw": "撤回",
    "reassign": "变更首接责任人",
    "note": "跟踪记录",
    "record_evaluation": "满意度评价",
    "lapse": "期满办结",
}

# The Chinese names of the steps that are not actions live in workflow/glossary.py.

OPEN_STATES = [s.value for s in State if s.value not in TERMINAL_STATES]

# The lifecycle table of domain.md, read as the regulation: (action, from states, to state).
# ``None`` as the destination keeps the state (an internal transition).
TRANSITIONS: list[tuple[str, list[str], str | None]] = [
    ("accept", ["registered"], "accepted"),  # 第二十二条、第二十三条: 15日内受理
    ("reject", ["registered"], "rejected"),  # 第二十八条第二款、第三十一条: 诉访分离
    ("transfer", ["registered"], "transferred"),  # 第二十二条: 转送有权处理的机关
    ("assign", ["registered"], "assigned"),  # 第二十二条: 交办并要求报结
    ("record_partner_acceptance", ["transferred"], None),  # 第二十三条第三款
    ("reply", ["transferred"], "replied"),  # 转送机关的处理意见
    ("report_back", ["assigned"], "replied"),  # 交办事项报结
    ("extend", ["accepted"], None),  # 第三十四条: 延长不超过30日，一次
    ("reply", ["accepted"], "replied"),  # 第三十二条: 书面答复
    ("request_review", ["replied"], "under_review"),  # 第三十五条: 30日内请求复查
    ("close", ["replied"], "closed"),
    ("reply_review", ["under_review"], "review_replied"),
    ("request_reexamination", ["review_replied"], "under_reexamination"),  # 第三十六条
    ("close", ["review_replied"], "closed"),
    ("start_hearing", ["under_reexamination"], None),  # 第三十六条第二款: 听证时间不计入
    ("end_hearing", ["under_reexamination"], None),
    ("reply_reexamination", ["under_reexamination"], "concluded"),  # 第三十六条第三款: 终结
    ("withdraw", ["registered", "accepted", "transferred", "assigned"], "withdrawn"),
    ("note", OPEN_STATES, None),
    ("reassign", OPEN_STATES, None),  # 第二十八条第三款: 回避
    ("record_evaluation", ["replied", "review_replied", "closed", "concluded"], None),
    ("lapse", ["replied", "review_replied"], "closed"),  # 请求期限届满未请求: 办结
]

#: Actions a person may take (``lapse`` is the sweeper's alone).
ACTIONS: list[str] = list(dict.fromkeys(t[0] for t in TRANSITIONS if t[0] != "lapse"))


ROLE_LABELS: dict[str, str] = {
    "receptionist": "接访员",
    "handler": "承办人",
    "supervisor": "督办",
    "leader": "领导",
    "admin": "管理员",
    "auditor": "审计",
    "system": "系统",
    "petitioner": "信访人",
}

#: Roles a staff account may hold (the sweeper and the petitioner are not staff and never sign in).
STAFF_ROLES = frozenset(r for r in ROLE_LABELS if r not in ("system", "petitioner"))

CATEGORY_LABELS: dict[str, str] = {
    "suggestion": "建议意见类",
    "accusation": "检举控告类",
    "appeal": "申诉求决类",
}
CHANNEL_LABELS: dict[str, str] = {
    "visit": "来访",
    "letter": "来信",
    "call": "来电",
    "online": "网上",
}

_OWNER_ACTIONS = {
    "note",
    "accept",
    "transfer",
    "assign",
    "record_partner_acceptance",
    "report_back",
    "request_review",
    "request_reexamination",
    "withdraw",
    "record_evaluation",
    "close",
}
_HANDLER_ACTIONS = {
    "reply",
    "reply_review",
    "reply_reexamination",
    "start_hearing",
    "end_hearing",
}
_SUPERVISOR_ACTIONS = {"reject", "extend", "reassign"}

#: Who may take each action, the permission table of domain.md written once. "owner" means a
#: receptionist acting on a case they own (首接责任人).
ACTION_ROLES: dict[str, frozenset[str]] = {
    **{a: frozenset({"owner", "supervisor", "leader"}) for a in _OWNER_ACTIONS},
    **{a: frozenset({"owner", "handler", "supervisor", "leader"}) for a in _HANDLER_ACTIONS},
    **{a: frozenset({"supervisor", "leader"}) for a in _SUPERVISOR_ACTIONS},
    "lapse": frozenset({"system"}),
}
# The petitioner rates the outcome themselves on the public tracking page (可评价, 条例第二十一条).
ACTION_ROLES["record_evaluation"] = ACTION_ROLES["record_evaluation"] | {"petitioner"}
INTAKE_ROLES = frozenset({"receptionist", "supervisor"})
#: Who may be a case's owner (首接责任人): the target of ``reassign``.
OWNER_ROLES = frozenset({"receptionist", "supervisor", "leader"})
READ_ROLES = frozenset({"receptionist", "handler", "supervisor", "leader", "auditor"})

# 不予受理 reasons (第二十八条第二款、第三十一条 and 第三十六条第三款), each with the guidance the petitioner is given.
REJECT_REASONS: dict[str, tuple[str, str]] = {
    "litigation": (
        "应当通过诉讼途径解决",
        "该事项属于人民法院受理范围，请依法向有管辖权的人民法院提起诉讼。",
    ),
    "arbitration": (
        "应当通过仲裁途径解决",
        "该事项属于仲裁范围，请依法向有关仲裁机构申请仲裁。",
    ),
    "administrative_reconsideration": (
        "应当通过行政复议途径解决",
        "该事项属于行政复议范围，请依法向有关行政复议机关申请行政复议。",
    ),
    "party_discipline": (
        "应当通过党内申诉等途径解决",
        "该事项属于党员申诉、控告范围，请依照党内法规向有关党组织提出。",
    ),
    "concluded": (
        "已经终结",
        "该信访事项已经复核终结，以同一事实和理由提出的信访事项不再受理（《信访工作条例》第三十六条第三款）。",
    ),
    "in_process": (
        "正在办理中",
        "该信访事项正在依法办理，不重复受理（《信访工作条例》第十九条第三款）；请等待答复或通过查询码查询办理进度。",
    ),
    "not_petition": (
        "不属于信访事项",
        "该事项不属于信访事项受理范围，请向有关部门咨询。",
    ),
    "other_statutory": (
        "依法应当通过其他法定途径解决",
        "该事项依法应当通过其他法定途径解决，请向有关机关提出。",
    ),
}

REASSIGN_REASONS: dict[str, str] = {
    "recusal": "回避（《信访工作条例》第二十八条第三款）",
    "leave": "休假",
    "departure": "调离或离职",
    "workload": "工作调整",
}

RATINGS: dict[str, str] = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
}
OUTCOMES: dict[str, str] = {
    "support": "支持",
    "explain": "解释说明",
    "not_support": "不支持",
}


#: The sweeper and other system steps act as this actor.
SYSTEM_ACTOR = Actor(staff_no="SYSTEM", role="system", name="系统")

#: Steps the petitioner sees on the public tracking page (条例第二十一条: 可查询、可跟踪).
PUBLIC_ACTIONS = frozenset(
    {
        "intake",
        "accept",
        "reject",
        "transfer",
        "assign",
        "record_partner_acceptance",
        "report_back",
        "extend",
        "reply",
        "request_review",
        "reply_review",
        "request_reexamination",
        "start_hearing",
        "end_hearing",
        "reply_reexamination",
        "close",
        "withdraw",
        "lapse",
        "record_evaluation",
    }
)


def _window_open(name: str) -> Callable[[CaseFacts], bool]:
    def test(facts: CaseFacts) -> bool:
        due = facts.window_due.get(name)
        return due is not None and facts.now < due

    return test


#: A joint case keeps one reply (首接负责制), and it waits for the lead organ's report.
_JOINT_LEAD_REPORTED = Guard(
    lambda f: not f.joint_lead_open,
    "joint.lead_not_reported",
    "该事项为联合会办事项，牵头单位尚未报送办理结果，不能答复信访人（《信访工作条例》第二十四条；"
    "请先登记牵头单位的办理结果）",
)

GUARDS: dict[str, list[Guard]] = {
    "reply": [_JOINT_LEAD_REPORTED],
    "report_back": [_JOINT_LEAD_REPORTED],
    "extend": [
        Guard(
            lambda f: not f.extended,
            "extend.already_extended",
            "办理期限只能延长一次（《信访工作条例》第三十四条）",
        )
    ],
    "request_review": [
        Guard(
            _window_open("review_window"),
            "review.window_closed",
            "已超过自收到处理意见书之日起30日的复查请求期限（《信访工作条例》第三十五条）",
        )
    ],
    "request_reexamination": [
        Guard(
            _window_open("reexamination_window"),
            "reexamination.window_closed",
            "已超过自收到复查意见书之日起30日的复核请求期限（《信访工作条例》第三十六条）",
        )
    ],
    "start_hearing": [
        Guard(lambda f: not f.hearing_open, "hearing.already_open", "听证已经开始，尚未结束")
    ],
    "end_hearing": [Guard(lambda f: f.hearing_open, "hearing.not_open", "尚未开始听证")],
    "reply_reexamination": [
        Guard(lambda f: not f.hearing_open, "hearing.still_open", "听证尚未结束，不能作出复核意见")
    ],
    "record_partner_acceptance": [
        Guard(lambda f: not f.partner_accepted, "transfer.already_accepted", "已登记过转送机关受理")
    ],
    "record_evaluation": [
        Guard(lambda f: not f.rated, "evaluation.already_rated", "该信访事项已经评价过")
    ],
}


def _build_machine() -> Machine:
    transitions = []
    for action, sources, dest in TRANSITIONS:
        conditions = [_as_condition(g) for g in GUARDS.get(action, [])]
        for source in sources:
            transitions.append(
                {
                    "trigger": action,
                    "source": source,
                    "dest": dest,
                    "conditions": conditions,
                }
            )
    return Machine(
        model=None,
        states=[s.value for s in State],
        transitions=transitions,
        initial=None,
        model_attribute="state",
        auto_transitions=False,
        queued=False,
        send_event=True,
    )


def _as_condition(guard: Guard) -> Callable[[Any], bool]:
    # With send_event the machine hands conditions an EventData; the guard reads the model's facts.
    return lambda event: guard.test(event.model)


#: The one machine for every case.
MACHINE = _build_machine()


def role_permits(action: str, facts_owner: str, actor: Actor) -> bool:
    """Whether the actor's role (and ownership, for a receptionist) permits the action."""
    roles = ACTION_ROLES.get(action, frozenset())
    if actor.role in roles:
        return True
    return "owner" in roles and actor.role == "receptionist" and actor.staff_no == facts_owner


@cache
def triggers(state: str) -> frozenset[str]:
    """The actions the machine takes in ``state``.

    Read once per state: the machine is built once from ``TRANSITIONS`` and never changes, and
    transitions' ``get_triggers`` scans every event's transitions on each call (every action and
    every rendered case asks).
    """
    return frozenset(MACHINE.get_triggers(state))


def allowed_actions(facts: CaseFacts, actor: Actor) -> list[str]:
    """Actions this actor may take on this case now, in the lifecycle's order."""
    available = triggers(facts.state)
    out = []
    for action in ACTIONS:
        if action not in available or not role_permits(action, facts.owner_staff_no, actor):
            continue
        if all(g.test(facts) for g in GUARDS.get(action, [])):
            out.append(action)
    return out


def _not_now(action: str, facts: CaseFacts, actor: Actor | None = None) -> ActionNotAllowed:
    """The refusal of an action the case's state does not take, with what is allowed instead."""
    return ActionNotAllowed(
        "action.not_allowed_in_state",
        f"信访事项处于「{STATE_LABELS[facts.state]}」状态，不能{ACTION_LABELS[action]}",
        allowed_actions=allowed_actions(facts, actor) if actor else [],
        state=facts.state,
    )


def check(action: str, facts: CaseFacts, actor: Actor) -> None:
    """Raise the precise refusal if the actor may not take the action on this case now."""
    if action not in ACTION_ROLES:
        raise InvalidInput("action.unknown", f"未知的操作：{action}", field="action")
    in_state = action in triggers(facts.state)
    # A finished case is refused for its state first: no role could take the action there.
    if facts.state in TERMINAL_STATES and not in_state:
        raise _not_now(action, facts, actor)
    if not role_permits(action, facts.owner_staff_no, actor):
        if actor.role == "receptionist" and "owner" in ACTION_ROLES[action]:
            message = f"接访员只能办理本人首接的信访事项，不能{ACTION_LABELS[action]}他人首接的事项"
        else:
            message = f"{ROLE_LABELS.get(actor.role, actor.role)}无权{ACTION_LABELS[action]}"
        raise PermissionDenied("permission.denied", message, action=action, role=actor.role)
    if not in_state:
        raise _not_now(action, facts, actor)
    for guard in GUARDS.get(action, []):
        if not guard.test(facts):
            raise ActionNotAllowed(
                guard.code,
                guard.message,
                allowed_actions=allowed_actions(facts, actor),
                state=facts.state,
            )


def fire(action: str, facts: CaseFacts) -> str:
    """Fire the action on the machine and return the new state (``check`` must have passed)."""
    if not MACHINE.events[action].trigger(facts):
        raise _not_now(action, facts)
    return facts.state
