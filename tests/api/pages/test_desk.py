"""My desk: my cases sorted by urgency, and a handler's cases awaiting a reply."""

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.api.pages.helpers import text_of
from tests.web import api_act, api_intake, sign_in


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
        name: text_of(page.split(f'id="{name}"')[1].split("</section>")[0])
        for name in ("overdue", "due-soon", "open")
    }
    assert "早已超期" in sections["overdue"] and "快到期" not in sections["overdue"]
    assert "快到期" in sections["due-soon"]
    assert "今天登记" in sections["open"] and "别人的" not in page


def test_handler_desk_lists_cases_awaiting_a_reply(app: Any, c: TestClient) -> None:
    case = api_intake(app, c, subject="待答复的事")
    api_act(app, c, case["case_no"], "accept", "A001")
    sign_in(c, "H001")
    page = c.get("/").text
    assert "待答复事项" in page and "待答复的事" in page
