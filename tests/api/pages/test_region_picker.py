"""The intake form's region: refused when unknown, picked level by level without JavaScript,
read from the address when left empty; and shown with its name wherever a case is."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cases.store import tables
from tests.api.pages.helpers import intake_form, text_of
from tests.web import sign_in


def _cases(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(tables.case_t)).scalar_one()


def _region_block(page: str) -> str:
    return page.split('class="field region-picker')[1].split("</fieldset>")[0]


def _options(page: str, select: str) -> list[str]:
    block = page.split(f'name="{select}"')[1].split("</select>")[0]
    return re.findall(r'<option value="(\d{6})"', block)


def test_an_unknown_region_is_refused_beside_its_field(c: TestClient, engine: Engine) -> None:
    token = sign_in(c, "A001")
    for path in ("/cases/new", "/cases/new/check"):
        r = c.post(path, data={**intake_form(region_code="999999"), "csrf_token": token})
        assert r.status_code == 422
        assert "行政区划代码999999不在行政区划表" in text_of(_region_block(r.text))
        assert 'value="王建国"' in r.text  # what was typed is kept
    assert _cases(engine) == 0


def test_the_region_is_picked_level_by_level_without_javascript(
    c: TestClient, engine: Engine
) -> None:
    token = sign_in(c, "A001")
    page = c.get("/cases/new").text
    assert "320000" in _options(page, "region.1") and 'name="region.2"' not in page
    form = {**intake_form(region_code=""), "csrf_token": token}

    # Each 「列出下一级」 posts the whole form back: the next level is listed, nothing is stored.
    r = c.post("/cases/new/check", data={**form, "region.1": "320000", "region_step": "pick"})
    assert r.status_code == 200 and "已选择江苏省（320000）" in text_of(r.text)
    assert "320100" in _options(r.text, "region.2") and 'name="region.3"' not in r.text
    assert 'name="region_code" value="320000"' in r.text and 'value="王建国"' in r.text
    step = {**form, "region_code": "320000", "region.shown": "320000", "region.1": "320000"}
    r = c.post("/cases/new/check", data={**step, "region.2": "320100", "region_step": "pick"})
    assert "320102" in _options(r.text, "region.3")
    assert "南京市（320100）" in text_of(_region_block(r.text))

    # Submitting with a level still above a county brings the form back to go on choosing.
    r = c.post("/cases/new/check", data={**step, "region.2": "320100"})
    assert r.status_code == 200 and "可继续选择下一级" in text_of(r.text)
    assert _cases(engine) == 0

    # The county chosen, the form goes on: the check step names the region.
    step = {**step, "region_code": "320100", "region.shown": "320100", "region.2": "320100"}
    r = c.post("/cases/new/check", data={**step, "region.3": "320102"})
    assert r.status_code == 200 and "南京市玄武区（320102）" in text_of(r.text)
    carried = r.text.split('action="/cases/new/register"')[1].split("</form>")[0]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', carried))
    assert hidden["region_code"] == "320102"
    r = c.post("/cases/new/register", data=hidden)
    assert r.status_code == 303, r.text
    with engine.connect() as conn:
        assert conn.execute(select(tables.case_t.c.region_code)).scalar_one() == "320102"


def test_a_typed_code_wins_over_selects_left_as_they_were(c: TestClient, engine: Engine) -> None:
    token = sign_in(c, "A001")
    form = {
        **intake_form(region_code="320106"),
        "region.shown": "320102",
        "region.1": "320000",
        "region.2": "320100",
        "region.3": "320102",
        "csrf_token": token,
    }
    assert c.post("/cases/new", data=form).status_code == 303
    with engine.connect() as conn:
        assert conn.execute(select(tables.case_t.c.region_code)).scalar_one() == "320106"


def test_the_region_is_read_from_the_address_for_the_clerk_to_check(
    c: TestClient, engine: Engine
) -> None:
    token = sign_in(c, "A001")
    form = {**intake_form(region_code=""), "csrf_token": token}
    r = c.post("/cases/new/check", data=form)
    assert r.status_code == 200
    assert "已根据地址填写行政区划：南京市玄武区（320102），请核对后提交" in text_of(r.text)
    assert 'name="region_code" value="320102"' in r.text
    assert "320102" in _options(r.text, "region.3")
    assert _cases(engine) == 0
    unknown = {**form, "petitioner.address": "某县某村", "region_step": "address"}
    r = c.post("/cases/new/check", data=unknown)
    assert "未能从地址识别行政区划" in text_of(r.text)


def test_a_case_shows_its_region_by_name_with_its_code(c: TestClient, app: Any) -> None:
    token = sign_in(c, "A001")
    r = c.post("/cases/new", data={**intake_form(region_code="320583"), "csrf_token": token})
    no = r.headers["location"].split("/")[2]
    label = "苏州市昆山市（320583）"
    assert label in text_of(c.get(f"/cases/{no}/receipt").text)
    assert label in text_of(c.get(f"/cases/{no}").text)
    assert label in text_of(c.get("/cases", params={"q": no}).text)
    assert label in text_of(c.get("/").text)  # the desk
    assert label in text_of(
        c.get(f"/cases/{no}/progress").text
    )  # the 进展情况 print of an open case
