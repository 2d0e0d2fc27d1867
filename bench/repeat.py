"""Repeat detection: precision and recall on a labelled set, and candidate look-up time at scale.

``python -m bench.repeat [--cases 1000000] [--people 1500] [--seed 11] [--db sqlite|postgresql]
[--keep FILE]`` (``--keep``: build the SQLite database in FILE once and reuse it afterwards).

The labelled set is generated: Faker zh_CN people (names, GB 11643 identity numbers, mobile
numbers), matters of fifteen kinds each written several ways (different subjects, sentences,
synonyms a receptionist or petitioner would use, details left out or added), and near-misses on
purpose:

- **repeat** (positive): the same person comes back about the same matter, reworded; sometimes
  without the identity number (found by name + phone), with a new phone, or with the region typed
  at city level;
- **same person, same kind, other matter**: another employer's arrears, another plot, another year;
- **same person, another kind of matter**;
- **namesake**: same name, another identity number and phone, the same kind of matter;
- **neighbour or colleague**: another person about the very same matter (a group's members);
- **family member**: same phone, another name, the same matter.

Each query is answered by ``cases.repeat.candidates.find`` against a database holding the labelled
people's earlier cases among ``--cases`` background cases of the same kinds (a pool of analysed
matters spread over sixty regions). The detector's answer is the first candidate it marks as a
likely repeat; precision = right answers ÷ answers given, recall = right answers ÷ repeats.
Look-up time is measured per query on that database. Targets: recall ≥ 0.95 at precision ≥ 0.9,
look-up ≤ 50 ms.
"""

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import Engine, insert, select, text

import cases.models  # noqa: F401  (registers the tables)
from bench.common import Backend, backends, engine_for, local, runtime, setup_office
from cases.casework import reading
from cases.crypto import FieldCipher
from cases.db import upgrade
from cases.models import CaseKeyword
from cases.repeat import candidates, index
from cases.repeat.matter import matter_vector
from cases.store import tables
from workflow.intake import ValidIntake, ValidPerson, mask_id_number, mask_phone

TARGET_RECALL = 0.95
TARGET_PRECISION = 0.90
TARGET_MS = 50.0
NOW = local("2026-11-26 10:00")

# Sixty regions of one province's cities and counties (the office is the province, 320000).
REGIONS = [f"32{c:02d}{d:02d}" for c in range(1, 13) for d in (2, 4, 5, 6, 11)]

GENERIC_SENTENCES = [
    "多次到街道和区里反映，均无结果。",
    "我已经来过好几次了，一直没人管。",
    "希望领导重视，尽快给个说法。",
    "家里生活困难，实在没有办法才来上访。",
    "之前打过12345热线，答复说在处理。",
    "这件事拖了很久，严重影响我们一家的生活。",
    "",
    "",
]


# --- matters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of matter: how its particulars are drawn and the ways it is written."""

    name: str
    category: str
    slots: Callable[[random.Random, Faker], dict[str, str]]
    subjects: list[str]
    contents: list[str]
    requests: list[str]


def _amount(rng: random.Random) -> str:
    return str(rng.choice([3, 5, 8, 12, 15, 20, 26, 30, 45, 60]) * 1000 + rng.randint(0, 9) * 100)


def _year(rng: random.Random) -> str:
    return str(rng.randint(2018, 2025))


#: Characters of shop and estate names (鑫泰, 瑞博…): particulars vary as much as they do in life.
TRADE_CHARS = (
    "华鑫泰恒瑞盛博远达隆兴宏昌丰源瀚景嘉辰德福禾鸿汇佳金锦骏凯康坤朗联茂铭诺鹏启"
    "荣森胜舜腾天万旺伟祥新信星旭亚耀怡益银永宇裕元振正智中众卓东南海江山川湖岳"
)


def _trade(rng: random.Random) -> str:
    return "".join(rng.sample(TRADE_CHARS, 2))


def _community(rng: random.Random, fk: Faker) -> str:
    return _trade(rng) + rng.choice(["花园", "新村", "家园", "小区", "苑", "公寓"])


def _village(rng: random.Random, fk: Faker) -> str:
    return fk.last_name() + rng.choice(["家庄", "家村", "庄村", "湾村", "岗村", "家洼"])


def _company(rng: random.Random, fk: Faker) -> str:
    return _trade(rng) + rng.choice(
        [
            "建筑工程有限公司",
            "机械制造有限公司",
            "物流有限公司",
            "餐饮管理有限公司",
            "电子科技有限公司",
        ]
    )


KINDS: list[Kind] = [
    Kind(
        "wages",
        "appeal",
        lambda r, f: {
            "company": _company(r, f),
            "year": _year(r),
            "months": str(r.randint(2, 9)),
            "amount": _amount(r),
        },
        [
            "{company}拖欠工资",
            "讨要{company}欠薪",
            "{company}拖欠{months}个月工资",
            "反映{company}不发工资",
            "{company}欠工钱不给",
        ],
        [
            "本人{year}年在{company}工作，公司拖欠工资{months}个月共计{amount}元，多次讨要无果。",
            "我在{company}上班，从{year}年起公司就不发工资，已经欠了{months}个月，合计{amount}元。",
            "{company}从{year}年开始拖欠我的劳动报酬，一共{amount}元，找老板总说没钱。",
            "{year}年我给{company}干活，{months}个月的工钱到现在没拿到，劳动监察也没有结果。",
        ],
        ["要求{company}支付拖欠工资", "请帮助讨回{amount}元工资", "督促{company}尽快发放工钱"],
    ),
    Kind(
        "demolition",
        "appeal",
        lambda r, f: {
            "project": _trade(r) + r.choice(["路地块", "片区", "棚户区", "村地块"]),
            "year": _year(r),
            "area": str(r.randint(40, 180)),
            "amount": str(r.randint(20, 120) * 10000),
        },
        [
            "{project}拆迁补偿款未发放",
            "{project}征收补偿不到位",
            "{project}拆迁款至今未兑现",
            "反映{project}房屋征收补偿问题",
        ],
        [
            "{year}年{project}拆迁，我家房屋{area}平方米，签订补偿协议后补偿款{amount}元至今未到位。",
            "我家在{project}，{year}年被征收，说好的补偿金{amount}元到现在没给。",
            "{project}动迁时承诺的补偿款一直拖着不发，我家{area}平米的房子{year}年就拆了。",
            "{year}年{project}征收我家{area}平方米住房，协议约定的{amount}元补偿没有支付。",
        ],
        ["尽快发放拆迁补偿款", "要求按协议兑现补偿", "落实{project}征收补偿"],
    ),
    Kind(
        "property",
        "appeal",
        lambda r, f: {
            "community": _community(r, f),
            "pm": _trade(r) + "物业",
            "months": str(r.randint(2, 12)),
        },
        [
            "{community}电梯坏了物业不修",
            "投诉{pm}不修电梯",
            "{community}物业不作为",
            "{community}电梯长期停用",
        ],
        [
            "{community}的{pm}公司不履行职责，电梯坏了{months}个月没人修，老人上下楼很困难。",
            "我住{community}，{pm}收了物业费却不管事，电梯停了{months}个月一直不修。",
            "{community}小区电梯停用{months}个月，{pm}以没钱为由拒绝维修，业主多次投诉没有回应。",
        ],
        ["要求物业尽快修好电梯", "督促{pm}履行维修义务", "解决{community}电梯停用问题"],
    ),
    Kind(
        "noise",
        "suggestion",
        lambda r, f: {"community": _community(r, f), "company": _company(r, f)},
        [
            "{community}旁工地夜间施工扰民",
            "{company}夜间施工噪音",
            "投诉{community}附近施工噪声",
        ],
        [
            "{company}在{community}旁边的工地每天晚上施工到凌晨，噪音很大，居民无法休息。",
            "{community}附近{company}的工地夜里还在打桩，噪声扰民严重，老人孩子睡不着。",
            "晚上十点以后{company}仍在{community}边上施工，机器轰鸣，影响周边居民休息。",
        ],
        ["要求禁止夜间施工", "查处{company}违规施工", "还{community}居民安静"],
    ),
    Kind(
        "illegal_building",
        "suggestion",
        lambda r, f: {"community": _community(r, f), "building": str(r.randint(1, 40))},
        [
            "举报{community}{building}栋楼顶违建",
            "{community}{building}栋私搭乱建",
            "{community}楼顶违章建筑无人管",
        ],
        [
            "{community}{building}栋顶楼住户在楼顶搭建了彩钢房，属于违章建筑，存在安全隐患。",
            "{community}{building}栋有人私自在楼顶加盖房屋，城管来看过但一直没有拆除。",
            "我们{community}{building}栋楼顶被人违法建设了两间房，漏水影响楼下住户。",
        ],
        ["依法拆除违建", "要求城管查处{community}违章建筑", "拆除{building}栋楼顶加盖"],
    ),
    Kind(
        "pension",
        "appeal",
        lambda r, f: {"year": _year(r), "unit": _company(r, f), "month": str(r.randint(1, 12))},
        ["养老金被停发", "{unit}退休人员养老金停发", "退休金{year}年起停发", "反映养老金停发问题"],
        [
            "我从{unit}退休，{year}年{month}月起养老金被停发，社保部门说档案资料不全。",
            "本人原在{unit}工作，已经退休，{year}年{month}月开始退休金突然不发了。",
            "{year}年{month}月开始我的养老保险金停发，原单位{unit}和社保局互相推诿。",
        ],
        ["恢复发放养老金", "补发停发期间的养老金", "查明{unit}档案问题并恢复待遇"],
    ),
    Kind(
        "medical",
        "appeal",
        lambda r, f: {
            "hospital": f.city_name() + "市人民医院",
            "amount": _amount(r),
            "year": _year(r),
        },
        ["医保报销被拒", "{hospital}住院费用医保不予报销", "住院费用报销问题"],
        [
            "{year}年我在{hospital}住院，花费{amount}元，医保中心以材料不全为由不予报销。",
            "我{year}年在{hospital}做手术花了{amount}元，去医保报销被拒绝了。",
            "{year}年在{hospital}住院的{amount}元费用申请医疗保险报销，被告知不符合条件。",
        ],
        ["按规定报销医疗费用", "要求医保中心重新审核", "报销{amount}元住院费"],
    ),
    Kind(
        "subsistence",
        "appeal",
        lambda r, f: {"village": _village(r, f), "year": _year(r)},
        ["低保被取消", "{village}低保被无故取消", "反映低保停发问题"],
        [
            "我家住{village}，{year}年低保被村里取消，家里有残疾人没有收入来源。",
            "{year}年{village}村委会把我家低保停了，说名额有限，可我家确实困难。",
            "{year}年我的最低生活保障被取消，{village}没有说明理由。",
        ],
        ["恢复低保待遇", "说明{village}取消低保的理由", "重新审核我家低保"],
    ),
    Kind(
        "homestead",
        "appeal",
        lambda r, f: {"village": _village(r, f), "neighbour": f.name()},
        ["{village}宅基地纠纷", "邻居{neighbour}侵占宅基地", "宅基地被邻居占用"],
        [
            "我家在{village}的宅基地被邻居{neighbour}强行占用建房，村里调解不了。",
            "{village}村民{neighbour}把围墙砌到我家宅基地上，多次协商无果。",
            "邻居{neighbour}在{village}翻建房屋时占了我家宅基地两米多。",
        ],
        ["依法确认宅基地使用权", "责令{neighbour}退还宅基地", "处理{village}宅基地纠纷"],
    ),
    Kind(
        "land_contract",
        "appeal",
        lambda r, f: {"village": _village(r, f), "mu": str(r.randint(2, 15)), "year": _year(r)},
        ["{village}收回我家承包地", "承包地被村里收回", "{village}土地承包纠纷"],
        [
            "我在{village}的{mu}亩承包地{year}年被村委会收回转包给别人，没有征得我同意。",
            "{year}年{village}村委会把我家{mu}亩承包地收回了，承包合同还没到期。",
            "{village}在{year}年强行收回我家承包的{mu}亩土地，转给了种植大户。",
        ],
        ["归还承包地", "依法处理{village}土地承包问题", "退还{mu}亩承包地"],
    ),
    Kind(
        "pollution",
        "suggestion",
        lambda r, f: {
            "factory": _company(r, f),
            "river": _trade(r) + "河",
        },
        ["{factory}偷排污水", "{river}被工厂污染", "举报{factory}排污"],
        [
            "{factory}晚上偷偷往{river}排放污水，河水发黑发臭，鱼都死了。",
            "{river}边上的{factory}长期排污，附近村民饮水安全受到威胁。",
            "我们发现{factory}通过暗管向{river}排放废水，环保部门来了几次没有查处。",
        ],
        ["查处{factory}违法排污", "治理{river}污染", "关停{factory}"],
    ),
    Kind(
        "school",
        "appeal",
        lambda r, f: {
            "school": f.city_name() + "市" + _trade(r) + "小学",
            "community": _community(r, f),
        },
        ["孩子入学被拒", "{school}不给学位", "{community}孩子不能对口入学"],
        [
            "我家住{community}，属于{school}学区，孩子今年报名却被告知学位已满。",
            "我们在{community}买房落户，{school}以户籍时间不够为由拒绝孩子上学。",
            "{community}划片对口{school}，但学校不给我家孩子学位。",
        ],
        ["安排孩子就近入学", "要求教育局协调{school}学位", "落实义务教育就近入学"],
    ),
    Kind(
        "housing_delivery",
        "appeal",
        lambda r, f: {
            "project": _trade(r) + r.choice(["花园", "华府", "名苑", "公馆"]),
            "developer": _trade(r) + "置业有限公司",
            "year": _year(r),
        },
        ["{project}延期交房", "{developer}逾期不交房", "{project}楼盘停工不交房"],
        [
            "我{year}年购买了{developer}开发的{project}商品房，合同约定的交房时间已过仍未交付。",
            "{project}项目停工，{developer}迟迟不交房，我{year}年买的房子还在还贷款。",
            "{developer}的{project}延期交房，开发商不支付违约金也不给说法，我是{year}年买的。",
        ],
        ["督促{developer}尽快交房", "支付逾期交房违约金", "政府介入解决{project}停工问题"],
    ),
    Kind(
        "village_cadre",
        "accusation",
        lambda r, f: {
            "village": _village(r, f),
            "cadre": f.name(),
            "amount": str(r.randint(5, 80) * 10000),
        },
        ["举报{village}村干部{cadre}贪污", "{cadre}侵占集体资金", "{village}书记{cadre}私分补偿款"],
        [
            "{village}村干部{cadre}侵占村集体征地补偿款约{amount}元，村务从不公开。",
            "举报{village}党支部书记{cadre}私分集体征地补偿款{amount}元，村民敢怒不敢言。",
            "{cadre}在{village}任职期间把{amount}元征地补偿款据为己有，账目不公开。",
        ],
        ["查处{cadre}违纪违法问题", "公开{village}村务财务", "追回集体资金"],
    ),
    Kind(
        "social_insurance",
        "appeal",
        lambda r, f: {"company": _company(r, f), "years": str(r.randint(2, 10))},
        ["{company}未缴社保", "{company}不给缴纳社会保险", "单位不交社保"],
        [
            "我在{company}工作{years}年，公司一直没有给我缴纳社会保险。",
            "{company}{years}年来没给我交社保，现在我到了退休年龄无法办理退休。",
            "我在{company}干了{years}年，单位只给部分员工交社保，我一直没交。",
        ],
        ["责令{company}补缴社保", "依法维护劳动者社保权益", "补缴{years}年社会保险"],
    ),
]


@dataclass
class Matter:
    """One matter: its kind and particulars (two people may share one, e.g. a group's members)."""

    kind: Kind
    slots: dict[str, str]
    region: str

    def write(self, rng: random.Random, avoid: tuple[int, int] | None = None) -> tuple[Any, ...]:
        """The matter written one way: (subject, content, requests, (subject#, content#))."""
        k = self.kind
        s = rng.randrange(len(k.subjects))
        c = rng.randrange(len(k.contents))
        if avoid is not None:
            # A rewording: another subject, and most of the time another telling of it.
            s = rng.choice([i for i in range(len(k.subjects)) if i != avoid[0]])
            if rng.random() < 0.75:
                c = rng.choice([i for i in range(len(k.contents)) if i != avoid[1]])
        content = k.contents[c].format(**self.slots)
        extra = rng.choice(GENERIC_SENTENCES)
        content = extra + content if rng.random() < 0.5 else content + extra
        return (
            k.subjects[s].format(**self.slots),
            content,
            rng.choice(k.requests).format(**self.slots),
            (s, c),
        )


@dataclass
class Person:
    """A petitioner: name, identity number, phone."""

    name: str
    id_number: str | None
    phone: str | None

    def valid(self) -> ValidPerson:
        """As intake validation would leave it."""
        return ValidPerson(
            name=self.name,
            id_number=self.id_number,
            phone=None if self.phone is None else f"+86{self.phone}",
            address=None,
        )


@dataclass
class Query:
    """A labelled intake: who, what, and the case it repeats (None: not a repeat)."""

    label: str
    person: Person
    region: str
    category: str
    subject: str
    content: str
    requests: str
    truth: int | None = None
    truth_key: str | None = None
    group: list[Person] = field(default_factory=list)


@dataclass
class Earlier:
    """An earlier case of a labelled person."""

    key: str
    person: Person
    matter: Matter
    written: tuple[Any, ...]
    state: str
    received_at: datetime
    case_id: int | None = None


class People:
    """Faker zh_CN people with unique identity numbers and phones."""

    def __init__(self, seed: int) -> None:
        self.fk = Faker("zh_CN")
        self.fk.seed_instance(seed)
        self.seen: set[str] = set()

    def new(self, name: str | None = None) -> Person:
        """A person nobody else is."""
        while True:
            id_number, phone = self.fk.ssn(), self.fk.phone_number()
            if id_number not in self.seen and phone not in self.seen:
                self.seen |= {id_number, phone}
                return Person(name or self.fk.name(), id_number, phone)

    def phone(self) -> str:
        """A phone nobody else has."""
        while True:
            phone = self.fk.phone_number()
            if phone not in self.seen:
                self.seen.add(phone)
                return phone


STATES = ["registered", "accepted", "transferred", "replied", "closed", "concluded", "accepted"]


def labelled_set(people: int, seed: int) -> tuple[list[Earlier], list[Query]]:
    """Earlier cases of ``people`` people and one labelled query each (plus near-miss strangers)."""
    rng = random.Random(seed)
    pp = People(seed)
    fk = pp.fk
    earlier: list[Earlier] = []
    queries: list[Query] = []

    def matter(kind: Kind | None = None, region: str | None = None) -> Matter:
        k = kind or rng.choice(KINDS)
        return Matter(k, k.slots(rng, fk), region or rng.choice(REGIONS))

    for i in range(people):
        person = pp.new()
        if rng.random() < 0.15:
            person.id_number = None  # a call or letter gave only name and phone
        history = []
        for j in range(rng.choice([1, 1, 2, 2, 3])):
            m = matter(region=history[0].matter.region if history and rng.random() < 0.7 else None)
            when = NOW - timedelta(days=rng.randint(20, 700), hours=rng.randint(0, 8))
            e = Earlier(f"p{i}m{j}", person, m, m.write(rng), rng.choice(STATES), when)
            history.append(e)
        earlier += history
        roll = rng.random()
        target = rng.choice(history)
        visitor = Person(person.name, person.id_number, person.phone)
        if roll < 0.55:
            # The same matter again, reworded.
            how = rng.random()
            if how < 0.2 and person.id_number:
                visitor.id_number = None  # this time only name and phone
            elif how < 0.3 and person.id_number is None:
                visitor.id_number = pp.new().id_number  # gives the number this time
            elif how < 0.4 and person.id_number:
                visitor.phone = pp.phone()  # a new phone, the same identity number
            s, c, r, _ = target.matter.write(rng, avoid=target.written[3])
            region = target.matter.region
            if rng.random() < 0.1:
                region = region[:4] + "00"  # typed at city level this time
            queries.append(
                Query(
                    "repeat",
                    visitor,
                    region,
                    target.matter.kind.category,
                    s,
                    c,
                    r,
                    truth_key=target.key,
                )
            )
        elif roll < 0.75:
            # Same person, same kind of matter, another one (another employer, plot, year…).
            m = matter(kind=target.matter.kind, region=target.matter.region)
            s, c, r, _ = m.write(rng)
            queries.append(
                Query("same_kind_other_matter", visitor, m.region, m.kind.category, s, c, r)
            )
        else:
            others = [k for k in KINDS if k is not target.matter.kind]
            m = matter(kind=rng.choice(others), region=target.matter.region)
            s, c, r, _ = m.write(rng)
            queries.append(Query("other_kind", visitor, m.region, m.kind.category, s, c, r))
        # Near-misses by strangers, every third person: a namesake, a neighbour, a family member.
        if i % 3 == 0:
            which = rng.random()
            if which < 0.34:
                stranger = pp.new(name=person.name)
                m = matter(kind=target.matter.kind, region=target.matter.region)
                s, c, r, _ = m.write(rng)
                label = "namesake_same_kind"
            elif which < 0.67:
                stranger = pp.new()
                s, c, r, _ = target.matter.write(rng, avoid=target.written[3])
                label = "neighbour_same_matter"
            else:
                stranger = Person(fk.name(), None, person.phone)
                s, c, r, _ = target.matter.write(rng, avoid=target.written[3])
                label = "family_same_phone"
            queries.append(
                Query(label, stranger, target.matter.region, target.matter.kind.category, s, c, r)
            )
    return earlier, queries


# --- building the database ------------------------------------------------------------------------


def _case_values(
    i: int,
    *,
    owner_id: int,
    petitioner_id: int,
    subject: str,
    content: str,
    requests: str,
    region: str,
    category: str,
    state: str,
    received_at: datetime,
) -> dict[str, Any]:
    return {
        "case_no": f"B{i:09d}",
        "year": received_at.year,
        "seq": i,
        "state": state,
        "category": category,
        "channel": "visit",
        "subject": subject,
        "content": content,
        "requests": requests,
        "region_code": region,
        "group_size": 1,
        "confidential": category == "accusation",
        "skip_level": False,
        "owner_id": owner_id,
        "petitioner_id": petitioner_id,
        "received_at": received_at,
        "query_code_hash": "-",
        "extended": False,
        "hearing_open": False,
        "partner_accepted": False,
        "details": {},
        "chain_hash": "-",
        "last_event_hash": "-",
        "event_count": 1,
        "created_at": received_at,
        "updated_at": received_at,
        "version": 1,
    }


def _person_values(p: Person, cipher: FieldCipher, when: datetime) -> dict[str, Any]:
    v = p.valid()
    return {
        "name": p.name,
        "id_number_enc": None,
        "id_number_index": cipher.blind_index(v.id_number) if v.id_number else None,
        "id_number_masked": mask_id_number(v.id_number),
        "phone_enc": None,
        "phone_index": cipher.blind_index(v.phone) if v.phone else None,
        "phone_masked": mask_phone(v.phone) if v.phone else None,
        "address": None,
        "created_at": when,
    }


def _chunks(n: int, size: int) -> Iterator[range]:
    for start in range(0, n, size):
        yield range(start, min(n, start + size))


def build(
    engine: Engine, earlier: list[Earlier], background: int, seed: int, *, quiet: bool = False
) -> None:
    """Write the labelled people's earlier cases among ``background`` others, with keywords."""
    rt = runtime()
    cipher = rt.cipher
    setup_office(engine, NOW - timedelta(days=900))
    with engine.begin() as conn:
        owner_id = (
            conn.execute(tables.staff_t.select().where(tables.staff_t.c.staff_no == "B001"))
            .one()
            .id
        )
    rng = random.Random(seed + 1)
    pp = People(seed + 1000)
    # A pool of analysed matters: background cases are drawn from it (analysing a million texts
    # with jieba would take longer than the look-ups measured here).
    pool_size = max(1, min(background, 20000))
    pool: list[tuple[str, str, str, str, dict[str, float]]] = []
    for _ in range(pool_size):
        kind = rng.choice(KINDS)
        m = Matter(kind, kind.slots(rng, pp.fk), "")
        s, c, r, _ = m.write(rng)
        pool.append((s, c, r, kind.category, matter_vector(s, c, r)))
    names = [pp.fk.name() for _ in range(3000)]
    kt = CaseKeyword.__table__
    started = time.perf_counter()
    next_id = 1
    chunk = 20000
    # Background first (older cases), then the labelled people's: ids follow receipt roughly.
    for part in _chunks(background, chunk):
        people_rows, case_rows, keyword_rows = [], [], []
        for i in part:
            when = NOW - timedelta(days=rng.randint(1, 1500), minutes=rng.randint(0, 600))
            people_rows.append(
                {
                    "name": rng.choice(names),
                    "id_number_enc": None,
                    "id_number_index": cipher.blind_index(f"BG-ID-{seed}-{i}"),
                    "id_number_masked": None,
                    "phone_enc": None,
                    "phone_index": cipher.blind_index(f"BG-PHONE-{seed}-{i}"),
                    "phone_masked": None,
                    "address": None,
                    "created_at": when,
                }
            )
            s, c, r, category, vector = pool[rng.randrange(pool_size)]
            region = rng.choice(REGIONS)
            case_rows.append(
                _case_values(
                    next_id + i - part.start,
                    owner_id=owner_id,
                    petitioner_id=0,
                    subject=s,
                    content=c,
                    requests=r,
                    region=region,
                    category=category,
                    state=rng.choice(STATES),
                    received_at=when,
                )
            )
            keyword_rows.append((vector, region, when))
        with engine.begin() as conn:
            ids = _insert_returning_ids(conn, tables.petitioner_t, people_rows)
            for row, pid in zip(case_rows, ids, strict=True):
                row["petitioner_id"] = pid
            case_ids = _insert_returning_ids(conn, tables.case_t, case_rows)
            rows = []
            for case_id, (vector, region, when) in zip(case_ids, keyword_rows, strict=True):
                rows += index.keyword_rows(case_id, vector, region, when)
            conn.execute(insert(kt), rows)
        next_id += len(part)
        if not quiet and (part.stop % 100000 == 0 or part.stop == background):
            elapsed = time.perf_counter() - started
            print(f"  背景案件 background cases {part.stop:,} ({elapsed:.0f} s)", flush=True)
    with engine.begin() as conn:
        for e in earlier:
            pid = conn.execute(
                insert(tables.petitioner_t).returning(tables.petitioner_t.c.id),
                _person_values(e.person, cipher, e.received_at),
            ).scalar_one()
            s, c, r, _ = e.written
            e.case_id = conn.execute(
                insert(tables.case_t).returning(tables.case_t.c.id),
                _case_values(
                    next_id,
                    owner_id=owner_id,
                    petitioner_id=pid,
                    subject=s,
                    content=c,
                    requests=r,
                    region=e.matter.region,
                    category=e.matter.kind.category,
                    state=e.state,
                    received_at=e.received_at,
                ),
            ).scalar_one()
            next_id += 1
            index.index_case(conn, e.case_id)
    if engine.dialect.name == "postgresql":
        # What autovacuum does in service after a bulk load (it may be off here): fresh statistics
        # (without them the planner guesses 290 000 keywords per case and runs a parallel plan
        # with JIT) and the visibility map, without which every index-only scan of case_keyword
        # visits the table too. VACUUM runs outside a transaction.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def _insert_returning_ids(conn: Any, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows and return their ids in order (insertmanyvalues keeps RETURNING ordered)."""
    result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [r[0] for r in result]


# --- evaluation -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """Precision, recall and look-up times of one run."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    by_label: dict[str, list[int]] = field(default_factory=dict)
    times_ms: list[float] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Right answers ÷ answers given."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Right answers ÷ repeats."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def ms(self, q: float) -> float:
        """A quantile of the look-up times."""
        xs = sorted(self.times_ms)
        return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0


def evaluate(engine: Engine, earlier: list[Earlier], queries: list[Query]) -> Outcome:
    """Ask the detector about every query and score its answers."""
    rt = runtime()
    by_key = {e.key: e.case_id for e in earlier}
    out = Outcome()
    with engine.connect() as conn:
        # One warm-up: jieba's dictionary and the IDF table load on first use.
        matter_vector("预热", "预热")
        for q in queries:
            valid = ValidIntake(
                channel="visit",
                category=q.category,
                petitioner=q.person.valid(),
                region_code=q.region,
                subject=q.subject,
                content=q.content,
                requests=q.requests,
                group_size=1,
                representatives=(),
                received_at=NOW,
                accused=None,
                confidential=q.category == "accusation",
            )
            t = time.perf_counter()
            found = candidates.find(conn, rt, valid, now=NOW)
            out.times_ms.append((time.perf_counter() - t) * 1000)
            answer = next((c.case_id for c in found if c.likely_repeat), None)
            truth = by_key.get(q.truth_key) if q.truth_key else None
            right = answer is not None and answer == truth
            if right:
                out.tp += 1
            elif answer is not None:
                out.fp += 1
            if truth is not None and not right:
                out.fn += 1
            tally = out.by_label.setdefault(q.label, [0, 0])
            tally[0] += 1
            tally[1] += int(right if truth is not None else answer is None)
    return out


def run(
    engine: Engine, *, cases: int, people: int, seed: int, quiet: bool = False, reuse: bool = False
) -> tuple[Outcome, int]:
    """Build the labelled set and the background, then evaluate; returns the outcome and N cases.

    ``reuse``: the database was built before with the same arguments; only find the labelled
    people's cases again (the set is drawn from the seed, the case numbers follow from it).
    """
    earlier, queries = labelled_set(people, seed)
    background = max(0, cases - len(earlier))
    if reuse:
        numbers = {f"B{background + i + 1:09d}": e for i, e in enumerate(earlier)}
        ct = tables.case_t
        with engine.connect() as conn:
            for row in conn.execute(
                select(ct.c.id, ct.c.case_no).where(ct.c.case_no.in_(list(numbers)))
            ):
                numbers[row.case_no].case_id = row.id
        assert all(e.case_id for e in earlier), "the kept database was built with other arguments"
    else:
        build(engine, earlier, background, seed, quiet=quiet)
    return evaluate(engine, earlier, queries), background + len(earlier)


@contextmanager
def kept_sqlite(path: str) -> Iterator[Backend]:
    """A SQLite database in ``path`` that outlives the run (migrated if new)."""
    url = f"sqlite:///{path}"
    upgrade(url)
    yield Backend("SQLite", url, path)


LABELS = {
    "repeat": "重复访（改写）",
    "same_kind_other_matter": "同一人·同类另一事项",
    "other_kind": "同一人·另一类事项",
    "namesake_same_kind": "同名不同人·同类事项",
    "neighbour_same_matter": "他人·同一事项",
    "family_same_phone": "家属（同一电话）·同一事项",
}


def main(argv: list[str] | None = None) -> int:
    """Print precision, recall and look-up times; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in the database")
    parser.add_argument("--people", type=int, default=1500, help="labelled petitioners")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql", "all"])
    parser.add_argument(
        "--keep",
        metavar="FILE",
        help="build the SQLite database in FILE and keep it; a FILE built before (same --cases, "
        "--people, --seed) is reused, so look-up changes can be measured without rebuilding",
    )
    args = parser.parse_args(argv)
    ok = True
    makers = [lambda: kept_sqlite(args.keep)] if args.keep else backends(args.db)
    for make in makers:
        with make() as backend:
            if backend is None:
                continue
            engine = engine_for(backend)
            with engine.connect() as conn:
                reuse = reading.case_count(conn) > 0
            verb = "复用 reusing" if reuse else "建库 building"
            print(f"{backend.name}: {verb} {args.cases:,} cases …", flush=True)
            started = time.perf_counter()
            out, total = run(
                engine, cases=args.cases, people=args.people, seed=args.seed, reuse=reuse
            )
            print(f"  用时 done in {time.perf_counter() - started:.0f} s")
            n = sum(t[0] for t in out.by_label.values())
            print(f"{backend.name}: {total:,} 件 cases, {n} 次查询 queries")
            for label, (count, right) in out.by_label.items():
                print(f"  {LABELS[label]:<16} {right}/{count} 判断正确 right")
            print(
                f"  precision 查准率 {out.precision:.3f} (目标 target ≥ {TARGET_PRECISION}) · "
                f"recall 查全率 {out.recall:.3f} (目标 target ≥ {TARGET_RECALL})"
            )
            print(
                f"  look-up 候选查询 p50 {out.ms(0.5):.1f} ms · p95 {out.ms(0.95):.1f} ms · "
                f"max {max(out.times_ms):.1f} ms · mean {statistics.fmean(out.times_ms):.1f} ms "
                f"(目标 target p95 ≤ {TARGET_MS:.0f} ms)"
            )
            ok &= (
                out.precision >= TARGET_PRECISION
                and out.recall >= TARGET_RECALL
                and out.ms(0.95) <= TARGET_MS
            )
            engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
