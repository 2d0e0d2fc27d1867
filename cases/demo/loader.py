"""The demo office (``shoujie demo``): 省信访局接访处, its party branch of 13 members, and cases.

Everything is built through the service layer, at instants in the past relative to ``now``, so the
clocks, escalations and audit chain are those a real office would have after four months of work:
``intake.intake`` and ``actions.act`` for every step of every case (``contacts.record_repeat`` for a
petitioner who comes back about the same matter), then one pass of the sweeper.
Staff, the office row and the party organisation are written in the same transaction as the cases,
so a failed load leaves nothing behind.
"""

import random
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from cases.casework import actions, intake, reading
from cases.models import Office
from cases.organisation import roster
from cases.repeat import contacts
from cases.runtime import Runtime
from cases.store import tables
from cases.supervision.sweeper import sweep
from workflow.calendar import OfficialCalendar, local_date
from workflow.lifecycle import ROLE_LABELS, STATE_LABELS, State
from workflow.periods import LEVEL_LABELS

DEMO_PASSWORD = "shoujie-demo"
OFFICE_NAME = "省信访局接访处"
BRANCH = "接访处党支部"
GROUPS = {
    "第一党小组": "征地拆迁·城乡建设",
    "第二党小组": "劳动社保·企业改制",
    "第三党小组": "生态环境·农业农村",
}

POST_LABELS = {
    "office_leader": "处领导",
    "branch_secretary": "支部书记",
    "group_leader": "党小组长",
}


@dataclass(frozen=True)
class DemoStaff:
    """One demo login."""

    staff_no: str
    name: str
    role: str
    group: str | None
    post: str | None
    title: str
    pledge: str
    party_member: bool = True


STAFF: list[DemoStaff] = [
    DemoStaff(
        "JF01",
        "顾建华",
        "leader",
        "第一党小组",
        "office_leader",
        "处长",
        "群众事无小事，件件有回音",
    ),
    DemoStaff(
        "JF02",
        "陆敏",
        "supervisor",
        "第一党小组",
        "branch_secretary",
        "副处长",
        "案结事了、群众满意，才是我们的标准",
    ),
    DemoStaff(
        "JF03",
        "钱丽萍",
        "receptionist",
        "第一党小组",
        "group_leader",
        "一级主任科员",
        "首问即首责，接下的事一办到底",
    ),
    DemoStaff(
        "JF04",
        "朱婷",
        "receptionist",
        "第一党小组",
        None,
        "二级主任科员",
        "把来访群众当亲人，把群众的事当自家事",
    ),
    DemoStaff(
        "JF05",
        "徐志强",
        "handler",
        "第一党小组",
        None,
        "一级主任科员",
        "政策讲清楚、道理说明白、诉求办到位",
    ),
    DemoStaff(
        "JF06",
        "周海峰",
        "receptionist",
        "第二党小组",
        "group_leader",
        "四级调研员",
        "让群众最多访一次",
    ),
    DemoStaff(
        "JF07",
        "吴雅琴",
        "receptionist",
        "第二党小组",
        None,
        "三级主任科员",
        "耐心听、用心办、暖心答",
    ),
    DemoStaff(
        "JF08",
        "蒋文博",
        "handler",
        "第二党小组",
        None,
        "二级主任科员",
        "依法按政策办事，不推不拖不打折扣",
    ),
    DemoStaff(
        "JF09",
        "韩雪",
        "receptionist",
        "第二党小组",
        None,
        "四级主任科员",
        "今日事今日毕，不让群众白跑一趟",
    ),
    DemoStaff(
        "JF10",
        "沈晓东",
        "supervisor",
        "第三党小组",
        "group_leader",
        "三级调研员",
        "逐案跟踪督办，件件有着落",
    ),
    DemoStaff(
        "JF11",
        "许振宇",
        "receptionist",
        "第三党小组",
        None,
        "二级主任科员",
        "笑脸相迎、真情相待、依法办理",
    ),
    DemoStaff(
        "JF12",
        "孙佳怡",
        "handler",
        "第三党小组",
        None,
        "一级科员",
        "让接访窗口成为群众上访的“最后一站”",
    ),
    DemoStaff(
        "JF13",
        "杨帆",
        "handler",
        "第三党小组",
        None,
        "四级主任科员",
        "心里装着群众，手上抓紧办理",
    ),
    DemoStaff("AD01", "郑洁", "admin", None, None, "系统管理员", "", party_member=False),
    DemoStaff("SJ01", "钱平", "auditor", None, None, "审计", "", party_member=False),
]

# 6-digit administrative codes of Jiangsu (GB/T 2260) used by the demo, with their names.
REGIONS: dict[str, str] = {
    "320102": "南京市玄武区",
    "320104": "南京市秦淮区",
    "320106": "南京市鼓楼区",
    "320115": "南京市江宁区",
    "320117": "南京市溧水区",
    "320205": "无锡市锡山区",
    "320213": "无锡市梁溪区",
    "320214": "无锡市新吴区",
    "320302": "徐州市鼓楼区",
    "320311": "徐州市泉山区",
    "320321": "徐州市丰县",
    "320382": "徐州市邳州市",
    "320411": "常州市新北区",
    "320412": "常州市武进区",
    "320481": "常州市溧阳市",
    "320505": "苏州市虎丘区",
    "320506": "苏州市吴中区",
    "320509": "苏州市吴江区",
    "320581": "苏州市常熟市",
    "320582": "苏州市张家港市",
    "320583": "苏州市昆山市",
    "320612": "南通市通州区",
    "320681": "南通市启东市",
    "320685": "南通市海安市",
    "320707": "连云港市赣榆区",
    "320803": "淮安市淮安区",
    "320812": "淮安市清江浦区",
    "320902": "盐城市亭湖区",
    "320981": "盐城市东台市",
    "321002": "扬州市广陵区",
    "321181": "镇江市丹阳市",
    "321202": "泰州市海陵区",
    "321281": "泰州市兴化市",
    "321302": "宿迁市宿城区",
}

_MOBILE_PREFIXES = tuple(
    str(p) for p in (*range(130, 134), *range(135, 140), 150, 151, 152, 153, 155, 156, 157, 158)
) + ("159", "177", "180", "181", "182", "185", "186", "187", "188", "189")


def gb11643_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an identity number."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def _id_number(rng: random.Random, region: str, born_year: int, female: bool) -> str:
    born = date(born_year, rng.randint(1, 12), rng.randint(1, 28))
    order = rng.randint(1, 499) * 2 - (0 if female else 1)  # odd: male, even: female
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + gb11643_check_digit(first17)


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


# --- the cases -----------------------------------------------------------------------------------


@dataclass
class StepCtx:
    """What a payload builder may read: the step's local date and earlier steps' dates."""

    today: date
    dates: dict[str, date]


Payload = Mapping[str, Any] | Callable[[StepCtx], Mapping[str, Any]] | None
#: (days before now, local time HH:MM, action, actor 工号, payload)
Step = tuple[int, str, str, str, Payload]


@dataclass
class DemoCase:
    """One demo case: who received it, what it is about, and what happened to it since."""

    key: str
    owner: str
    channel: str
    category: str
    region: str
    petitioner: str
    female: bool
    born: int
    street: str
    subject: str
    content: str
    requests: str
    intake_at: tuple[int, str]
    steps: list[Step] = field(default_factory=list)
    group_size: int = 1
    representatives: list[tuple[str, bool, int]] = field(default_factory=list)
    accused: dict[str, str] | None = None
    # Most petitioners reach the province holding the county's or the city's written opinion;
    # one who comes straight from a county's matter is a skip-level visit (越级访, 第二十条).
    handled_below: bool = True


def _transfer(organ: str) -> dict[str, str]:
    return {"organ": organ}


def _assign(organ: str, days: int) -> Callable[[StepCtx], dict[str, str]]:
    return lambda c: {"organ": organ, "report_by": (c.today + timedelta(days=days)).isoformat()}


def _partner_accepted(after_transfer: int) -> Callable[[StepCtx], dict[str, str]]:
    def build(c: StepCtx) -> dict[str, str]:
        transferred = c.dates["transfer"]
        on = min(c.today, transferred + timedelta(days=after_transfer))
        return {"accepted_on": max(on, transferred).isoformat()}

    return build


def _reply(outcome: str, opinion: str) -> dict[str, str]:
    return {"outcome": outcome, "opinion": opinion}


def _note(text: str) -> dict[str, str]:
    return {"text": text}


def _rate(rating: str, comment: str = "") -> dict[str, str]:
    return {"rating": rating, **({"comment": comment} if comment else {})}


CASES: list[DemoCase] = [
    # ---- registered (已登记) ----
    DemoCase(
        "R1",
        "JF03",
        "visit",
        "appeal",
        "320115",
        "王建国",
        False,
        1962,
        "秣陵街道将军大道218号",
        "征地拆迁补偿款未足额发放",
        "2025年所在村组集体土地被征收，签订补偿协议后，青苗补偿和地上附着物补偿款至今仍有4.6万元未发放，多次到街道询问无果。",
        "请求督促街道按协议足额发放补偿款。",
        (0, "09:20"),
    ),
    DemoCase(
        "R2",
        "JF07",
        "online",
        "suggestion",
        "320213",
        "李秀英",
        True,
        1958,
        "崇安寺街道健康路56号",
        "建议简化老旧小区加装电梯财政补贴审批",
        "所住小区为1990年代建成的六层住宅，居民已就加装电梯达成一致，但补贴申请需跑住建、规划、街道多个部门，材料重复提交。",
        "建议实行加装电梯补贴“一窗受理、并联审批”。",
        (3, "14:05"),
        [(1, "10:30", "note", "JF07", _note("已电话联系信访人，告知正在研判，近日答复是否受理。"))],
    ),
    DemoCase(
        "R3",
        "JF09",
        "letter",
        "appeal",
        "320382",
        "张志强",
        False,
        1971,
        "碾庄镇张楼村三组",
        "农村土地承包经营权确权争议",
        "2019年确权登记时，本户承包的2.3亩责任田被登记在邻户名下，村委会以“历史原因”为由不予更正。",
        "请求核实并更正土地承包经营权证登记信息。",
        (12, "10:40"),
    ),
    DemoCase(
        "R4",
        "JF11",
        "call",
        "appeal",
        "320981",
        "刘桂兰",
        True,
        1961,
        "东台镇海陵路101号",
        "养老保险缴费年限认定",
        "本人1979年至1992年在原县办集体企业工作，企业改制后档案缺失，社保部门不认定该段视同缴费年限，影响退休待遇。",
        "请求认定视同缴费年限并重新核定养老金。",
        (32, "15:10"),
        [(20, "11:00", "note", "JF11", _note("已向市人社局了解档案情况，等待对方书面回复。"))],
    ),
    # ---- accepted (已受理) ----
    DemoCase(
        "A1",
        "JF11",
        "visit",
        "appeal",
        "320506",
        "陈国平",
        False,
        1966,
        "东山镇太湖村五组",
        "太湖围网养殖拆除补偿标准",
        "太湖水域围网养殖拆除后，镇里按每亩统一标准补偿，养殖户认为未计算已投放的蟹苗和网具损失，三十余户养殖户到省里集体反映。",
        "请求按实际损失重新核定补偿，并解决转产就业问题。",
        (20, "09:05"),
        [
            (19, "16:00", "accept", "JF11", None),
            (
                12,
                "10:00",
                "note",
                "JF11",
                _note("随同处领导到吴中区集访现场进行政策解释和思想疏导，养殖户情绪平稳。"),
            ),
            (
                5,
                "15:30",
                "note",
                "JF11",
                _note("吴中区已成立工作专班，逐户核对养殖面积和投放凭证。"),
            ),
        ],
        group_size=36,
        representatives=[
            ("陈国平", False, 1966),
            ("金永林", False, 1959),
            ("朱阿珍", True, 1963),
            ("周福根", False, 1957),
            ("吴小妹", True, 1970),
        ],
    ),
    DemoCase(
        "A2",
        "JF04",
        "visit",
        "appeal",
        "320106",
        "杨明",
        False,
        1978,
        "湖南路街道湖南路12号",
        "建筑工地拖欠农民工劳动报酬",
        "在鼓楼区某住宅项目从事木工，总包单位以甲方未付工程款为由，拖欠本人及同班组9人工资共计21.8万元。",
        "请求督促总包单位支付拖欠工资。",
        (50, "10:15"),
        [
            (48, "09:30", "accept", "JF04", None),
            (
                30,
                "14:00",
                "note",
                "JF04",
                _note("已协调区人社局劳动监察大队立案调查，总包单位承诺分两期支付。"),
            ),
            # He comes back about the same wages: a repeat visit on this case (重复访), taken by
            # another receptionist; JF04 stays responsible and is told.
            (12, "10:30", "repeat_contact", "JF06", {"summary": "再次来访询问第二期工资支付进度"}),
            (3, "16:20", "note", "JF04", _note("第一期工资10万元已支付，第二期待核对考勤后支付。")),
        ],
        handled_below=False,
    ),
    DemoCase(
        "A3",
        "JF06",
        "letter",
        "appeal",
        "320412",
        "赵淑芬",
        True,
        1964,
        "湖塘镇人民中路88号",
        "企业改制职工身份置换补偿",
        "原武进某纺织厂2003年改制时，本人身份置换经济补偿金按当年工龄计算有误，少算工龄7年。",
        "请求按实际工龄重新核算身份置换补偿金。",
        (75, "11:00"),
        [
            (72, "09:40", "accept", "JF06", None),
            (
                20,
                "15:00",
                "extend",
                "JF02",
                {
                    "days": 30,
                    "reason": "需调取2003年改制档案并组织人社、国资部门会商，已告知信访人延期理由",
                },
            ),
            (4, "10:10", "note", "JF06", _note("区档案馆已调出改制职工花名册，正在逐人核对工龄。")),
        ],
    ),
    DemoCase(
        "A4",
        "JF07",
        "online",
        "appeal",
        "320583",
        "黄建军",
        False,
        1975,
        "玉山镇前进西路399号",
        "物业公司擅自上调物业费、违规使用维修基金",
        "小区物业公司未经业主大会表决将物业费由每平方米1.2元上调至1.8元，并动用专项维修资金更换门禁系统。",
        "请求责令物业公司恢复原收费标准、公开维修资金使用明细。",
        (80, "09:50"),
        [
            (78, "10:30", "accept", "JF07", None),
            (
                30,
                "14:40",
                "note",
                "JF07",
                _note("已函请昆山市住建局调查，对方答复正在组织业主代表座谈。"),
            ),
        ],
    ),
    DemoCase(
        "A5",
        "JF09",
        "call",
        "suggestion",
        "320612",
        "周玉梅",
        True,
        1982,
        "金沙街道新金西路66号",
        "建议增设通州湾至市区公交线路",
        "新建安置小区距最近公交站约2.5公里，老人和学生出行不便。",
        "建议增设或延伸公交线路。",
        (8, "10:20"),
        [
            (6, "11:10", "accept", "JF09", None),
            (
                5,
                "09:15",
                "reassign",
                "JF02",
                {
                    "to_staff_no": "JF06",
                    "reason": "原首接责任人与信访人系近亲属，依法回避",
                    "reason_code": "recusal",
                },
            ),
        ],
    ),
    # ---- transferred (已转送) ----
    DemoCase(
        "T1",
        "JF03",
        "visit",
        "appeal",
        "320205",
        "吴立新",
        False,
        1969,
        "东港镇黄土塘村",
        "宅基地使用权纠纷",
        "邻居翻建房屋时占用本户宅基地约30平方米，村委会调解未果，镇政府未作出处理决定。",
        "请求依法确认宅基地使用权界址。",
        (27, "14:30"),
        [
            (25, "10:00", "transfer", "JF03", _transfer("无锡市锡山区人民政府")),
            (20, "15:20", "record_partner_acceptance", "JF03", _partner_accepted(3)),
            (6, "10:40", "note", "JF03", _note("锡山区自然资源分局已组织现场勘测。")),
        ],
    ),
    DemoCase(
        "T2",
        "JF04",
        "letter",
        "accusation",
        "320104",
        "徐金宝",
        False,
        1955,
        "中华门街道长乐路45号",
        "检举社区干部违规为亲属办理最低生活保障",
        "检举某社区居委会副主任利用职务便利，为其不符合条件的亲属办理低保，并在低保公示中隐瞒家庭财产情况。",
        "请求依纪依法调查处理，并对检举人身份保密。",
        (22, "09:35"),
        [(21, "11:30", "transfer", "JF04", _transfer("南京市秦淮区纪委监委"))],
        accused={"name": "刘国栋", "unit": "秦淮区某街道社区居委会"},
    ),
    DemoCase(
        "T3",
        "JF10",
        "online",
        "appeal",
        "321281",
        "孙红霞",
        True,
        1980,
        "昭阳街道英武路20号",
        "化工企业夜间偷排废气",
        "居住小区附近一家化工企业经常在夜间排放刺鼻气体，居民门窗紧闭仍能闻到，多次拨打热线后仍未解决。",
        "请求对该企业依法查处，并公开监测数据。",
        (4, "16:00"),
        [(2, "10:30", "transfer", "JF10", _transfer("泰州市生态环境局"))],
    ),
    # ---- assigned (已交办) ----
    DemoCase(
        "S1",
        "JF06",
        "visit",
        "appeal",
        "320803",
        "胡德胜",
        False,
        1960,
        "车桥镇胡庄村二组",
        "征地补偿安置落实不到位",
        "2024年高速公路建设征用本组耕地，被征地农民养老保障安置名额分配不公，本人符合条件未被纳入。",
        "请求核查安置名单并纳入被征地农民社会保障。",
        (12, "10:50"),
        [(10, "15:00", "assign", "JF06", _assign("淮安市人民政府", 20))],
    ),
    DemoCase(
        "S2",
        "JF09",
        "letter",
        "appeal",
        "320902",
        "朱美华",
        True,
        1968,
        "文峰街道开放大道9号",
        "拖欠装修工程款",
        "本人承包亭湖区某学校装修工程，竣工验收已两年，建设单位仍拖欠工程款37万元，导致本人拖欠工人工资。",
        "请求督促建设单位结算并支付工程款。",
        (42, "09:25"),
        [(40, "14:10", "assign", "JF09", _assign("盐城市亭湖区人民政府", 30))],
    ),
    # ---- rejected (不予受理) ----
    DemoCase(
        "J1",
        "JF03",
        "visit",
        "appeal",
        "320311",
        "高春生",
        False,
        1973,
        "王陵街道和平大道7号",
        "民间借贷纠纷要求政府追讨欠款",
        "本人借给同村村民28万元，对方逾期未还，要求政府出面追讨。",
        "请求政府帮助追回借款。",
        (65, "10:05"),
        [
            (
                60,
                "15:40",
                "reject",
                "JF02",
                {
                    "reason_code": "litigation",
                    "guidance": "民间借贷纠纷属于人民法院受理范围，请携借条等证据向泉山区人民法院起诉；经济困难的可申请法律援助。",
                },
            )
        ],
    ),
    DemoCase(
        "J2",
        "JF07",
        "call",
        "appeal",
        "320214",
        "林海燕",
        True,
        1990,
        "旺庄街道长江路16号",
        "解除劳动合同经济补偿争议",
        "公司以“末位淘汰”为由解除劳动合同，仅支付一个月工资作为补偿。",
        "请求公司按法律规定支付经济补偿金。",
        (18, "11:20"),
        [(15, "10:00", "reject", "JF10", {"reason_code": "arbitration"})],
    ),
    # ---- replied (已答复) ----
    DemoCase(
        "P1",
        "JF04",
        "visit",
        "appeal",
        "320102",
        "何永福",
        False,
        1957,
        "玄武门街道北京东路41号",
        "拆迁安置房逾期交付",
        "2021年签订拆迁安置协议，约定安置房2024年底交付，至今未交房，过渡费也已停发。",
        "请求明确交房时间并续发过渡安置费。",
        (55, "09:45"),
        [
            (54, "10:30", "accept", "JF04", None),
            (30, "16:00", "note", "JF04", _note("玄武区征收办已确认交房计划，正在办理竣工验收。")),
            (
                8,
                "10:00",
                "reply",
                "JF05",
                _reply(
                    "support",
                    "经核查，安置房已于本月通过竣工验收，定于下月集中交付；逾期期间过渡费由征收部门补发。",
                ),
            ),
            (5, "15:00", "record_evaluation", "JF04", _rate("satisfied", "办得实在")),
        ],
    ),
    DemoCase(
        "P2",
        "JF07",
        "online",
        "suggestion",
        "321002",
        "郭丽娟",
        True,
        1986,
        "汶河街道文昌中路500号",
        "建议规范小区电动自行车集中充电设施建设",
        "小区居民飞线充电现象普遍，存在火灾隐患，建议统一建设充电棚。",
        "建议由街道牵头建设集中充电设施。",
        (30, "20:10"),
        [
            (29, "09:20", "accept", "JF07", None),
            (
                10,
                "14:30",
                "reply",
                "JF08",
                _reply(
                    "explain",
                    "您的建议已转广陵区政府研究，区里已将老旧小区充电设施纳入今年民生实事项目，分批建设。",
                ),
            ),
        ],
    ),
    DemoCase(
        "P3",
        "JF11",
        "letter",
        "appeal",
        "320707",
        "马文斌",
        False,
        1965,
        "海头镇海前村",
        "渔船燃油补贴未发放",
        "本人渔船证照齐全，去年渔业油价补贴至今未到账，镇农业服务中心称名单未报送。",
        "请求核实并发放渔业燃油补贴。",
        (40, "10:30"),
        [
            (39, "09:30", "assign", "JF11", _assign("连云港市赣榆区人民政府", 25)),
            (
                12,
                "15:30",
                "report_back",
                "JF11",
                {
                    "summary": "赣榆区农业农村局核实，因渔船信息变更未及时同步导致漏报，补贴已补发到位。"
                },
            ),
            (6, "10:00", "record_evaluation", "JF11", _rate("basically_satisfied")),
        ],
    ),
    DemoCase(
        "P4",
        "JF10",
        "online",
        "appeal",
        "321302",
        "罗秀珍",
        True,
        1959,
        "项里街道洪泽湖路128号",
        "异地就医医保报销比例争议",
        "在南京住院治疗后回宿迁报销，医保中心以未办理异地备案为由降低报销比例。",
        "请求按备案人员标准报销。",
        (52, "11:40"),
        [
            (50, "10:00", "transfer", "JF10", _transfer("宿迁市医疗保障局")),
            (47, "14:00", "record_partner_acceptance", "JF10", _partner_accepted(2)),
            (
                4,
                "16:10",
                "reply",
                "JF10",
                _reply(
                    "explain",
                    "宿迁市医疗保障局答复：急诊住院可补办备案，已为您补办并按备案人员标准重新结算。",
                ),
            ),
        ],
    ),
    # ---- under_review (复查中) ----
    DemoCase(
        "U1",
        "JF06",
        "visit",
        "appeal",
        "320581",
        "梁志刚",
        False,
        1958,
        "虞山街道海虞北路18号",
        "失地农民社会保障待遇",
        "本人土地2008年被征收，至今未纳入被征地农民基本生活保障。",
        "请求纳入被征地农民社会保障。",
        (100, "09:30"),
        [
            (99, "10:00", "accept", "JF06", None),
            (
                55,
                "15:00",
                "reply",
                "JF08",
                _reply(
                    "not_support",
                    "经核查，您的承包地2008年征收时已按当时政策一次性领取安置补助费，不符合纳入条件。",
                ),
            ),
            (37, "10:20", "request_review", "JF06", None),
            (20, "09:40", "note", "JF06", _note("已将复查请求及相关材料报苏州市信访局。")),
        ],
    ),
    DemoCase(
        "U2",
        "JF09",
        "call",
        "appeal",
        "320302",
        "宋桂芳",
        True,
        1972,
        "黄楼街道中山北路23号",
        "住房公积金提取被拒",
        "本人因患重大疾病申请提取公积金，管理中心以材料不全为由拒绝。",
        "请求准予提取住房公积金。",
        (70, "14:00"),
        [
            (69, "09:10", "accept", "JF09", None),
            (
                30,
                "10:30",
                "reply",
                "JF12",
                _reply("explain", "经与徐州市公积金中心核实，补齐三级医院诊断证明后即可办理提取。"),
            ),
            (12, "11:00", "request_review", "JF09", None),
        ],
    ),
    # ---- review_replied (已复查) ----
    DemoCase(
        "V1",
        "JF03",
        "visit",
        "appeal",
        "320505",
        "郑海涛",
        False,
        1967,
        "狮山街道长江路199号",
        "房屋征收评估价格异议",
        "本人房屋被征收，评估单价明显低于周边同类房屋成交价格，申请复核评估未获回应。",
        "请求重新评估房屋价值。",
        (118, "10:10"),
        [
            (117, "09:30", "accept", "JF03", None),
            (
                75,
                "16:00",
                "reply",
                "JF05",
                _reply(
                    "explain",
                    "评估由依法选定的评估机构作出，程序合法；对评估结果有异议可申请专家委员会鉴定。",
                ),
            ),
            (60, "10:00", "request_review", "JF03", None),
            (
                20,
                "14:20",
                "reply_review",
                "JF05",
                {"opinion": "复查认为原处理意见认定事实清楚、适用政策正确，予以维持。"},
            ),
            (15, "10:30", "record_evaluation", "JF03", _rate("dissatisfied", "评估价偏低")),
        ],
    ),
    DemoCase(
        "V2",
        "JF11",
        "letter",
        "appeal",
        "320411",
        "谢玉兰",
        True,
        1976,
        "三井街道通江中路600号",
        "工伤认定争议",
        "丈夫在上班途中发生交通事故死亡，人社部门以事故责任认定不明确为由不予认定工伤。",
        "请求依法认定工伤。",
        (90, "09:55"),
        [
            (89, "10:30", "accept", "JF11", None),
            (
                50,
                "15:10",
                "reply",
                "JF13",
                _reply(
                    "not_support", "交通事故责任认定书尚未作出，工伤认定依法中止，待认定后恢复。"
                ),
            ),
            (35, "09:50", "request_review", "JF11", None),
            (
                7,
                "16:00",
                "reply_review",
                "JF13",
                {"opinion": "交警部门已作出非本人主要责任的认定，复查意见：支持恢复工伤认定程序。"},
            ),
        ],
    ),
    # ---- under_reexamination (复核中) ----
    DemoCase(
        "X1",
        "JF06",
        "visit",
        "appeal",
        "320509",
        "韩国强",
        False,
        1963,
        "松陵街道中山南路1号",
        "拆迁补偿安置面积认定",
        "本户房屋被征收时，附属用房未计入安置面积，与同组其他户处理标准不一致。",
        "请求将附属用房计入安置面积。",
        (120, "10:40"),
        [
            (119, "09:20", "accept", "JF06", None),
            (
                85,
                "15:00",
                "reply",
                "JF08",
                _reply("not_support", "附属用房系2015年后未经批准搭建，依法不予计入安置面积。"),
            ),
            (70, "10:00", "request_review", "JF06", None),
            (
                45,
                "14:30",
                "reply_review",
                "JF08",
                {"opinion": "复查维持原处理意见。"},
            ),
            (25, "09:40", "request_reexamination", "JF06", None),
            (15, "09:00", "start_hearing", "JF08", None),
            (13, "17:00", "end_hearing", "JF08", None),
        ],
    ),
    DemoCase(
        "X2",
        "JF10",
        "online",
        "appeal",
        "321181",
        "唐秋菊",
        True,
        1979,
        "云阳街道金陵西路7号",
        "生猪养殖场异味扰民",
        "村旁规模化养猪场粪污处理不到位，夏季异味严重，影响周边三百余户居民生活。",
        "请求责令养殖场整改或搬迁。",
        (110, "15:20"),
        [
            (108, "09:00", "accept", "JF10", None),
            (
                70,
                "10:30",
                "reply",
                "JF12",
                _reply("support", "已责令养殖场限期完成粪污处理设施改造，环保部门每月监测。"),
            ),
            (55, "14:00", "request_review", "JF10", None),
            (
                30,
                "10:10",
                "reply_review",
                "JF12",
                {"opinion": "复查确认整改基本完成，监测指标达标，维持原处理意见。"},
            ),
            (10, "09:30", "request_reexamination", "JF10", None),
            (2, "14:00", "start_hearing", "JF12", None),
        ],
    ),
    # ---- closed (已办结) ----
    DemoCase(
        "C1",
        "JF04",
        "visit",
        "appeal",
        "320117",
        "冯建平",
        False,
        1960,
        "永阳街道珍珠南路31号",
        "养老保险待遇核定",
        "退休后基本养老金核定时，未计入本人1990年代的军龄，养老金偏低。",
        "请求将军龄计入视同缴费年限。",
        (115, "10:00"),
        [
            (114, "09:30", "accept", "JF04", None),
            (
                80,
                "15:00",
                "reply",
                "JF05",
                _reply(
                    "support",
                    "经核实退役证明，军龄已计入视同缴费年限，养老金自次月起重新核定并补发差额。",
                ),
            ),
            (78, "10:00", "record_evaluation", "JF04", _rate("satisfied")),
            (76, "16:00", "close", "JF04", None),
        ],
    ),
    DemoCase(
        "C2",
        "JF09",
        "call",
        "suggestion",
        "320685",
        "于小红",
        True,
        1984,
        "城东镇新湖村",
        "建议修缮村组道路",
        "村组主干道年久失修，雨天泥泞，学生上学不便。",
        "建议纳入农村公路提档升级计划。",
        (105, "11:00"),
        [
            (104, "09:30", "accept", "JF09", None),
            (
                90,
                "14:00",
                "reply",
                "JF08",
                _reply("explain", "海安市交通运输局已将该路段纳入明年农村公路提档升级计划。"),
            ),
            (88, "10:30", "record_evaluation", "JF09", _rate("satisfied")),
            (87, "09:30", "close", "JF09", None),
        ],
    ),
    DemoCase(
        "C3",
        "JF07",
        "letter",
        "appeal",
        "320681",
        "董大伟",
        False,
        1970,
        "吕四港镇东兴村",
        "滩涂养殖水域使用权纠纷",
        "本人承包的滩涂养殖区被划入港口建设范围，补偿未按承包合同剩余年限计算。",
        "请求按合同剩余年限补偿。",
        (119, "09:40"),
        [
            (118, "10:20", "accept", "JF07", None),
            (
                90,
                "15:00",
                "reply",
                "JF13",
                _reply("explain", "补偿标准符合省定海域滩涂补偿办法，剩余年限已按比例计入。"),
            ),
            (80, "10:00", "request_review", "JF07", None),
            (
                55,
                "16:00",
                "reply_review",
                "JF13",
                {"opinion": "复查认为补偿计算无误，维持原意见，并协调增加转产培训名额。"},
            ),
            (50, "10:00", "record_evaluation", "JF07", _rate("basically_satisfied")),
            (48, "15:30", "close", "JF07", None),
        ],
    ),
    DemoCase(
        "C4",
        "JF03",
        "visit",
        "appeal",
        "320213",
        "萧春花",
        True,
        1953,
        "广益街道广石路88号",
        "小区电梯长期故障维修无人负责",
        "小区两部电梯故障停运三个月，物业与业委会互相推诿，维修资金申请迟迟未批。",
        "请求尽快维修电梯。",
        (95, "10:30"),
        [
            (94, "09:10", "accept", "JF03", None),
            (
                45,
                "15:20",
                "reply",
                "JF05",
                _reply("support", "梁溪区住建局已应急启用维修资金，两部电梯已恢复运行。"),
            ),
            (40, "10:00", "record_evaluation", "JF03", _rate("satisfied", "电梯修好了，谢谢")),
        ],
    ),
    DemoCase(
        "C5",
        "JF06",
        "online",
        "appeal",
        "320481",
        "程立国",
        False,
        1988,
        "溧城街道燕山中路15号",
        "劳动报酬拖欠",
        "在溧阳某电子厂工作，工厂停产后拖欠最后两个月工资1.3万元。",
        "请求督促企业支付工资。",
        (85, "21:30"),
        [
            (84, "09:20", "accept", "JF06", None),
            (
                40,
                "14:00",
                "reply",
                "JF08",
                _reply(
                    "explain", "企业已进入破产程序，拖欠工资列入优先受偿，请向破产管理人申报债权。"
                ),
            ),
            (
                38,
                "10:00",
                "record_evaluation",
                "JF06",
                _rate("dissatisfied", "不知道什么时候能拿到钱"),
            ),
        ],
    ),
    DemoCase(
        "C6",
        "JF11",
        "visit",
        "appeal",
        "320582",
        "曹丽华",
        True,
        1975,
        "杨舍镇人民中路10号",
        "企业夜间生产噪声扰民",
        "住宅旁一家五金厂夜间生产，噪声持续至凌晨，严重影响休息。",
        "请求依法查处噪声污染。",
        (103, "10:00"),
        [
            (101, "15:00", "transfer", "JF11", _transfer("张家港市人民政府")),
            (98, "10:00", "record_partner_acceptance", "JF11", _partner_accepted(2)),
            (
                60,
                "16:00",
                "reply",
                "JF11",
                _reply(
                    "support",
                    "张家港市生态环境局已对该厂立案处罚，企业已调整生产时段并加装隔音设施。",
                ),
            ),
            (58, "10:00", "record_evaluation", "JF11", _rate("basically_satisfied")),
            (57, "11:00", "close", "JF11", None),
        ],
    ),
    DemoCase(
        "C7",
        "JF07",
        "online",
        "appeal",
        "320106",
        "袁志明",
        False,
        1983,
        "宁海路街道北京西路50号",
        "学区划分调整争议",
        "小区今年被调出原对口小学学区，业主购房时开发商宣传为该学区。",
        "请求恢复原学区划分。",
        (112, "19:45"),
        [
            (111, "09:30", "accept", "JF07", None),
            (
                88,
                "15:00",
                "reply",
                "JF12",
                _reply(
                    "explain",
                    "学区划分依据生源和学位情况每年调整，开发商宣传问题可向市场监管部门反映。",
                ),
            ),
            (70, "10:00", "request_review", "JF07", None),
            (
                40,
                "16:00",
                "reply_review",
                "JF12",
                {"opinion": "复查维持原处理意见。"},
            ),
        ],
    ),
    # ---- concluded (已终结) ----
    DemoCase(
        "K1",
        "JF03",
        "visit",
        "appeal",
        "320115",
        "邓秀兰",
        True,
        1956,
        "东山街道上元大街300号",
        "征地补偿标准争议",
        "认为本组土地征收补偿标准低于相邻街道同类土地，要求提高补偿标准。",
        "请求按相邻街道标准补偿。",
        (119, "09:15"),
        [
            (118, "10:00", "accept", "JF03", None),
            (
                90,
                "15:00",
                "reply",
                "JF05",
                _reply("not_support", "补偿标准执行省政府公布的区片综合地价，相邻街道属不同区片。"),
            ),
            (80, "10:00", "request_review", "JF03", None),
            (55, "16:00", "reply_review", "JF05", {"opinion": "复查维持原处理意见。"}),
            (45, "10:00", "request_reexamination", "JF03", None),
            (35, "09:00", "start_hearing", "JF05", None),
            (34, "17:00", "end_hearing", "JF05", None),
            (
                20,
                "15:00",
                "reply_reexamination",
                "JF05",
                {"opinion": "经听证和复核，原处理意见和复查意见正确，予以维持；本信访事项终结。"},
            ),
            (18, "10:00", "record_evaluation", "JF03", _rate("dissatisfied")),
        ],
    ),
    DemoCase(
        "K2",
        "JF09",
        "letter",
        "appeal",
        "320321",
        "许长根",
        False,
        1949,
        "凤城街道中阳大道8号",
        "退役军人优抚待遇",
        "本人系参战退役军人，认为定期生活补助未按最新标准调整。",
        "请求按新标准发放补助并补发差额。",
        (116, "09:30"),
        [
            (116, "15:00", "accept", "JF09", None),
            (
                86,
                "10:00",
                "reply",
                "JF13",
                _reply("support", "经核查，丰县退役军人事务局已按新标准调整并补发差额。"),
            ),
            (76, "10:30", "request_review", "JF09", None),
            (
                56,
                "15:00",
                "reply_review",
                "JF13",
                {"opinion": "复查认为补发期间计算正确。"},
            ),
            (50, "10:00", "request_reexamination", "JF09", None),
            (
                24,
                "15:30",
                "reply_reexamination",
                "JF13",
                {"opinion": "复核维持复查意见；本信访事项终结。"},
            ),
            (20, "10:00", "record_evaluation", "JF09", _rate("basically_satisfied")),
        ],
    ),
    # ---- withdrawn (已撤回) ----
    DemoCase(
        "W1",
        "JF04",
        "call",
        "appeal",
        "320812",
        "傅桂英",
        True,
        1962,
        "淮海街道淮海南路77号",
        "小区停车费收费争议",
        "物业公司对业主自有车位收取管理费，标准未经物价部门备案。",
        "请求停止收取车位管理费。",
        (60, "15:00"),
        [
            (59, "09:40", "accept", "JF04", None),
            (45, "10:20", "withdraw", "JF04", None),
        ],
    ),
    DemoCase(
        "W2",
        "JF10",
        "visit",
        "appeal",
        "321202",
        "沈国庆",
        False,
        1979,
        "城中街道鼓楼路15号",
        "拖欠劳动报酬",
        "在某餐饮企业工作，离职后企业拖欠工资8600元。",
        "请求督促企业支付工资。",
        (35, "10:10"),
        [(33, "14:00", "withdraw", "JF10", None)],
    ),
    # ---- more open cases, for the desks and the ladder ----
    DemoCase(
        "A6",
        "JF03",
        "letter",
        "appeal",
        "320102",
        "曾晓燕",
        True,
        1985,
        "新街口街道中山路268号",
        "网络平台预付卡退费难",
        "在某健身平台购买年卡后门店关闭，平台拒绝退费。",
        "请求协调退还剩余预付费用。",
        (45, "10:00"),
        [(44, "09:30", "accept", "JF03", None)],
    ),
    DemoCase(
        "T4",
        "JF06",
        "call",
        "appeal",
        "321202",
        "彭德明",
        False,
        1961,
        "凤凰街道永定路36号",
        "棚户区改造安置房产权证办理",
        "安置房交付已五年，至今未办理不动产权证。",
        "请求尽快办理不动产权证。",
        (33, "10:40"),
        [
            (31, "15:00", "transfer", "JF06", _transfer("泰州市海陵区人民政府")),
            (26, "10:00", "record_partner_acceptance", "JF06", _partner_accepted(4)),
        ],
    ),
    DemoCase(
        "R5",
        "JF04",
        "online",
        "suggestion",
        "320104",
        "吕海英",
        True,
        1992,
        "夫子庙街道平江府路6号",
        "建议增加社区养老助餐点",
        "社区独居老人多，最近的助餐点步行需二十分钟。",
        "建议在社区服务中心增设助餐点。",
        (1, "19:30"),
    ),
]


# --- building ------------------------------------------------------------------------------------


def _avatar(name: str, color: str) -> bytes:
    """A placeholder portrait: the member's surname on a coloured disc (SVG, no script)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="300" viewBox="0 0 240 300">'
        f'<rect width="240" height="300" fill="#f4f1ea"/><circle cx="120" cy="130" r="90" fill="{color}"/>'
        '<text x="120" y="160" font-size="88" text-anchor="middle" fill="#fff" '
        f'font-family="Noto Sans CJK SC, sans-serif">{name[0]}</text>'
        '<rect y="250" width="240" height="50" fill="#c8102e"/></svg>'
    ).encode()


_COLORS = ("#8c2f39", "#1d4e89", "#2d6a4f", "#6a4c93", "#b5651d")


def _at(day: date, hhmm: str, tz: Any) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    # In UTC: the audit hash prints an event's instant as UTC ("…Z") without converting it.
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def _working_on_or_before(day: date, cal: OfficialCalendar) -> date:
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    return day


def _schedule(
    case: DemoCase, now: datetime, cal: OfficialCalendar, tz: Any
) -> list[tuple[datetime, str, str, Payload]]:
    """The case's steps at real instants: on working days (evening online and call intakes keep
    their hour), strictly increasing, and all before ``now``."""
    today = local_date(now, tz)
    raw = [(case.intake_at[0], case.intake_at[1], "intake", case.owner, None), *case.steps]
    out: list[tuple[datetime, str, str, Payload]] = []
    for days_ago, hhmm, action, actor, payload in raw:
        day = today - timedelta(days=days_ago)
        if not (action == "intake" and case.channel == "online"):
            day = _working_on_or_before(day, cal)
        when = _at(day, hhmm, tz)
        if when >= now:  # the hour has not come yet today: the previous working day
            when = _at(_working_on_or_before(day - timedelta(days=1), cal), hhmm, tz)
        out.append((when, action, actor, payload))
    # Keep the order of the script, whatever the snapping did (a step snapped back before the
    # previous one moves to its hour on the next working day), and finish before now.
    for i in range(1, len(out)):
        prev = out[i - 1][0]
        if out[i][0] <= prev:
            hhmm = raw[i][1]
            day = local_date(prev, tz)
            when = _at(day, hhmm, tz)
            if when <= prev:
                day += timedelta(days=1)
                while not cal.is_working_day(day):
                    day += timedelta(days=1)
                when = _at(day, hhmm, tz)
            out[i] = (when, *out[i][1:])
    limit = now - timedelta(minutes=1)
    for i in range(len(out) - 1, -1, -1):
        if out[i][0] > limit:
            out[i] = (limit, *out[i][1:])
        limit = out[i][0] - timedelta(minutes=5)
    return out


def _intake_body(case: DemoCase, rng: random.Random, received_at: datetime) -> dict[str, Any]:
    place = REGIONS[case.region]
    body: dict[str, Any] = {
        "channel": case.channel,
        "category": case.category,
        "petitioner": {
            "name": case.petitioner,
            "id_number": _id_number(rng, case.region, case.born, case.female),
            "phone": _mobile(rng),
            "address": place + case.street,
        },
        "region_code": case.region,
        "subject": case.subject,
        "content": case.content,
        "requests": case.requests,
        "received_at": received_at.isoformat(),
    }
    if case.group_size > 1:
        body["group_size"] = case.group_size
        body["representatives"] = [
            {
                "name": name,
                "id_number": _id_number(rng, case.region, born, female),
                "phone": _mobile(rng),
                "address": place + case.street,
            }
            for name, female, born in case.representatives
        ]
    if case.accused:
        body["accused"] = dict(case.accused)
    return body


def _add_staff(conn: Any, now: datetime, password_hash: str) -> int:
    added = 0
    staff_t = tables.staff_t
    for i, s in enumerate(STAFF):
        if conn.execute(select(staff_t.c.id).where(staff_t.c.staff_no == s.staff_no)).first():
            continue
        staff_id = roster.add_staff(
            conn,
            staff_no=s.staff_no,
            name=s.name,
            role=s.role,
            group=s.group,
            post=s.post,
            pledge=s.pledge,
            title=s.title,
            password_hash=password_hash,
            email=f"{s.staff_no.lower()}@shoujie.example.com",
            now=now,
        )
        values: dict[str, Any] = {"party_member": s.party_member}
        if s.party_member:
            values["photo"] = _avatar(s.name, _COLORS[i % len(_COLORS)])
            values["photo_type"] = "image/svg+xml"
        conn.execute(update(staff_t).where(staff_t.c.id == staff_id).values(**values))
        added += 1
    return added


def load_demo(engine: Engine, rt: Runtime, *, now: datetime) -> str:
    """Build the demo office and its cases as of ``now``; return a Chinese summary with the logins.

    Safe to call twice: on a database that already holds cases it changes nothing.
    """
    from api.auth import hash_password  # argon2: hashed once, shared by every demo login

    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    tz = rt.tz
    with engine.begin() as conn:
        if reading.case_count(conn) > 0:
            return "数据库中已有信访件，未载入演示数据 / database not empty, demo not loaded"
        cal = rt.calendar(conn)
        steps: list[tuple[datetime, int, int, str, str, Payload]] = []
        for ci, case in enumerate(CASES):
            for si, (when, action, actor, payload) in enumerate(_schedule(case, now, cal, tz)):
                steps.append((when, ci, si, action, actor, payload))
        steps.sort(key=lambda s: (s[0], s[1], s[2]))
        setup_at = min(s[0] for s in steps) - timedelta(days=1)

        office_t = Office.__table__
        if conn.execute(select(func.count()).select_from(office_t)).scalar_one() == 0:
            conn.execute(
                insert(office_t),
                {
                    "name": OFFICE_NAME,
                    "level": "province",
                    "region_code": "320000",
                    # The statistics and the transfer offer name the regions, not only their codes.
                    "policy": {"jurisdiction": {"regions": dict(REGIONS)}},
                },
            )
        for group in GROUPS:
            roster.ensure_group(conn, branch=BRANCH, group=group)
        _add_staff(conn, setup_at, hash_password(DEMO_PASSWORD))

        rng = random.Random(20190601)
        case_nos: dict[int, str] = {}
        bodies: dict[int, dict[str, Any]] = {}
        dates: dict[int, dict[str, date]] = {}
        for when, ci, _si, action, actor, payload in steps:
            case = CASES[ci]
            today = local_date(when, tz)
            if action == "intake":
                received = when
                if case.channel == "letter":  # the post came in the afternoon before
                    previous = local_date(when, tz) - timedelta(days=1)
                    received = _at(_working_on_or_before(previous, cal), "16:30", tz)
                bodies[ci] = _intake_body(case, rng, received)
                result = intake.intake(
                    conn,
                    rt,
                    body=bodies[ci],
                    actor_staff_no=actor,
                    now=when,
                    handled_below=case.handled_below,
                )
                case_nos[ci] = result["case_no"]
                dates[ci] = {}
            elif action == "repeat_contact":
                contacts.record_repeat(
                    conn,
                    rt,
                    case_no=case_nos[ci],
                    body={**bodies[ci], "received_at": when.isoformat()},
                    actor_staff_no=actor,
                    now=when,
                    summary=str((payload or {}).get("summary", "")),
                    handled_below=case.handled_below,
                )
            else:
                ctx = StepCtx(today=today, dates=dates[ci])
                data = payload(ctx) if callable(payload) else dict(payload or {})
                actions.act(
                    conn,
                    rt,
                    case_no=case_nos[ci],
                    action=action,
                    actor_staff_no=actor,
                    payload=data,
                    now=when,
                )
            dates[ci].setdefault(action, today)

    swept = sweep(engine, rt, now=now)

    with engine.begin() as conn:
        states = Counter(
            dict(
                conn.execute(
                    select(tables.case_t.c.state, func.count()).group_by(tables.case_t.c.state)
                ).all()
            )
        )
        esc = tables.escalation_t
        escalations = Counter(
            dict(
                conn.execute(
                    select(esc.c.level, func.count())
                    .where(esc.c.status == "open")
                    .group_by(esc.c.level)
                ).all()
            )
        )
    return _summary(states, escalations, swept, now, tz)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Left-align text to a display width (a Chinese character takes two columns)."""
    return text + " " * max(0, width - _width(text))


def _summary(
    states: Mapping[str, int],
    escalations: Mapping[str, int],
    swept: Mapping[str, Any],
    now: datetime,
    tz: Any,
) -> str:
    members = sum(1 for s in STAFF if s.party_member)
    lines = [
        f"演示数据已载入：{OFFICE_NAME}（省级，行政区划代码320000），"
        f"时间截至 {now.astimezone(tz):%Y-%m-%d %H:%M}",
        f"{BRANCH}：{len(GROUPS)}个党小组，{members}名党员，落实首接负责制",
        *(f"  {group}（{topic}）" for group, topic in GROUPS.items()),
        "",
        f"演示登录（用户名为工号，密码均为 {DEMO_PASSWORD}）：",
        "  "
        + _pad("工号", 6)
        + _pad("姓名", 8)
        + _pad("岗位", 24)
        + _pad("党内职务", 10)
        + "党小组",
    ]
    for s in STAFF:
        post = POST_LABELS.get(s.post or "", "党员" if s.party_member else "—")
        role = f"{ROLE_LABELS[s.role]} {s.role}"
        lines.append(
            "  "
            + _pad(s.staff_no, 6)
            + _pad(s.name, 8)
            + _pad(role, 24)
            + _pad(post, 10)
            + (s.group or "—")
        )
    lines += ["", f"信访件 {sum(states.values())} 件，按状态："]
    for state in State:
        label = _pad(STATE_LABELS[state], 10) + _pad(state.value, 21)
        lines.append(f"  {label}{states.get(state.value, 0):>3}")
    fired = swept["fired"]
    lines += [
        "",
        f"SLA 巡检一次：检查 {swept['examined']} 个到点时钟，期满办结 {swept['closed_on_lapse']} 件；"
        + "触发 "
        + "、".join(f"{LEVEL_LABELS[k]} {v}" for k, v in fired.items()),
        "督办队列（未处理）："
        + "、".join(f"{LEVEL_LABELS[k]} {escalations.get(k, 0)}" for k in LEVEL_LABELS),
    ]
    return "\n".join(lines)


__all__ = ["load_demo", "CASES", "STAFF", "DEMO_PASSWORD", "gb11643_check_digit"]
