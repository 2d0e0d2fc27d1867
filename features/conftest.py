"""Step definitions shared by the features, in the office's own words.

Every step names people by 工号, times as Shanghai wall-clock instants (``at('2026-09-20 10:00')``,
never the real clock), actions, states, periods and ladder levels by their Chinese names. The names
are mapped to the engine's codes here, once; the assertions read what a user sees: the state, the
actions offered, due dates and their reckoning, the refusal, and who was told.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import Engine, func, select, update

from cases.casework import actions, intake, reading, schedules
from cases.models import Case, CaseClock, CaseEvent, Escalation, Outbox, Petitioner, Staff
from cases.organisation import roster
from cases.runtime import Runtime
from cases.supervision.sweeper import sweep
from conftest import TZ, at
from tests.factories import intake_body, make_office
from workflow.calendar import Deadline, parse_schedule, reckon
from workflow.errors import ActionNotAllowed, Conflict, DomainError, InvalidInput, PermissionDenied

# --- the office's words → the engine's codes ------------------------------------------------------

ACTIONS: dict[str, str] = {
    "受理": "accept",
    "不予受理": "reject",
    "转送": "transfer",
    "交办": "assign",
    "登记转送机关受理": "record_partner_acceptance",
    "报结": "report_back",
    "延期": "extend",
    "答复": "reply",
    "申请复查": "request_review",
    "复查答复": "reply_review",
    "申请复核": "request_reexamination",
    "开始听证": "start_hearing",
    "结束听证": "end_hearing",
    "复核答复": "reply_reexamination",
    "办结": "close",
    "撤回": "withdraw",
    "变更首接责任人": "reassign",
    "跟踪记录": "note",
    "满意度评价": "record_evaluation",
}
STATES: dict[str, str] = {
    "已登记": "registered",
    "已受理": "accepted",
    "已转送": "transferred",
    "已交办": "assigned",
    "不予受理": "rejected",
    "已答复": "replied",
    "复查中": "under_review",
    "已复查": "review_replied",
    "复核中": "under_reexamination",
    "已办结": "closed",
    "已终结": "concluded",
    "已撤回": "withdrawn",
}
CLOCKS: dict[str, str] = {
    "受理告知期限": "acceptance",
    "办理期限": "handling",
    "转送机关受理期限": "partner_acceptance",
    "转送机关办理期限": "partner_handling",
    "交办报结期限": "report_back",
    "复查请求期限": "review_window",
    "复查期限": "review",
    "复核请求期限": "reexamination_window",
    "复核期限": "reexamination",
    "跟踪记录周期": "tracking",
}
CLOCK_STATUS: dict[str, str] = {
    "正在计时": "running",
    "已停止计时": "stopped",
    "已暂停计时": "paused",
    "已期满": "lapsed",
}
LEVELS: dict[str, str] = {
    "预警": "warning",
    "超期": "overdue",
    "督办": "supervision",
    "挂牌督办": "flagged",
}
RATINGS: dict[str, str] = {
    "满意": "satisfied",
    "基本满意": "basically_satisfied",
    "不满意": "dissatisfied",
}
TOPICS: dict[str, str] = {"变更首接责任人": "reassigned", "不满意评价": "dissatisfied"}
ROLES: dict[str, str] = {
    "接访员": "receptionist",
    "承办人": "handler",
    "督办": "supervisor",
    "领导": "leader",
    "管理员": "admin",
    "审计": "auditor",
}
POSTS: dict[str, str | None] = {
    "": None,
    "党小组长": "group_leader",
    "支部书记": "branch_secretary",
    "处领导": "office_leader",
}
REFUSALS: dict[str, type[DomainError]] = {
    "无权办理": PermissionDenied,
    "当前状态不允许": ActionNotAllowed,
    "填写内容有误": InvalidInput,
    "版本冲突": Conflict,
}

#: How a case is brought to a state for a scenario: (action, who), one day apart from 2026-09-21 10:00.
PATHS: dict[str, list[tuple[str, str]]] = {
    "已登记": [],
    "已受理": [("受理", "A001")],
    "已转送": [("转送", "A001")],
    "已交办": [("交办", "A001")],
    "不予受理": [("不予受理", "G001")],
    "已撤回": [("撤回", "A001")],
    "已答复": [("受理", "A001"), ("答复", "H001")],
    # 办结 the day after the reply, with the petitioner's written waiver (default_payload).
    "已办结": [("受理", "A001"), ("答复", "H001"), ("办结", "A001")],
    "复查中": [("受理", "A001"), ("答复", "H001"), ("申请复查", "A001")],
    "已复查": [("受理", "A001"), ("答复", "H001"), ("申请复查", "A001"), ("复查答复", "H001")],
    "复核中": [
        ("受理", "A001"),
        ("答复", "H001"),
        ("申请复查", "A001"),
        ("复查答复", "H001"),
        ("申请复核", "A001"),
    ],
    "已终结": [
        ("受理", "A001"),
        ("答复", "H001"),
        ("申请复查", "A001"),
        ("复查答复", "H001"),
        ("申请复核", "A001"),
        ("复核答复", "H001"),
    ],
}
PATH_START = "2026-09-21 10:00"
NONE_LISTED = "（无）"


def listed(text: str) -> list[str]:
    """Split 「受理、转送、交办」 into its items; 「（无）」 is the empty list."""
    text = text.strip()
    return [] if text == NONE_LISTED else [part.strip() for part in text.split("、")]


def codes(names: list[str], table: dict[str, str]) -> list[str]:
    """Map Chinese names to codes, failing loudly on a name the table does not know."""
    unknown = [n for n in names if n not in table]
    assert not unknown, f"未知的名称：{unknown}"
    return [table[n] for n in names]


def default_payload(action: str, now: datetime) -> dict[str, Any]:
    """A complete, lawful payload for an action taken at ``now``."""
    today = now.astimezone(TZ).date()
    payloads: dict[str, dict[str, Any]] = {
        "reject": {"reason_code": "litigation"},
        "transfer": {"organ": "某区住房和城乡建设局"},
        "assign": {
            "organ": "某区住房和城乡建设局",
            "report_by": (today + timedelta(days=9)).isoformat(),
        },
        "record_partner_acceptance": {"accepted_on": today.isoformat()},
        "report_back": {"summary": "补偿款已发放，信访人已签收。"},
        "extend": {"days": 30, "reason": "涉及多个部门，需要联合调查核实"},
        "withdraw": {
            "request": {"date": today.isoformat(), "how": "书面"},
            "reason": "问题已自行解决，书面申请撤回",
        },
        "reply": {"outcome": "support", "opinion": "经调查核实，诉求合理，予以支持。"},
        "reply_review": {"opinion": "经复查，维持原处理意见。"},
        "reply_reexamination": {"opinion": "经复核，维持复查意见。"},
        "reassign": {
            "to_staff_no": "A003",
            "reason": "首接责任人与信访人系近亲属，依法回避",
            "reason_code": "recusal",
        },
        "note": {"text": "已电话联系信访人，告知办理进度。"},
        "record_evaluation": {"rating": "satisfied"},
        # Closing inside the petitioner's window needs their waiver (条例第三十五条、第三十六条).
        "close": {"waiver": {"date": today.isoformat(), "how": "书面"}},
    }
    return dict(payloads.get(action, {}))


def table_fields(datatable: list[list[str]]) -> dict[str, Any]:
    """A | 字段 | 值 | table as a payload; whole numbers become integers, and ``waiver.date``
    a field of the ``waiver`` object."""
    rows = [r for r in datatable if r and r[0] != "字段"]
    out: dict[str, Any] = {}
    for key, value in rows:
        *groups, name = key.split(".")
        target = out
        for group in groups:
            target = target.setdefault(group, {})
        target[name] = int(value) if value.isdigit() else value
    return out


# --- the world of one scenario ----------------------------------------------------------------------


@dataclass
class World:
    """What one scenario has done so far: its database, the case, the last refusal or sweep."""

    engine: Engine
    rt: Runtime
    case_no: str | None = None
    now: datetime = field(default_factory=lambda: at("2026-01-01 09:00"))
    error: DomainError | None = None
    before: dict[str, Any] | None = None
    opened_version: int | None = None
    sweep: dict[str, Any] | None = None
    escalations_before: set[int] = field(default_factory=set)
    outbox_before: set[int] = field(default_factory=set)
    counts_before: tuple[int, int] | None = None

    # reading -----------------------------------------------------------------------------------

    def show(self, viewer: str | None = None) -> dict[str, Any]:
        """The case as ``viewer`` sees it now (no viewer: as the record stands)."""
        assert self.case_no, "场景中还没有登记信访事项"
        with self.engine.begin() as conn:
            return reading.show(
                conn, self.rt, case_no=self.case_no, viewer_staff_no=viewer, now=self.now
            )

    def events(self) -> list[dict[str, Any]]:
        """The case's audit events, oldest first."""
        with self.engine.begin() as conn:
            return reading.case_events(conn, self.rt, case_no=self.case_no, viewer_staff_no=None)

    def clock(self, label: str) -> dict[str, Any]:
        """The latest run of the clock the office calls ``label``."""
        name = CLOCKS[label]
        runs = [c for c in self.show()["clocks"] if c["name"] == name]
        assert runs, f"该信访事项没有「{label}」"
        assert runs[-1]["label"] == label
        return runs[-1]

    def case_id(self) -> int:
        with self.engine.begin() as conn:
            return conn.execute(
                select(Case.__table__.c.id).where(Case.__table__.c.case_no == self.case_no)
            ).scalar_one()

    def snapshot(self) -> dict[str, Any]:
        """Everything an action could change on the case: row, events, clocks, notifications."""
        ct, kt, et = Case.__table__, CaseClock.__table__, CaseEvent.__table__
        with self.engine.begin() as conn:
            row = conn.execute(select(ct).where(ct.c.case_no == self.case_no)).one()
            clocks = conn.execute(
                select(kt.c.name, kt.c.status, kt.c.due_date, kt.c.extra_days)
                .where(kt.c.case_id == row.id)
                .order_by(kt.c.id)
            ).all()
            events = conn.execute(
                select(func.count()).select_from(et).where(et.c.case_id == row.id)
            ).scalar_one()
            outbox = conn.execute(select(func.count()).select_from(Outbox.__table__)).scalar_one()
        return {
            "state": row.state,
            "version": row.version,
            "owner_id": row.owner_id,
            "extended": row.extended,
            "rating": row.rating,
            "details": row.details,
            "events": events,
            "clocks": [tuple(c) for c in clocks],
            "outbox": outbox,
        }

    def escalations(self) -> list[Any]:
        """Every escalation row of the case, with its clock's name."""
        es, kt = Escalation.__table__, CaseClock.__table__
        case_id = self.case_id()
        with self.engine.begin() as conn:
            return conn.execute(
                select(es, kt.c.name.label("clock_name"))
                .join(kt, kt.c.id == es.c.clock_id)
                .where(es.c.case_id == case_id)
                .order_by(es.c.id)
            ).all()

    def outbox(self) -> list[Any]:
        """Every notification in the outbox."""
        with self.engine.begin() as conn:
            return conn.execute(select(Outbox.__table__).order_by(Outbox.__table__.c.id)).all()

    def counts(self) -> tuple[int, int]:
        """How many cases and petitioner records the database holds."""
        with self.engine.begin() as conn:
            return (
                reading.case_count(conn),
                conn.execute(select(func.count()).select_from(Petitioner.__table__)).scalar_one(),
            )

    # doing ---------------------------------------------------------------------------------------

    def act(
        self,
        who: str,
        when: datetime,
        action: str,
        overrides: dict[str, Any] | None = None,
        *,
        expected_version: int | None = None,
        exactly: bool = False,
    ) -> dict[str, Any]:
        """Take the action named in Chinese as ``who`` at ``when`` (``exactly``: with the
        ``overrides`` alone, no default fields)."""
        code = ACTIONS[action]
        payload = (
            dict(overrides or {})
            if exactly
            else {**default_payload(code, when), **(overrides or {})}
        )
        self.now = when
        with self.engine.begin() as conn:
            return actions.act(
                conn,
                self.rt,
                case_no=self.case_no,
                action=code,
                actor_staff_no=who,
                payload=payload,
                now=when,
                expected_version=expected_version,
            )

    def attempt(self, who: str, when: datetime, action: str, **kw: Any) -> None:
        """Try an action that may be refused: remember the refusal and what the case was before."""
        self.before = self.snapshot()
        self.error = None
        try:
            self.act(who, when, action, **kw)
        except DomainError as exc:
            self.error = exc

    def intake(self, who: str, when: datetime, **overrides: Any) -> dict[str, Any]:
        """Register a petition as ``who`` at ``when``."""
        self.now = when
        with self.engine.begin() as conn:
            result = intake.intake(
                conn, self.rt, body=intake_body(**overrides), actor_staff_no=who, now=when
            )
        self.case_no = result["case_no"]
        return result


@pytest.fixture
def world(engine: Engine, rt: Runtime) -> World:
    """A fresh scenario on a fresh database (SQLite, and PostgreSQL when configured)."""
    return World(engine=engine, rt=rt)


@pytest.fixture
def reckoning() -> dict[str, Deadline]:
    """The last period reckoned by a pure calendar step (no database)."""
    return {}


# --- step patterns ------------------------------------------------------------------------------

WHO = r'"(?P<who>[A-Z0-9]+)"'
WHEN = r'"(?P<when>\d{4}-\d{2}-\d{2} \d{2}:\d{2})"'
DAY = r'"(?P<day>\d{4}-\d{2}-\d{2})"'
ACTION = r"「(?P<action>[^「」]+)」"
CLOCK = r"「(?P<clock>[^「」]+)」"
STATE = r"「(?P<state>[^「」]+)」"
WHEN_AT = {"when": at}


# --- given: the office and the case ----------------------------------------------------------------


@given("办公室按标准名册配备了工作人员")
def standard_office(world: World) -> None:
    """The roster of tests/factories.py: A001–A003, G001, B001, L001, H001, AD01, AU01, X001."""
    make_office(world.engine, at("2026-01-01 09:00"))


@given("办公室另有下列工作人员：")
def more_staff(world: World, datatable: list[list[str]]) -> None:
    """Extra staff: | 工号 | 姓名 | 岗位 | 支部 | 党小组 | 党内职务 |."""
    header, *rows = datatable
    with world.engine.begin() as conn:
        for row in rows:
            r = dict(zip(header, row, strict=True))
            if r["党小组"]:
                roster.ensure_group(conn, branch=r["支部"], group=r["党小组"])
            roster.add_staff(
                conn,
                staff_no=r["工号"],
                name=r["姓名"],
                role=ROLES[r["岗位"]],
                group=r["党小组"] or None,
                post=POSTS[r["党内职务"]],
                now=at("2026-01-01 09:00"),
            )


@given(parsers.re(rf"{WHO} 已离岗"))
def leaves(world: World, who: str) -> None:
    """The staff member is no longer on duty (their post on the ladder is vacant)."""
    st = Staff.__table__
    with world.engine.begin() as conn:
        changed = conn.execute(update(st).where(st.c.staff_no == who).values(active=False)).rowcount
    assert changed == 1


@given(parsers.re(rf"接访员 {WHO} 于 {WHEN} 登记了一件信访事项"), converters=WHEN_AT)
def registered(world: World, who: str, when: datetime) -> None:
    result = world.intake(who, when)
    assert result["state"] == "registered"


@given(
    parsers.re(
        rf"接访员 {WHO} 于 {WHEN} 登记了一件 \"(?P<received>\d{{4}}-\d{{2}}-\d{{2}})\" 收到的来信"
    ),
    converters=WHEN_AT,
)
def registered_letter(world: World, who: str, when: datetime, received: str) -> None:
    """A letter received earlier: the 15 days run from its receipt (条例第二十二条)."""
    received_at = datetime.fromisoformat(f"{received}T10:00:00+08:00")
    world.intake(who, when, channel="letter", received_at=received_at.isoformat())


@given("该信访事项已依次办理：")
def done_in_order(world: World, datatable: list[list[str]]) -> None:
    """| 时间 | 工号 | 操作 | rows, each with a lawful default payload."""
    header, *rows = datatable
    for row in rows:
        r = dict(zip(header, row, strict=True))
        world.act(r["工号"], at(r["时间"]), r["操作"])


@given(parsers.re(rf"该信访事项已办理到{STATE}"))
def brought_to(world: World, state: str) -> None:
    """Walk the case to ``state`` along PATHS, one step a day from 2026-09-21 10:00."""
    start = at(PATH_START)
    for i, (action, who) in enumerate(PATHS[state]):
        world.act(who, start + timedelta(days=i), action)
    assert world.show()["state"] == STATES[state]


@given(parsers.re(rf"{WHO} 于 {WHEN} 打开了该信访事项"), converters=WHEN_AT)
def opened(world: World, who: str, when: datetime) -> None:
    """Remember the version the staff member saw."""
    world.now = when
    world.opened_version = world.show(who)["version"]


# --- when: actions ------------------------------------------------------------------------------------


@given(parsers.re(rf"{WHO} 于 {WHEN} 已对该信访事项办理{ACTION}"), converters=WHEN_AT)
@when(parsers.re(rf"{WHO} 于 {WHEN} 对该信访事项办理{ACTION}"), converters=WHEN_AT)
def acts(world: World, who: str, when: datetime, action: str) -> None:
    world.act(who, when, action)


@when(parsers.re(rf"{WHO} 于 {WHEN} 对该信访事项办理{ACTION}，填写："), converters=WHEN_AT)
def acts_with(
    world: World, who: str, when: datetime, action: str, datatable: list[list[str]]
) -> None:
    world.act(who, when, action, table_fields(datatable))


@when(parsers.re(rf"{WHO} 于 {WHEN} 试图对该信访事项办理{ACTION}"), converters=WHEN_AT)
def attempts(world: World, who: str, when: datetime, action: str) -> None:
    world.attempt(who, when, action)


@when(parsers.re(rf"{WHO} 于 {WHEN} 试图对该信访事项办理{ACTION}，填写："), converters=WHEN_AT)
def attempts_with(
    world: World, who: str, when: datetime, action: str, datatable: list[list[str]]
) -> None:
    world.attempt(who, when, action, overrides=table_fields(datatable))


@when(
    parsers.re(rf"{WHO} 于 {WHEN} 凭打开时看到的版本试图对该信访事项办理{ACTION}"),
    converters=WHEN_AT,
)
def attempts_stale(world: World, who: str, when: datetime, action: str) -> None:
    assert world.opened_version is not None
    world.attempt(who, when, action, expected_version=world.opened_version)


def _representatives(n: int) -> list[dict[str, str]]:
    return [{"name": f"代表{i + 1}", "address": f"南京市玄武区中山路{i + 1}号"} for i in range(n)]


INTAKE = (
    rf"{WHO} 于 {WHEN} (?P<trying>试图)?登记信访事项：身份证号码 \"(?P<id_number>[0-9X]+)\"，"
    r"来访 (?P<size>\d+) 人，推选代表 (?P<reps>\d+) 人，接收时间 "
    r"\"(?P<received>\d{4}-\d{2}-\d{2} \d{2}:\d{2})\""
)


@when(parsers.re(INTAKE), converters={"when": at, "size": int, "reps": int, "received": at})
def registers_with(
    world: World,
    who: str,
    when: datetime,
    trying: str | None,
    id_number: str,
    size: int,
    reps: int,
    received: datetime,
) -> None:
    """Register a visit with the given identity number, head count, representatives and receipt."""
    world.counts_before = world.counts()
    petitioner = {**intake_body()["petitioner"], "id_number": id_number}
    overrides: dict[str, Any] = {
        "petitioner": petitioner,
        "group_size": size,
        "representatives": _representatives(reps),
        "received_at": received.astimezone(TZ).isoformat(),
    }
    world.error = None
    if not trying:
        world.intake(who, when, **overrides)
        return
    try:
        world.intake(who, when, **overrides)
    except DomainError as exc:
        world.error = exc


# --- when: the sweeper and the calendar ---------------------------------------------------------------


@when(parsers.re(rf"系统于 {WHEN} 巡查期限"), converters=WHEN_AT)
def sweeps(world: World, when: datetime) -> None:
    """One pass of the SLA sweeper at an explicit instant."""
    world.escalations_before = {e.id for e in world.escalations()}
    world.outbox_before = {o.id for o in world.outbox()}
    world.now = when
    world.sweep = sweep(world.engine, world.rt, now=when)


@when(parsers.re(rf"办公室于 {WHEN} 载入官方放假安排："), converters=WHEN_AT)
def loads_schedule(world: World, when: datetime, docstring: str) -> None:
    """Load a year's State Council schedule (JSON) and recompute every open deadline."""
    world.now = when
    with world.engine.begin() as conn:
        schedules.load_calendar(conn, world.rt, schedule=parse_schedule(docstring), now=when)


@when(
    parsers.re(r"自 \"(?P<start>\d{4}-\d{2}-\d{2})\" 起算 (?P<days>\d+) 个工作日"),
    converters={"days": int},
)
def reckons_working(reckoning: dict[str, Deadline], start: str, days: int) -> None:
    reckoning["last"] = reckon(datetime.fromisoformat(start).date(), days, working=True)


@when(
    parsers.re(r"自 \"(?P<start>\d{4}-\d{2}-\d{2})\" 起算 (?P<days>\d+) 日"),
    converters={"days": int},
)
def reckons_calendar(reckoning: dict[str, Deadline], start: str, days: int) -> None:
    reckoning["last"] = reckon(datetime.fromisoformat(start).date(), days)


# --- then: the case ----------------------------------------------------------------------------------


@then(parsers.re(rf"该信访事项的状态(?:仍)?为{STATE}"))
def state_is(world: World, state: str) -> None:
    case = world.show()
    assert (case["state"], case["state_label"]) == (STATES[state], state)


@then(parsers.re(rf"{WHO} 可以办理的操作为：(?P<actions>.+)"))
def may_do(world: World, who: str, actions: str) -> None:
    offered = world.show(who)["allowed_actions"]
    assert len(offered) == len(set(offered))
    assert set(offered) == set(codes(listed(actions), ACTIONS))


@then(parsers.re(rf"{WHO} 已无可办理的操作"))
def may_do_nothing(world: World, who: str) -> None:
    assert world.show(who)["allowed_actions"] == []


@then(parsers.re(rf"该信访事项的首接责任人为 {WHO}"))
def owner_is(world: World, who: str) -> None:
    assert world.show()["owner"]["staff_no"] == who


@then(parsers.re(r"该信访事项的满意度为「(?P<rating>[^「」]+)」"))
def rating_is(world: World, rating: str) -> None:
    assert world.show()["rating"] == RATINGS[rating]


@then(parsers.re(r"告知信访人的途径包含 \"(?P<text>[^\"]+)\""))
def guidance_contains(world: World, text: str) -> None:
    assert text in world.show()["details"]["reject"]["guidance"]


@then(parsers.re(rf"该信访事项的办理记录最新一条为{ACTION}，由 {WHO} 办理"))
def last_event(world: World, action: str, who: str) -> None:
    event = world.events()[-1]
    assert (event["action"], event["action_label"], event["actor"]) == (
        ACTIONS[action],
        action,
        who,
    )


@then(parsers.re(rf"{WHO} 收到了「(?P<topic>[^「」]+)」通知"))
def was_told(world: World, who: str, topic: str) -> None:
    told = [
        o
        for o in world.outbox()
        if o.recipient_staff_no == who and o.topic == TOPICS[topic] and o.case_no == world.case_no
    ]
    assert len(told) == 1


# --- then: refusals ------------------------------------------------------------------------------------


@then(
    parsers.re(
        r"操作被拒绝：(?P<kind>[^（]+)（(?P<cls>[A-Za-z]+)，退出码 (?P<code>\d)）",
    ),
    converters={"code": int},
)
def refused(world: World, kind: str, cls: str, code: int) -> None:
    assert world.error is not None, "操作没有被拒绝"
    assert type(world.error) is REFUSALS[kind]
    assert type(world.error).__name__ == cls
    assert world.error.exit_code == code


@then(parsers.re(r"拒绝理由包含 \"(?P<text>[^\"]+)\""))
def refusal_says(world: World, text: str) -> None:
    assert world.error is not None
    assert text in world.error.message, world.error.message


@then(parsers.re(r"拒绝时列出可以办理的操作为：(?P<actions>.+)"))
def refusal_lists(world: World, actions: str) -> None:
    assert isinstance(world.error, ActionNotAllowed)
    assert set(world.error.allowed_actions) == set(codes(listed(actions), ACTIONS))


@then("该信访事项未发生任何变化")
def unchanged(world: World) -> None:
    assert world.before is not None
    assert world.snapshot() == world.before


@then("信访事项总数与登记前相同，也没有保存任何信访人信息")
def nothing_stored(world: World) -> None:
    assert world.error is not None, "登记没有被拒绝"
    assert world.counts() == world.counts_before


@then(parsers.re(r"信访事项总数比登记前多 1 件，保存了 (?P<people>\d+) 位信访人和代表的信息"))
def one_more(world: World, people: str) -> None:
    assert world.counts_before is not None
    cases, persons = world.counts_before
    assert world.counts() == (cases + 1, persons + int(people))


# --- then: periods --------------------------------------------------------------------------------------


@given(parsers.re(rf"该信访事项的{CLOCK}(?P<status>正在计时|已停止计时|已暂停计时|已期满)"))
@then(parsers.re(rf"该信访事项的{CLOCK}(?P<status>正在计时|已停止计时|已暂停计时|已期满)"))
def clock_status(world: World, clock: str, status: str) -> None:
    assert world.clock(clock)["status"] == CLOCK_STATUS[status]


@then(parsers.re(rf"该信访事项的{CLOCK}正在计时，届满日为 {DAY}"))
def clock_running_due(world: World, clock: str, day: str) -> None:
    c = world.clock(clock)
    assert (c["status"], c["due_date"]) == ("running", day)


@given(parsers.re(rf"该信访事项的{CLOCK}届满日为 {DAY}"))
@then(parsers.re(rf"该信访事项的{CLOCK}届满日为 {DAY}"))
def clock_due(world: World, clock: str, day: str) -> None:
    c = world.clock(clock)
    assert c["due_date"] == day
    # The period ends at 24:00 local of its last day (民法典第二百零三条).
    assert (
        c["due_at"] == f"{(datetime.fromisoformat(day) + timedelta(days=1)).date()}T00:00:00+08:00"
    )


@then(parsers.re(rf"{CLOCK}的计算说明为 \"(?P<text>[^\"]+)\""))
def clock_reckoning(world: World, clock: str, text: str) -> None:
    assert world.clock(clock)["reckoning"] == text


@then(parsers.re(rf"{CLOCK}的计算说明包含 \"(?P<text>[^\"]+)\""))
def clock_reckoning_contains(world: World, clock: str, text: str) -> None:
    assert text in world.clock(clock)["reckoning"]


@then(parsers.re(rf"{CLOCK}(?P<neg>不)?是暂定日期"))
def clock_provisional(world: World, clock: str, neg: str | None) -> None:
    assert world.clock(clock)["provisional"] is (neg is None)


@then("该信访事项没有正在计时的期限")
def no_running_clock(world: World) -> None:
    clocks = world.show()["clocks"]
    assert clocks, "该信访事项从未计时"
    assert [c["name"] for c in clocks if c["status"] in ("running", "paused")] == []


@then(
    parsers.re(
        rf"该信访事项的记录中有期限变更：{CLOCK}由 \"(?P<old>[^\"]+)\" 改为 \"(?P<new>[^\"]+)\"，不再暂定"
    )
)
def deadline_changed(world: World, clock: str, old: str, new: str) -> None:
    changes = [
        e["payload"]
        for e in world.events()
        if e["action"] == "deadline_changed" and e["payload"]["clock"] == CLOCKS[clock]
    ]
    assert len(changes) == 1
    change = changes[0]
    assert (change["old_due_date"], change["new_due_date"]) == (old, new)
    assert (change["old_provisional"], change["provisional"]) == (True, False)


@then(parsers.re(r"届满日为 \"(?P<day>\d{4}-\d{2}-\d{2})\""))
def reckoned_due(reckoning: dict[str, Deadline], day: str) -> None:
    assert reckoning["last"].due_date.isoformat() == day


@then(parsers.re(r"计算说明为 \"(?P<text>[^\"]+)\""))
def reckoned_text(reckoning: dict[str, Deadline], text: str) -> None:
    assert reckoning["last"].reckoning == text
    assert reckoning["last"].provisional is False


# --- then: the sweeper and the ladder ----------------------------------------------------------------


@then(parsers.re(r"本次巡查办结了 (?P<n>\d+) 件请求期限届满的信访事项"), converters={"n": int})
def closed_on_lapse(world: World, n: int) -> None:
    assert world.sweep is not None
    assert world.sweep["closed_on_lapse"] == n


@then("本次巡查没有发出任何预警或督办")
def nothing_fired(world: World) -> None:
    assert world.sweep is not None
    assert set(world.sweep["fired"].values()) == {0}
    assert {e.id for e in world.escalations()} == world.escalations_before
    assert {o.id for o in world.outbox()} == world.outbox_before


def _new_levels(world: World, clock: str) -> dict[str, list[str]]:
    return {
        e.level: e.recipients
        for e in world.escalations()
        if e.clock_name == CLOCKS[clock] and e.id not in world.escalations_before
    }


@then(parsers.re(rf"本次巡查在{CLOCK}上没有发出任何督办层级"))
def clock_fired_nothing(world: World, clock: str) -> None:
    assert _new_levels(world, clock) == {}


@then(parsers.re(rf"本次巡查在{CLOCK}上发出："))
def clock_fired(world: World, clock: str, datatable: list[list[str]]) -> None:
    """| 层级 | 通知 |: exactly these levels fired now, told these people, once each, on the case."""
    _, *rows = datatable
    expected = {LEVELS[level]: sorted(listed(people)) for level, people in rows}
    assert {k: sorted(v) for k, v in _new_levels(world, clock).items()} == expected
    name = CLOCKS[clock]
    new_mail = [
        o
        for o in world.outbox()
        if o.id not in world.outbox_before
        and o.case_no == world.case_no
        and o.topic == "escalation"
        and o.payload["clock"] == name
    ]
    told = {
        level: sorted(o.recipient_staff_no for o in new_mail if o.payload["level"] == level)
        for level in expected
    }
    assert told == expected
    assert {o.payload["level"] for o in new_mail} == set(expected)
    recorded = [
        e["payload"]["level"]
        for e in world.events()
        if e["action"] == "escalated" and e["payload"]["clock"] == name
    ]
    for level in expected:
        assert recorded.count(level) == 1, f"{level} 应在案件记录中出现一次：{recorded}"


@then(parsers.re(rf"{CLOCK}上共发出过：(?P<levels>.+)"))
def clock_levels_ever(world: World, clock: str, levels: str) -> None:
    fired = [e.level for e in world.escalations() if e.clock_name == CLOCKS[clock]]
    assert sorted(fired) == sorted(codes(listed(levels), LEVELS))


@then(parsers.re(rf"{CLOCK}上从未发出过督办层级"))
def clock_never_fired(world: World, clock: str) -> None:
    assert [e.level for e in world.escalations() if e.clock_name == CLOCKS[clock]] == []


@then(parsers.re(rf"{CLOCK}的「(?P<level>[^「」]+)」已撤出督办队列"))
def level_resolved(world: World, clock: str, level: str) -> None:
    rows = [
        e for e in world.escalations() if e.clock_name == CLOCKS[clock] and e.level == LEVELS[level]
    ]
    assert len(rows) == 1
    assert rows[0].status == "resolved"


__all__ = ["World"]
