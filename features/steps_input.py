"""Steps of input.feature: hostile text and dates sent through the JSON API, as a client would.

Characters that cannot be typed into a feature file are written ``<NUL>``, ``<LF>``, ``<U+202E>``."""

import re
from typing import Any

from fastapi.testclient import TestClient
from pytest_bdd import parsers, then, when

from features.conftest import WHO, World
from tests.factories import intake_body
from tests.web import bearer, make_app

NAMED = {"NUL": "\x00", "LF": "\n", "TAB": "\t", "CR": "\r"}


def typed(text: str) -> str:
    """The text with its ``<NUL>``, ``<LF>`` and ``<U+XXXX>`` written out as the characters."""
    return re.sub(
        r"<(NUL|LF|TAB|CR|U\+[0-9A-F]{4,6})>",
        lambda m: NAMED.get(m[1]) or chr(int(m[1][2:], 16)),
        text,
    )


def _post(world: World, who: str, body: dict[str, Any]) -> None:
    app = make_app(world.engine, world.rt)
    client = TestClient(app, raise_server_exceptions=False)
    world.counts_before = world.counts()
    world.answer = client.post("/api/v1/cases", json=body, headers=bearer(app, who))
    world.error = None if world.answer.status_code < 400 else world.answer.json()


@when(parsers.re(rf"接访员 {WHO} 通过接口登记信访人姓名为 \"(?P<name>[^\"]*)\" 的来访事项"))
def registers_name(world: World, who: str, name: str) -> None:
    body = intake_body()
    _post(world, who, {**body, "petitioner": {**body["petitioner"], "name": typed(name)}})


FIELDS = {"信访内容": "content", "标题": "subject", "接收时间": "received_at"}


@when(
    parsers.re(
        rf"接访员 {WHO} 通过接口登记(?P<label>信访内容|标题|接收时间)为 \"(?P<value>[^\"]*)\" 的来访事项"
    )
)
def registers_field(world: World, who: str, label: str, value: str) -> None:
    _post(world, who, {**intake_body(), FIELDS[label]: typed(value)})


@then("登记成功")
def registered(world: World) -> None:
    assert world.answer.status_code == 201, world.answer.text


@then(
    parsers.re(
        r"登记被拒绝，状态码 (?P<status>\d+)，代码为 \"(?P<code>[^\"]+)\"，指明 \"(?P<field>[^\"]+)\""
    )
)
def refused(world: World, status: str, code: str, field: str) -> None:
    answer = world.answer
    assert answer.status_code == int(status), answer.text
    problem = answer.json()
    assert any(e["code"] == code and e["field"] == field for e in problem["errors"]), problem
    assert re.search(r"[\u4e00-\u9fff]", problem["detail"])
