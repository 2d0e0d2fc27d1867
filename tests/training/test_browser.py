"""A trainee through the training office's real pages in Chromium: two scenarios, from starting the
run to the debrief, the 「演练」 banner on every page on the way."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from api.app import create_app
from cases.runtime import Runtime
from cases.settings import Clock
from cases.training.office import TrainingClock
from cases.training.people import people_of
from cases.training.scenarios import scenario
from tests.browser import CHROMIUM, open_page, serve, shot, sign_in, sign_out
from tests.training.scripts import REAL_NOW

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def page(training_engine: Engine, rt: Runtime) -> Iterator[Any]:
    """A Chromium page on the training office, served by uvicorn in a thread."""
    app = create_app(
        engine=training_engine,
        rt=rt,
        clock=TrainingClock(training_engine, Clock(REAL_NOW)),
        sweep_interval=0,
        training=True,
    )
    with serve(app) as url, open_page(url) as p:
        yield p


def marked(page: Any) -> None:
    """The page carries the training banner."""
    assert page.locator("#training-banner").is_visible(), page.url


def start_run(page: Any, name: str, trainee: str) -> int:
    """Start a run from the trainer's page; return its number."""
    page.goto("/training")
    marked(page)
    page.locator("#scenario").select_option(name)
    page.locator("#trainee").select_option(trainee)
    page.get_by_role("button", name="开始演练").click()
    page.wait_for_url(re.compile(r"/training/runs/\d+$"))
    marked(page)
    return int(page.url.rsplit("/", 1)[1])


def register(page: Any, category: str, group_size: int = 1, reps: list[dict] | None = None) -> str:
    """Fill the intake form from the run page's facts; return the new case's number."""
    facts = {
        key: page.locator(f"#fact-{key}").inner_text().strip() for key in ("id-number", "phone")
    }
    subject = page.locator("#facts tr", has_text="事项").last.locator("td").inner_text()
    content = page.locator("#facts tr", has_text="具体情况").locator("td").inner_text()
    name = page.locator("#facts tr", has_text="姓名").first.locator("td").inner_text()
    page.goto("/cases/new")
    marked(page)
    page.get_by_label("事项类别").select_option(category)
    page.get_by_label("行政区划代码").fill("320100")
    if group_size > 1:
        page.get_by_label("来访人数").fill(str(group_size))
        page.locator("summary", has_text="集体访代表").click()
        for i, rep in enumerate(reps or []):
            page.get_by_label(f"第{i + 1}位代表姓名").fill(rep["name"])
            page.get_by_label(f"第{i + 1}位代表身份证号码").fill(rep["id_number"])
    page.get_by_label("姓名").first.fill(name)
    page.get_by_label("身份证号码").first.fill(facts["id-number"])
    page.get_by_label("联系电话").first.fill(facts["phone"])
    page.get_by_label("标题").fill(subject)
    page.get_by_label("主要内容").fill(content)
    page.get_by_role("button", name="登记并生成回执").click()
    page.wait_for_load_state()
    if page.url.endswith("/cases/new/check"):
        marked(page)
        page.get_by_role("button", name="不是，继续登记").click()
    page.wait_for_url(re.compile(r"/cases/2026-\d{6}/receipt$"))
    marked(page)
    return page.url.split("/")[-2]


def play_and_finish(page: Any, run_id: int, turns: int) -> str:
    """Play the turns left, finish, and return the debrief's heading."""
    page.goto(f"/training/runs/{run_id}")
    for i in range(turns):
        # The turn's sweep may take a while on a loaded machine: no timed assertion, a wide wait.
        with page.expect_navigation(timeout=60_000):
            page.locator("#next-turn").click()
        assert page.locator("#turns .training-say").count() == i + 1
    with page.expect_navigation(timeout=60_000):
        page.locator("#finish").click()
    marked(page)
    return page.locator("#debrief h2").inner_text()


def test_litigation_done_right_through_the_pages(page: Any) -> None:
    sign_in(page, "JF02")  # a supervisor trains: she may refuse (不予受理) herself
    marked(page)
    run_id = start_run(page, "litigation", "JF02")
    assert page.get_by_text("周建平").first.is_visible()
    case_no = register(page, "appeal")
    page.goto(f"/cases/{case_no}")
    marked(page)
    page.locator("summary", has_text="不予受理").click()
    page.get_by_label("不予受理理由").select_option("litigation")
    page.get_by_role("button", name="确认不予受理").click()
    page.wait_for_load_state()
    if page.get_by_role("heading", name="确认不予受理").count():
        marked(page)
        page.get_by_role("button", name="确认不予受理").click()
    page.wait_for_url(f"**/cases/{case_no}")
    assert page.get_by_text("不予受理", exact=True).first.is_visible()
    heading = play_and_finish(page, run_id, 2)
    assert heading == "讲评：100/100，优秀"
    shot(page, "training-litigation-debrief")
    pdf = page.request.get(f"/training/runs/{run_id}/debrief.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")


def test_group_visit_with_a_late_reply_through_the_pages(page: Any) -> None:
    sign_in(page, "JF03")
    run_id = start_run(page, "group_visit", "JF03")
    reps = [
        {"name": p["name"], "id_number": p["id_number"]}
        for p in people_of(scenario("group_visit"), run_id)
    ]
    case_no = register(page, "appeal", group_size=12, reps=reps)
    page.goto(f"/cases/{case_no}")
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_url(f"**/cases/{case_no}")
    # Both turns played (45 days), then the trainee finishes without replying: the handling period
    # is still running, so 「在办理期限内作出书面答复」 (25) is missed. Hand-worked: 30 + 15 + 20 + 10.
    heading = play_and_finish(page, run_id, 2)
    assert heading == "讲评：75/100，良好"
    row = page.locator("#findings tr[data-code=reply_in_time]")
    assert "未做到" in row.inner_text() and "《信访工作条例》第三十四条" in row.inner_text()
    shot(page, "training-group-debrief")
    sign_out(page)
    # The trainer (a supervisor) sees the run and its score on the list.
    sign_in(page, "JF02")
    page.goto("/training")
    assert "75/100" in page.locator("#runs").inner_text()
