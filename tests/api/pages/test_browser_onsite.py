"""On-site intake (下移接待) in Debian's Chromium on a phone's screen, the connection failing.

The network is switched off mid-form (Playwright's offline mode): the submission is held, the draft
kept in the browser, nothing reaches the server; when the network is back the draft is sent and
exactly one case is made. A post that lands but whose answer is lost is retried on reconnect and
still makes one case (the form's one-time token). A draft left behind comes back when the page is
opened again. On each backend.
"""

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine, func, select

from cases.models import CaseAttachment
from cases.runtime import Runtime
from cases.store import tables
from tests.browser import CHROMIUM, PHONE, open_page, serve, shot, sign_in
from tests.web import make_app, make_web_office

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

PAGE = "/cases/new/onsite"
DRAFT = "shoujie.draft.onsite"
SUBJECT = "小区加装电梯补贴未兑现"
RECEIPT = re.compile(r"/cases/\d{4}-\d{6}/receipt$")


@pytest.fixture
def site(engine: Engine, rt: Runtime) -> Iterator[tuple[str, Engine]]:
    """The web office served by uvicorn, with its database."""
    make_web_office(engine)
    with serve(make_app(engine, rt)) as url:
        yield url, engine


def cases_about(engine: Engine, subject: str = SUBJECT) -> int:
    """How many cases the database holds with this subject."""
    ct = tables.case_t
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(ct).where(ct.c.subject == subject)
        ).scalar_one()


def photos_on(engine: Engine, subject: str = SUBJECT) -> int:
    """How many attachments the cases with this subject carry."""
    ct, at = tables.case_t, CaseAttachment.__table__
    with engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(at)
            .join(ct, ct.c.id == at.c.case_id)
            .where(ct.c.subject == subject)
        ).scalar_one()


def photo() -> bytes:
    """A small JPEG, as the phone's camera hands it over."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(out, format="JPEG")
    return out.getvalue()


def fill_group(page: Any) -> None:
    """The group at the gate, typed on the phone."""
    page.get_by_label("接待地点").fill("南京市玄武区梅园新村街道办事处门口")
    page.get_by_label("来访人数").fill("36")
    page.locator("#f-subject").fill(SUBJECT)
    page.get_by_label("情况").fill("三十余户居民反映加装电梯补贴申请两年未获答复。")
    page.locator("#f-representatives-0-name").fill("陈国平")
    page.locator("#f-representatives-0-phone").fill("13912345678")


def draft(page: Any) -> dict[str, Any] | None:
    """The draft the page keeps in the browser's localStorage."""
    kept = page.evaluate(f"localStorage.getItem({json.dumps(DRAFT)})")
    return json.loads(kept) if kept else None


def test_offline_mid_form_keeps_the_draft_and_sends_it_once_when_back(
    site: tuple[str, Engine],
) -> None:
    url, engine = site
    with open_page(url, **PHONE) as page:
        sign_in(page, "A001")
        page.goto(PAGE)
        fill_group(page)
        page.locator("#f-photo-0").set_input_files(
            files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
        )
        page.context.set_offline(True)
        # Still typing with no connection: the rest of the form, then 登记.
        page.get_by_label("诉求").fill("请求兑现补贴")
        page.get_by_role("button", name="登记并提醒督办").click()
        status = page.locator("#onsite-status")
        status.get_by_text("网络已断开：草稿已保存在本机（含照片1张").wait_for()
        shot(page, "onsite-offline")
        kept = draft(page)
        assert kept is not None and kept["pending"] is True
        assert kept["fields"]["subject"] == SUBJECT
        assert kept["fields"]["requests"] == "请求兑现补贴"
        assert kept["fields"]["form_token"]
        assert page.url.endswith(PAGE)
        assert cases_about(engine) == 0  # nothing reached the server
        page.context.set_offline(False)
        page.wait_for_url(RECEIPT)
        assert "下移接待：南京市玄武区梅园新村街道办事处门口" in page.inner_text("main")
        assert page.locator(".code").is_visible()  # the 查询码, shown once
        assert draft(page) is None
    assert cases_about(engine) == 1
    assert photos_on(engine) == 1  # the photo held in its field went with the draft


def test_a_post_that_landed_unanswered_is_retried_without_a_second_case(
    site: tuple[str, Engine],
) -> None:
    url, engine = site
    with open_page(url, **PHONE) as page:
        sign_in(page, "A001")
        page.goto(PAGE)
        fill_group(page)
        landed: list[int] = []

        def lose_the_answer(route: Any) -> None:
            # The post reaches the server and registers; its answer never reaches the phone.
            if route.request.method == "POST" and not landed:
                landed.append(route.fetch().status)
                route.abort("internetdisconnected")
            else:
                route.continue_()

        page.route(f"**{PAGE}", lose_the_answer)
        page.get_by_role("button", name="登记并提醒督办").click()
        page.locator("#onsite-status").get_by_text("网络已断开").wait_for()
        assert landed == [200] and cases_about(engine) == 1
        # The connection comes back: the held draft goes again, with the same one-time token.
        page.context.set_offline(True)
        page.context.set_offline(False)
        page.wait_for_url(RECEIPT)
        assert "该表单已经提交过，未重复登记" in page.inner_text("main")
    assert cases_about(engine) == 1


def test_a_draft_left_behind_comes_back_with_its_photo(site: tuple[str, Engine]) -> None:
    url, engine = site
    with open_page(url, **PHONE) as page:
        sign_in(page, "A001")
        page.goto(PAGE)
        fill_group(page)
        page.get_by_text("更多代表").click()
        page.locator("#f-representatives-1-name").fill("金永林")
        page.locator("#f-representatives-1-phone").fill("13812345679")
        page.locator("#f-photo-0").set_input_files(
            files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
        )
        page.locator('form[data-photos-kept="1"]').wait_for(state="attached")
        # The page is left (a phone drops it while the camera is open) and opened again.
        page.goto("/")
        page.goto(PAGE)
        status = page.locator("#onsite-status")
        status.get_by_text("已恢复本机保存的未提交草稿（含照片1张）").wait_for()
        assert page.get_by_label("接待地点").input_value() == "南京市玄武区梅园新村街道办事处门口"
        assert page.locator("#f-subject").input_value() == SUBJECT
        # The second representative's row opens by itself to show what was kept.
        assert page.locator("#f-representatives-1-name").is_visible()
        assert page.locator("#f-representatives-1-name").input_value() == "金永林"
        assert page.locator("#f-photo-0").evaluate("el => el.files[0].name") == "IMG_0001.jpg"
        assert cases_about(engine) == 0
        page.get_by_role("button", name="登记并提醒督办").click()
        page.wait_for_url(RECEIPT)
        assert draft(page) is None
    assert cases_about(engine) == 1
    assert photos_on(engine) == 1


def test_without_javascript_the_form_posts_and_fits_the_phone(site: tuple[str, Engine]) -> None:
    url, engine = site
    with open_page(url, javascript=False, **PHONE) as page:
        sign_in(page, "A001")
        page.goto(PAGE)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        fill_group(page)
        page.get_by_role("button", name="登记并提醒督办").click()
        page.wait_for_url(RECEIPT)
        assert page.locator(".code").is_visible()
    assert cases_about(engine) == 1
