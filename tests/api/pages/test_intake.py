"""The intake form: field errors that keep what was typed, group visits, the receipt's 查询码."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cases.casework import search, tracking
from tests.api.pages.helpers import intake_form, text_of
from tests.factories import intake_body
from tests.web import sign_in


def test_intake_errors_keep_what_was_typed(c: TestClient) -> None:
    token = sign_in(c, "A001")
    form = intake_form(
        **{
            "petitioner.phone": "12345",
            "subject": "",
            "group_size": "3",
            # The representative was typed in the third row: the error must show there.
            "representatives.2.name": "李四",
            "representatives.2.phone": "999",
        }
    )
    r = c.post("/cases/new", data={**form, "csrf_token": token})
    assert r.status_code == 422
    page = r.text
    assert "有 3 处需要更正" in page
    assert 'value="王建国"' in page and 'value="李四"' in page and 'value="12345"' in page
    phone_block = page.split('id="f-petitioner-phone"')[1].split("</div>")[0]
    assert "联系电话号码无效" in phone_block
    rep_cell = page.split('id="f-representatives-2-phone"')[1].split("</td>")[0]
    assert "第1位代表联系电话" in rep_cell
    assert "标题不能为空" in page.split('id="f-subject"')[1].split("</div>")[0]
    assert '<details class="card" open>' in page


def test_group_visit_with_representatives(c: TestClient, app: Any, engine: Engine) -> None:
    token = sign_in(c, "A001")
    form = intake_form(
        group_size="12",
        **{
            "representatives.0.name": "李四",
            "representatives.0.phone": "13900139000",
            "representatives.1.name": "赵五",
            "representatives.1.address": "玄武区",
        },
    )
    r = c.post("/cases/new", data={**form, "csrf_token": token})
    assert r.status_code == 303, r.text
    no = r.headers["location"].split("/")[2]
    case = c.get(f"/cases/{no}").text
    assert "集体访 12人" in case
    with engine.begin() as conn:
        reps = conn.execute(select(search.rep_t)).all()
    assert len(reps) == 2


def test_intake_then_receipt_shows_the_query_code_once(c: TestClient, engine: Engine) -> None:
    token = sign_in(c, "A001")
    r = c.post("/cases/new", data={**intake_form(), "csrf_token": token})
    assert r.status_code == 303
    url = r.headers["location"]
    assert re.fullmatch(r"/cases/2026-\d{6}/receipt", url)
    no = url.split("/")[2]
    receipt = c.get(url).text
    m = re.search(r'class="mono big code">([A-Z0-9]{5}) ([A-Z0-9]{5})<', receipt)
    assert m, receipt
    code = m.group(1) + m.group(2)
    assert code not in url
    with engine.begin() as conn:
        assert tracking.check_query_code(conn, no, code)
    text = text_of(receipt)
    assert "信访事项登记回执" in text and no in text
    assert "受理告知期限" in text and "2026-12-11（周五）" in text
    assert "自2026-11-26次日起算15日" in text
    assert "@media print" in c.get("/static/style.css").text
    # Shown once: the next view of the receipt no longer carries it.
    again = c.get(url).text
    assert code not in again and "已不再显示" in again


def test_intake_page_service_errors_for_bodies(app: Any, c: TestClient) -> None:
    token = sign_in(c, "A001")
    body = intake_form(received_at="2027-01-01T09:00")
    r = c.post("/cases/new", data={**body, "csrf_token": token})
    assert r.status_code == 422 and "接收时间不能晚于当前时间" in r.text
    assert intake_body()  # the API and page bodies agree on field names
