"""In Chromium: a receptionist attaches a letter's scan at intake; the case page shows it with its
preview; accepting issues the 受理告知书, printable from the case page; the petitioner downloads it
on /track with the case number and 查询码."""

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine

from cases.runtime import Runtime
from tests.browser import CHROMIUM, open_page, serve, shot, sign_in, sign_out
from tests.web import make_app, make_web_office

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def page(sqlite_engine: Engine, rt: Runtime) -> Iterator[Any]:
    make_web_office(sqlite_engine)
    with serve(make_app(sqlite_engine, rt)) as url, open_page(url) as page:
        # The first check page loads the keyword dictionary: on a busy machine that takes a while.
        page.set_default_timeout(60_000)
        yield page


def scan() -> bytes:
    """A letter's scan: a white page with lines of 'text'."""
    img = Image.new("L", (420, 600), 255)
    for y in range(60, 560, 24):
        img.paste(40, (40, y, 380, y + 6))
    out = io.BytesIO()
    img.save(out, "JPEG")
    return out.getvalue()


def test_a_receptionist_attaches_a_scan_at_intake(page: Any) -> None:
    sign_in(page, "A001")
    page.goto("/cases/new")
    page.get_by_label("信访形式").select_option("letter")
    page.get_by_label("行政区划代码").fill("320102")
    page.get_by_label("姓名").first.fill("王建国")
    page.get_by_label("身份证号码").first.fill("11010519491231002X")
    page.get_by_label("联系电话").first.fill("13800138000")
    page.get_by_label("标题").fill("拆迁补偿款未发放")
    page.get_by_label("主要内容").fill("2025年签订拆迁协议后补偿款至今未到位。")
    page.get_by_label("上传材料（图片或 PDF，可多选）").set_input_files(
        files=[{"name": "来信扫描.jpg", "mimeType": "image/jpeg", "buffer": scan()}]
    )
    shot(page, "paper-01-intake-attach")
    page.get_by_role("button", name="登记并生成回执").click()
    page.wait_for_load_state()
    if page.url.endswith("/cases/new/check"):
        page.get_by_role("button", name="不是，继续登记").click()
    page.wait_for_url(re.compile(r"/cases/2026-\d{6}/receipt$"))
    case_no = page.url.split("/")[-2]
    code = page.locator(".code").inner_text().replace(" ", "")

    page.goto(f"/cases/{case_no}")
    materials = page.locator("#attachments")
    assert materials.get_by_text("来信扫描.jpg").is_visible()
    preview = materials.locator("img.thumb")
    assert preview.evaluate("img => img.naturalWidth") > 0
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_url(f"**/cases/{case_no}")
    notices = page.locator("#paper")
    assert notices.get_by_text("受理告知书").is_visible()
    assert notices.get_by_text("信访告字〔2026〕1号").is_visible()
    shot(page, "paper-02-case-page")
    with page.expect_popup() as popup:
        notices.get_by_role("link", name="打印").click()
    printed = popup.value
    printed.wait_for_load_state()
    assert "王建国" in printed.content() and "《信访工作条例》第二十二条" in printed.content()
    shot(printed, "paper-03-notice")
    printed.close()
    sign_out(page)

    page.goto("/track")
    page.get_by_label("案件编号").fill(case_no)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/track/{case_no}")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    path = download.value.path()
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
