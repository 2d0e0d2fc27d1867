"""Helpers for the browser tests: Debian's Chromium driven by Playwright (never ``playwright
install``), the app served by uvicorn in a thread on a free loopback port, signing in and out,
screenshots in artifacts/, and a receptionist's round of the pages on a phone."""

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.web import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread; yield its base URL."""
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@contextmanager
def open_page(
    base_url: str, width: int = 1280, height: int = 900, javascript: bool = True
) -> Iterator[Any]:
    """A page of Debian's Chromium, driven by Playwright, on ``base_url`` (``javascript=False``:
    with the page's scripts turned off, as some offices' browsers are)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            base_url=base_url,
            viewport={"width": width, "height": height},
            locale="zh-CN",
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def shot(page: Any, name: str) -> None:
    """A full-page screenshot, artifacts/<name>.png."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, staff_no: str, password: str = PASSWORD) -> None:
    """Sign in through the login form; wait for the desk (or the admins' staff page)."""
    page.goto("/login")
    page.get_by_label("工号").fill(staff_no)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(admin/staff)?$"))


def sign_out(page: Any) -> None:
    """Sign out with the top bar's button."""
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")


#: A phone's screen (下移接待: reception taken to where the people are), in CSS pixels.
PHONE = {"width": 390, "height": 844}


def open_menu(page: Any) -> None:
    """Open the top bar's menu where the phone's folded menu stands in for it."""
    menu = page.locator("details.navmenu")
    if menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()


def phone_tour(page: Any, staff_no: str, password: str, visit: Callable[[str], None]) -> None:
    """A receptionist's round on a phone: desk, intake, its check page, the receipt, the case page
    of the desk's first row, then, signed out, ``/track`` (with the new case's 查询码) and the staff
    wall; ``visit(name)`` is called on each page as it stands."""
    sign_in(page, staff_no, password)
    visit("desk")
    case_no = page.locator("tr[data-case]").first.get_attribute("data-case")
    page.get_by_role("link", name="＋ 登记信访事项").click()
    page.wait_for_url("**/cases/new")
    visit("intake")
    page.get_by_label("行政区划代码").fill("320115")
    page.get_by_label("姓名").first.fill("王建军")
    page.get_by_label("联系电话").first.fill("13912345678")
    page.get_by_label("地址").first.fill("南京市江宁区秣陵街道将军大道220号")
    page.get_by_label("标题").fill("征地拆迁补偿款未足额发放")
    page.get_by_label("主要内容").fill("村组土地被征收后，地上附着物补偿款至今未足额发放。")
    page.get_by_label("诉求").fill("请求按协议足额发放补偿款")
    page.get_by_role("button", name="登记并生成回执").click()
    page.wait_for_url("**/cases/new/check")
    visit("check")
    page.get_by_role("button", name="不是，继续登记").click()
    page.wait_for_url(re.compile(r"/cases/\d{4}-\d{6}/receipt$"))
    new_case = page.url.split("/")[-2]
    code = page.locator(".code").inner_text().replace(" ", "")
    visit("receipt")
    page.goto(f"/cases/{case_no}")
    visit("case")
    open_menu(page)
    sign_out(page)
    page.goto("/track")
    visit("track-form")
    page.get_by_label("案件编号").fill(new_case)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/track/{new_case}")
    visit("track")
    page.goto("/staff")
    visit("staff")
