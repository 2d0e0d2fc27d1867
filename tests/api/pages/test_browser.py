"""A real browser through the whole course: sign in, register, receipt, accept, reply, track, rate.

Debian's Chromium driven by Playwright (never ``playwright install``); the server is uvicorn in a
thread on a free loopback port, on a temporary SQLite database. Screenshots go to artifacts/.
"""

import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from cases.runtime import Runtime
from tests.browser import CHROMIUM, open_page, serve, shot, sign_in, sign_out
from tests.web import make_app, make_web_office

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def server(sqlite_engine: Engine, rt: Runtime) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL."""
    make_web_office(sqlite_engine)
    with serve(make_app(sqlite_engine, rt)) as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    """A Chromium page on the served app."""
    with open_page(server) as page:
        yield page


def portrait_png(width: int = 96, height: int = 120) -> bytes:
    """A small PNG portrait (a head and shoulders on a blue ground), made without any library."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            head = (x - width / 2) ** 2 + (y - height * 0.38) ** 2 < (width * 0.2) ** 2
            body = (x - width / 2) ** 2 / 1.8 + (y - height * 1.05) ** 2 < (width * 0.42) ** 2
            if head:
                row += bytes((238, 200, 170))
            elif body:
                row += bytes((40, 44, 60))
            else:
                row += bytes((70 + y // 3, 120 + y // 4, 200))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def test_register_accept_reply_track_and_rate(page: Any) -> None:
    sign_in(page, "A001")
    assert page.get_by_text("张敏（A001），您好").is_visible()
    shot(page, "01-desk")

    # Register: a mistake first, kept and pointed at; then the corrected form.
    page.get_by_role("link", name="登记", exact=True).click()
    page.get_by_label("行政区划代码").fill("320102")
    page.get_by_label("姓名").first.fill("王建国")
    page.get_by_label("身份证号码").first.fill("11010519491231002X")
    page.get_by_label("联系电话").first.fill("1380013")
    page.get_by_label("标题").fill("拆迁补偿款未发放")
    page.get_by_label("主要内容").fill("2025年签订拆迁协议后补偿款至今未到位。")
    page.get_by_role("button", name="登记并生成回执").click()
    assert page.get_by_text("联系电话号码无效").first.is_visible()
    assert page.get_by_label("姓名").first.input_value() == "王建国"
    shot(page, "02-intake-errors")
    page.get_by_label("联系电话").first.fill("13800138000")
    page.get_by_label("诉求").fill("尽快发放补偿款")
    page.get_by_role("button", name="登记并生成回执").click()
    # Before saving, the desk shows the jurisdiction check (and any earlier matters): a new matter.
    page.wait_for_load_state()
    if page.url.endswith("/cases/new/check"):
        shot(page, "02b-intake-check")
        page.get_by_role("button", name="不是，继续登记").click()

    # The receipt, with the 查询码 shown this once.
    page.wait_for_url(re.compile(r"/cases/2026-\d{6}/receipt$"))
    case_no = page.url.split("/")[-2]
    code = page.locator(".code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z0-9]{10}", code)
    assert code not in page.url
    assert page.get_by_text("信访事项登记回执").is_visible()
    assert page.get_by_text("2026-12-11（周五）").is_visible()
    shot(page, "03-receipt")
    page.emulate_media(media="print")
    shot(page, "04-receipt-print")
    assert not page.locator(".topbar").is_visible()
    page.emulate_media(media="screen")

    # Accept it from the case page.
    page.goto(f"/cases/{case_no}")
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_url(f"**/cases/{case_no}")
    assert page.get_by_text("已受理", exact=True).first.is_visible()
    assert page.get_by_text("办理期限", exact=True).is_visible()
    shot(page, "05-case-accepted")
    sign_out(page)

    # A handler replies.
    sign_in(page, "H001")
    assert page.get_by_text("待答复事项").is_visible()
    page.get_by_role("link", name=case_no).first.click()
    page.locator("summary", has_text="答复").click()
    page.get_by_label("处理意见", exact=True).select_option("support")
    page.get_by_label("处理意见书内容").fill("经核查，补偿款将于30日内发放。")
    page.get_by_role("button", name="确认答复").click()
    page.wait_for_url(f"**/cases/{case_no}")
    assert page.get_by_text("已答复", exact=True).first.is_visible()
    shot(page, "06-case-replied")
    sign_out(page)

    # The petitioner tracks it with the code, sees public steps only, and rates it.
    page.goto("/track")
    page.get_by_label("案件编号").fill(case_no)
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/track/{case_no}")
    steps = page.locator(".timeline").inner_text()
    assert "登记" in steps and "受理" in steps and "答复" in steps
    assert page.get_by_text("经核查，补偿款将于30日内发放。").is_visible()  # the reply, in full
    assert "王建国" not in page.content()
    page.get_by_label("满意", exact=True).check()
    shot(page, "07-track")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url(f"**/track/{case_no}")
    assert page.get_by_text("感谢您的评价").is_visible()
    assert page.get_by_role("button", name="提交评价").count() == 0
    shot(page, "08-track-rated")

    # An admin puts a photo and a pledge on the public staff wall.
    sign_in(page, "AD01")
    page.wait_for_url("**/admin/staff")
    row = page.locator("tr", has_text="A001")
    row.locator("input[type=file]").set_input_files(
        files=[{"name": "a001.png", "mimeType": "image/png", "buffer": portrait_png()}]
    )
    row.get_by_placeholder("一句话承诺").fill("群众的事再小也是大事")
    row.get_by_role("button", name="保存").click()
    assert page.get_by_text("已更新 A001").is_visible()
    shot(page, "09-admin-staff")
    page.goto("/staff")
    photo = page.get_by_role("img", name="张敏的照片")
    # Stored cropped to 3:4 and re-encoded (96 × 120 → 90 × 120), never scaled up.
    assert photo.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [90, 120]
    assert page.get_by_text("群众的事再小也是大事").is_visible()
    shot(page, "10-staff-wall")
