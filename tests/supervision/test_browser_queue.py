"""A real browser through the supervisor queue: a sweep makes a case overdue; the supervisor sees it
in the queue and issues a 督办单; the owner sees it on the desk and answers; the queue row updates.

Debian's Chromium driven by Playwright (never ``playwright install``), uvicorn on a free loopback
port, a temporary SQLite database. Screenshots go to artifacts/.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from api.app import create_app
from cases.casework import intake
from cases.runtime import Runtime
from cases.settings import Clock
from cases.store import tables
from cases.supervision.sweeper import sweep
from tests.browser import CHROMIUM, open_page, serve, shot, sign_in, sign_out
from tests.factories import intake_body
from tests.web import NOW, make_web_office

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def overdue_case(sqlite_engine: Engine, rt: Runtime) -> str:
    """A001's case received on 2026-11-09: its 15-day acceptance period ran out on 11-24."""
    make_web_office(sqlite_engine)
    with sqlite_engine.begin() as conn:
        case = intake.intake(
            conn,
            rt,
            body=intake_body(received_at="2026-11-09T09:00:00+08:00", subject="征地补偿款未发放"),
            actor_staff_no="A001",
            now=NOW,
        )
    return case["case_no"]


@pytest.fixture
def server(sqlite_engine: Engine, rt: Runtime, overdue_case: str) -> Iterator[str]:
    """The app served by uvicorn in a thread (no background tasks: the test sweeps)."""
    app = create_app(
        engine=sqlite_engine, rt=rt, clock=Clock(NOW), sweep_interval=0, deliver_interval=0
    )
    with serve(app) as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    """A Chromium page on the served app."""
    with open_page(server, width=1400) as page:
        yield page


def test_supervisor_issues_a_notice_and_the_owner_answers_it(
    page: Any, sqlite_engine: Engine, rt: Runtime, overdue_case: str
) -> None:
    no = overdue_case
    # The sweep makes the case overdue: an escalation row for the group leader's queue.
    fired = sweep(sqlite_engine, rt, now=NOW)["fired"]
    assert fired["overdue"] == 1
    with sqlite_engine.begin() as conn:
        levels = set(conn.execute(select(tables.escalation_t.c.level)).scalars())
    assert "overdue" in levels

    sign_in(page, "G001")
    page.get_by_role("link", name="督办队列", exact=True).click()
    page.wait_for_url("**/queue")
    # One row for the case: its level and time are its standing, its clocks inside.
    row = page.locator(f"tr[data-case='{no}']")
    assert row.locator("td").first.get_by_text("超期", exact=True).is_visible()
    assert row.get_by_text("张敏").is_visible() and row.get_by_text("（A001）").is_visible()
    # The last day, 11-24, ended at 24:00: today, 11-26, is the second day past it, both working.
    assert row.locator("td").nth(4).get_by_text("超期2日（2个工作日）").is_visible()
    shot(page, "11-queue")

    row.locator("summary", has_text="督办单").click()
    row.get_by_label("答复期限").fill("2026-11-30")
    row.get_by_label("督办要求").fill("请于11月30日前报告受理情况")
    row.get_by_role("button", name="下达督办单").click()
    page.wait_for_url(re.compile(r"/queue(\?.*)?$"))
    assert page.get_by_text("已下达督办单").is_visible()
    row = page.locator(f"tr[data-case='{no}']")
    assert row.get_by_text("待答复").is_visible()
    assert row.get_by_text("限2026-11-30前").is_visible()
    shot(page, "12-queue-notice-issued")
    sign_out(page)

    # The owner sees the notice on the desk (and a message in the top bar) and answers it there.
    sign_in(page, "A001")
    assert page.locator("#unread-count").is_visible()
    notices = page.locator("#notices")
    assert notices.get_by_role("link", name=no).is_visible()
    assert notices.get_by_text("请于11月30日前报告受理情况").is_visible()
    shot(page, "13-desk-notice")
    notices.get_by_label("答复内容").fill("已与信访人面谈，11月27日受理")
    notices.get_by_role("button", name="答复督办单").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_text("已答复督办单").is_visible()
    assert page.locator("#notices").count() == 0
    sign_out(page)

    # Back in the queue, the row shows the answer.
    sign_in(page, "G001")
    page.goto("/queue")
    row = page.locator(f"tr[data-case='{no}']")
    assert row.get_by_text("已答复", exact=True).is_visible()
    assert row.get_by_text("答复：已与信访人面谈，11月27日受理").is_visible()
    shot(page, "14-queue-answered")
