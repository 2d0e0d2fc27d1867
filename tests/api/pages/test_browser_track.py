"""In Chromium: a petitioner reads the reply and the review deadline on /track; a receptionist
reissues a lost 查询码 after checking the petitioner's ID number, and only the new code works.

Debian's Chromium driven by Playwright (never ``playwright install``); the app is served by uvicorn
in a thread on a temporary SQLite database. Screenshots go to artifacts/.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from cases.casework import actions, intake
from cases.runtime import Runtime
from tests.browser import CHROMIUM, open_page, serve, shot, sign_in
from tests.factories import VALID_ID, intake_body
from tests.web import NOW, make_app, make_web_office

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

OPINION = "经核查，您反映的补偿款已列入12月发放计划，将于2026年12月31日前发放到位。"


@pytest.fixture
def replied(sqlite_engine: Engine, rt: Runtime) -> tuple[str, str]:
    """A case registered, accepted and replied to; its number and 查询码."""
    make_web_office(sqlite_engine)
    with sqlite_engine.begin() as conn:
        case = intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW)
    for action, who, payload in (
        ("accept", "A001", {}),
        ("note", "A001", {"text": "内部：已电话联系街道"}),
        ("reply", "H001", {"outcome": "support", "opinion": OPINION}),
    ):
        with sqlite_engine.begin() as conn:
            actions.act(
                conn,
                rt,
                case_no=case["case_no"],
                action=action,
                actor_staff_no=who,
                payload=payload,
                now=NOW,
            )
    return case["case_no"], case["query_code"]


@pytest.fixture
def page(sqlite_engine: Engine, rt: Runtime, replied: tuple[str, str]) -> Iterator[Any]:
    """A Chromium page on the served app."""
    with serve(make_app(sqlite_engine, rt)) as url, open_page(url) as page:
        yield page


def open_track(page: Any, case_no: str, code: str) -> None:
    """The tracking form, filled in and sent."""
    page.goto("/track")
    page.get_by_label("案件编号").fill(case_no)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()


def test_petitioner_reads_the_reply_and_the_review_deadline(
    page: Any, replied: tuple[str, str]
) -> None:
    case_no, code = replied
    open_track(page, case_no, code)
    page.wait_for_url(f"**/track/{case_no}")
    reply = page.locator("section.reply")
    assert reply.get_by_role("heading", name="处理意见书").is_visible()
    assert reply.get_by_text(OPINION).is_visible()
    assert "支持" in reply.inner_text()
    nxt = page.locator("#next-steps").inner_text()
    assert "如不服处理意见，可于2026-12-28 24时前向" in nxt and "申请复查" in nxt, nxt
    assert "第三十五条" in nxt
    content = page.content()
    assert "内部：已电话联系街道" not in content and "王建国" not in content
    shot(page, "track-01-reply-and-review-deadline")


def test_receptionist_reissues_a_lost_code(page: Any, replied: tuple[str, str]) -> None:
    case_no, old = replied
    sign_in(page, "A001")
    page.goto(f"/cases/{case_no}")
    page.locator("summary", has_text="重新发放查询码").click()
    page.get_by_label("信访人身份证号码（核对身份）").fill("110105198001010016")
    page.get_by_role("button", name="核对并重新发放").click()
    assert page.get_by_text("身份证号码与登记的信访人不符").is_visible()
    page.get_by_label("信访人身份证号码（核对身份）").fill(VALID_ID)
    page.get_by_role("button", name="核对并重新发放").click()
    page.wait_for_url(re.compile(rf"/cases/{case_no}/receipt$"))
    assert page.get_by_text("已重新发放查询码，原查询码已作废").is_visible()
    new = page.locator(".code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z0-9]{10}", new) and new != old
    shot(page, "track-02-code-reissued")
    page.goto(f"/cases/{case_no}")
    assert page.locator(".timeline").get_by_text("重新发放查询码").is_visible()
    assert "张敏（A001）" in page.locator(".timeline li").first.inner_text()

    # The old code no longer opens the case; the new one does.
    page.get_by_role("button", name="退出").click()
    open_track(page, case_no, old)
    assert page.get_by_text("案件编号或查询码不正确").is_visible()
    open_track(page, case_no, new)
    page.wait_for_url(f"**/track/{case_no}")
    assert page.get_by_text(OPINION).is_visible()
