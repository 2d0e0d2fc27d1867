"""My desk: my cases sorted by urgency, and a handler's cases awaiting a reply."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.runtime import Runtime
from conftest import at
from tests.api.pages.helpers import text_of
from tests.web import api_act, api_intake, client, make_app, sign_in


def test_desk_sorts_my_cases(app: Any, c: TestClient) -> None:
    api_intake(app, c, received_at="2026-10-20T09:00:00+08:00", subject="早已超期")
    api_intake(app, c, received_at="2026-11-12T09:00:00+08:00", subject="快到期")
    api_intake(app, c, subject="今天登记")
    api_intake(app, c, "A002", subject="别人的")
    sign_in(c, "A001")
    page = c.get("/").text
    counts = {
        label: int(n)
        for n, label in re.findall(
            r'class="stat-num">(\d+)</span><span class="stat-label">([^<]+)<', page
        )
    }
    assert counts == {"首接在办": 3, "已超期": 1, "临近期限": 1, "待写跟踪记录": 0}
    sections = {
        name: " ".join(text_of(page.split(f'id="{name}"')[1].split("</section>")[0]).split())
        for name in ("overdue", "due-soon", "open")
    }
    assert "早已超期" in sections["overdue"] and "快到期" not in sections["overdue"]
    assert "快到期" in sections["due-soon"]
    assert "今天登记" in sections["open"] and "别人的" not in page
    # Each row says how long is left, or how long overdue (received 10-20: due 11-04; 11-12: 11-27).
    assert "受理告知期限" in sections["overdue"] and "超期22日（16个工作日）" in sections["overdue"]
    assert "预警 剩余1日" in sections["due-soon"]
    # The case just registered: its tracking note is due first, its acceptance decision after.
    assert "跟踪记录周期 2026-12-03（周四） 剩余7日 受理告知期限剩余15日" in sections["open"]


def test_a_late_tracking_note_is_overdue_on_the_desk_and_named(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    # Registered nine days ago and never followed up: the 7-day tracking cadence ran out on 11-24.
    early = make_app(engine, rt, at("2026-11-17 10:00"))
    api_intake(early, client(early), subject="无人跟踪")
    sign_in(c, "A001")
    page = c.get("/").text
    overdue = " ".join(text_of(page.split('id="overdue"')[1].split("</section>")[0]).split())
    assert "无人跟踪" in overdue and "跟踪记录周期" in overdue and "超期2日（2个工作日）" in overdue
    assert 'href="#overdue"><span class="stat-num">1<' in page


def test_handler_desk_lists_cases_awaiting_a_reply(app: Any, c: TestClient) -> None:
    case = api_intake(app, c, subject="待答复的事")
    api_act(app, c, case["case_no"], "accept", "A001")
    sign_in(c, "H001")
    page = c.get("/").text
    assert "待答复事项" in page and "待答复的事" in page
