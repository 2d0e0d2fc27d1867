"""越级访 is a visit's alone (条例第二十条): a letter, call or online petition about a county's matter
reaching the province is transferred, never counted as skip-level, on every intake path.

The matter of ``tests.factories.intake_body`` is 玄武区's (320102), two levels below the default
province office: a visit about it is 越级访, whichever path registers it.
"""

from typing import Any

import pytest
from sqlalchemy import Engine

from tests.factories import intake_body
from tests.repeat.helpers import EARLIER, OTHER_ID, REWORDED, confirm, register
from tests.repeat.test_web import form_of
from tests.web import bearer, client, sign_in
from workflow.skip_level import is_skip_level

NOT_VISITS = ("letter", "call", "online")


def test_the_rule() -> None:
    assert is_skip_level("visit", steps=2, handled_below=False)
    assert not is_skip_level("visit", steps=1, handled_below=False)
    assert not is_skip_level("visit", steps=3, handled_below=True)
    for channel in NOT_VISITS:
        assert not is_skip_level(channel, steps=3, handled_below=False)


@pytest.mark.parametrize("channel", NOT_VISITS)
def test_the_api_never_counts_a_letter_call_or_online_petition(app: Any, channel: str) -> None:
    c = client(app)
    r = c.post("/api/v1/cases", json=intake_body(channel=channel), headers=bearer(app, "A001"))
    assert r.status_code == 201, r.text
    case = r.json()
    where = case["jurisdiction"]
    assert case["flags"]["skip_level"] is False and where["skip_level"] is False
    # Still the county's matter: the transfer to the level with authority is offered.
    assert where["steps"] == 2 and where["offer_transfer"] is True
    assert "不属于越级访" in where["explanation"] and "越级访：" not in where["explanation"]
    visit = c.post("/api/v1/cases", json=intake_body(), headers=bearer(app, "A001")).json()
    assert visit["flags"]["skip_level"] is True


def test_the_intake_page_says_a_letter_is_no_skip_level_visit(app: Any, engine: Engine) -> None:
    c = client(app)
    csrf = sign_in(c, "A001")
    letter = intake_body(channel="letter")
    r = c.post("/cases/new/check", data={**form_of(letter), "csrf_token": csrf})
    assert r.status_code == 200 and "登记并转送" in r.text
    assert 'chip-warn">越级访' not in r.text and "不属于越级访" in r.text
    r = c.post("/cases/new/register", data={**form_of(letter), "csrf_token": csrf})
    assert r.status_code == 303
    case_no = r.headers["location"].removeprefix("/cases/").removesuffix("/receipt")
    page = c.get(f"/cases/{case_no}").text
    assert "来信" in page and 'chip-warn">越级访' not in page
    # The same matter brought in person is one.
    visit = intake_body(subject="小区电梯长期停用", content="电梯坏了半年无人修。")
    visit["petitioner"] = {"name": "李四", "id_number": OTHER_ID}
    r = c.post("/cases/new/check", data={**form_of(visit), "csrf_token": csrf})
    assert 'chip-warn">越级访' in r.text


def test_a_repeat_contact_by_letter_is_no_skip_level_visit(engine: Engine, app: Any) -> None:
    rt = app.state.ctx.rt
    original = register(engine, rt, intake_body(channel="letter"), when=EARLIER)
    by_letter = confirm(engine, rt, original, intake_body(channel="letter", **REWORDED))
    assert by_letter["contact"]["flags"]["skip_level"] is False
    by_call = confirm(engine, rt, original, intake_body(channel="call", **REWORDED))
    assert by_call["contact"]["flags"]["skip_level"] is False
    in_person = confirm(engine, rt, original, intake_body(**REWORDED))
    assert in_person["contact"]["flags"]["skip_level"] is True
