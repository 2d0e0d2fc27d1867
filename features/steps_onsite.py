"""Steps of onsite.feature: a group visit registered on the on-site page (下移接待), posted as the
phone posts it, and what the office then sees: the receipt, the case, the photos, the supervisor's
inbox. The shared steps (the office) are those of features/conftest.py; what a scenario posted and
got back is kept in ``onsite_state``.
"""

import html
import io
import re
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pytest_bdd import given, parsers, then, when
from sqlalchemy import func, select, update

from cases.casework.parties import case_parties
from cases.models import CaseAttachment, Outbox
from cases.store import tables
from features.conftest import WHEN, WHO, World, table_fields
from tests.web import client, make_app, password_hash, sign_in

PAGE = "/cases/new/onsite"
#: The form's fields, by the labels the page shows.
FIELDS = {
    "接待地点": "place",
    "来访人数": "group_size",
    "事项": "subject",
    "情况": "content",
    "诉求": "requests",
}


def _at(text: str) -> datetime:
    from conftest import at

    return at(text)


WHEN_AT = {"when": _at}


def _text(page: str) -> str:
    """A page's text without tags (what a reader sees)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _photo(i: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40 * i % 256, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def _counts(world: World) -> tuple[int, int, int]:
    """Cases, attachments on cases, group-visit alerts."""
    at_, ot = CaseAttachment.__table__, Outbox.__table__
    with world.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(tables.case_t)).scalar_one(),
            conn.execute(
                select(func.count()).select_from(at_).where(at_.c.case_id.is_not(None))
            ).scalar_one(),
            conn.execute(
                select(func.count()).select_from(ot).where(ot.c.topic == "group_visit")
            ).scalar_one(),
        )


@pytest.fixture
def onsite_state() -> dict[str, Any]:
    """What an on-site scenario posted and was answered."""
    return {}


@given("工作人员都已设置登录密码")
def passwords(world: World) -> None:
    with world.engine.begin() as conn:
        conn.execute(update(tables.staff_t).values(password_hash=password_hash()))


@when(
    parsers.re(rf"接访员 {WHO} 于 {WHEN} 在手机上提交下移接待登记："),
    converters=WHEN_AT,
)
def submits(
    world: World,
    onsite_state: dict[str, Any],
    who: str,
    when: datetime,
    datatable: list[list[str]],
) -> None:
    table = {k: str(v) for k, v in table_fields(datatable).items()}
    c = client(make_app(world.engine, world.rt, when))
    sign_in(c, who)
    page = c.get(PAGE).text
    tokens = dict(re.findall(r'name="(csrf_token|form_token)" value="([^"]+)"', page))
    data = {FIELDS[k]: v for k, v in table.items() if k in FIELDS}
    data["category"] = "appeal"
    for i, name in enumerate(n for n in table.get("代表", "").split("、") if n):
        data[f"representatives.{i}.name"] = name
        data[f"representatives.{i}.phone"] = f"139{i:08d}"
    files = [
        ("files", (f"IMG_{i:04d}.jpg", _photo(i), "image/jpeg"))
        for i in range(int(table.get("照片", "0")))
    ]
    onsite_state.update(client=c, data={**data, **tokens}, files=files, before=_counts(world))
    onsite_state["answer"] = c.post(PAGE, data=onsite_state["data"], files=files or None)


@when("网络恢复后，手机把同一张表单再次提交")
def posts_again(onsite_state: dict[str, Any]) -> None:
    c: TestClient = onsite_state["client"]
    onsite_state["again"] = c.post(
        PAGE, data=onsite_state["data"], files=onsite_state["files"] or None
    )


@then("登记成功，转到登记回执")
def registered(world: World, onsite_state: dict[str, Any]) -> None:
    answer = onsite_state["answer"]
    assert answer.status_code == 303, _text(answer.text)
    m = re.fullmatch(r"/cases/(\d{4}-\d{6})/receipt", answer.headers["location"])
    assert m, answer.headers["location"]
    world.case_no = m.group(1)
    onsite_state["receipt"] = _text(onsite_state["client"].get(m.group(0)).text)


@then(parsers.re(r"登记回执写明 \"(?P<words>[^\"]+)\""))
def receipt_says(onsite_state: dict[str, Any], words: str) -> None:
    assert words in onsite_state["receipt"]


@then(
    parsers.re(
        r"新事项为集体访 (?P<size>\d+) 人，信访人为 \"(?P<petitioner>[^\"]+)\"，"
        r"代表为 \"(?P<names>[^\"]+)\""
    ),
    converters={"size": int},
)
def group_kept(world: World, size: int, petitioner: str, names: str) -> None:
    case = world.show()
    assert case["flags"]["group_size"] == size
    assert case["petitioner"]["name"] == petitioner
    with world.engine.connect() as conn:
        parties = case_parties(conn, case_no=str(world.case_no), hidden=False)
    reps = [p["name"] for p in parties if p["role"] == "representative"]
    assert reps == names.split("、")


@then(parsers.re(r"新事项的行政区划按接待地点识别为 \"(?P<label>[^\"]+)\""))
def region_from_place(world: World, label: str) -> None:
    assert world.rt.regions().label(world.show()["region_code"]) == label


@then(parsers.re(r"新事项附有现场照片 (?P<n>\d+) 张"), converters={"n": int})
def photos_kept(world: World, n: int) -> None:
    at_ = CaseAttachment.__table__
    with world.engine.connect() as conn:
        kinds = (
            conn.execute(select(at_.c.media_type).where(at_.c.case_id == world.case_id()))
            .scalars()
            .all()
        )
    assert kinds == ["image/jpeg"] * n


@then(parsers.re(rf"督办人员 {WHO} 在站内消息中看到 \"(?P<words>[^\"]+)\""))
def supervisor_sees(world: World, onsite_state: dict[str, Any], who: str, words: str) -> None:
    c = client(make_app(world.engine, world.rt, world.now))
    sign_in(c, who)
    inbox = _text(c.get("/inbox").text)
    assert f"【集体访】信访事项 {world.case_no} " + words in inbox, inbox


@then(parsers.re(r"登记被拒绝：\"(?P<message>[^\"]+)\"（(?P<code>[a-z_.]+)）"))
def refused(onsite_state: dict[str, Any], message: str, code: str) -> None:
    answer = onsite_state["answer"]
    assert answer.status_code == 422
    assert message in _text(answer.text)
    assert f'data-code="{code}"' in answer.text


@then("没有登记信访事项，没有保存照片，也没有发出集体访提醒")
def nothing_stored(world: World, onsite_state: dict[str, Any]) -> None:
    assert _counts(world) == onsite_state["before"]


@then(parsers.re(r"再次提交转到同一份登记回执，提示 \"(?P<words>[^\"]+)\""))
def same_receipt(onsite_state: dict[str, Any], words: str) -> None:
    first, again = onsite_state["answer"], onsite_state["again"]
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert words in _text(onsite_state["client"].get(again.headers["location"]).text)


@then(
    parsers.re(
        r"共登记信访事项 (?P<cases>\d+) 件，现场照片 (?P<photos>\d+) 张，集体访提醒 (?P<alerts>\d+) 条"
    ),
    converters={"cases": int, "photos": int, "alerts": int},
)
def totals(
    world: World, onsite_state: dict[str, Any], cases: int, photos: int, alerts: int
) -> None:
    before = onsite_state["before"]
    assert _counts(world) == (before[0] + cases, before[1] + photos, before[2] + alerts)
