"""On a phone (下移接待): every page a receptionist uses away from the desk fits a 390-px screen.

The demo office in Debian's Chromium at 390 × 844: the desk, the intake form, its check page, the
receipt, a case page, ``/track`` and the staff wall scroll only up and down, the top bar stays one
short row with its menu folded (a <details>; the round runs with JavaScript off), tables read as stacked
cards labelled cell by cell, and the first Tab reaches 「跳到正文」.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, update

from cases.demo.loader import load_demo
from cases.runtime import Runtime
from cases.store import tables
from tests.browser import CHROMIUM, PHONE, open_menu, open_page, phone_tour, serve, shot
from tests.web import PASSWORD, make_app, password_hash

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

#: A Friday morning, as the other demo tests load it.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
#: The top bar's height on a phone: one row, the menu folded (it was about 250 px).
MAX_BAR = 60
#: A receptionist of the demo office with cases on her desk (钱丽萍).
RECEPTIONIST = "JF03"
ROUND = ["desk", "intake", "check", "receipt", "case", "track-form", "track", "staff"]


@pytest.fixture
def server(sqlite_engine: Engine, rt: Runtime) -> Iterator[str]:
    """The demo office as of NOW, every login on the tests' password, served by uvicorn."""
    load_demo(sqlite_engine, rt, now=NOW)
    with sqlite_engine.begin() as conn:
        conn.execute(update(tables.staff_t).values(password_hash=password_hash()))
    with serve(make_app(sqlite_engine, rt, NOW)) as url:
        yield url


def measure(page: Any) -> dict[str, Any]:
    """The page's width against the screen's, the top bar's height, and the element reaching
    furthest right (to name the culprit when the page does not fit)."""
    return page.evaluate(
        """() => {
          let widest = '', right = 0;
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > right + 0.5) { right = r.right; widest = el.outerHTML.slice(0, 160); }
          }
          return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
                  bar: document.querySelector('.topbar').getBoundingClientRect().height,
                  right, widest};
        }"""
    )


def check_cards(page: Any) -> None:
    """The desk's rows are cards: cells stacked, each with its column's name before it."""
    cells = page.locator("tr[data-case]").first.locator("td")
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    assert len({round(b["x"]) for b in boxes}) == 1, boxes
    assert [b["y"] for b in boxes] == sorted(b["y"] for b in boxes)
    label = cells.nth(1).evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"事项"'


def check_menu(page: Any) -> None:
    """The menu is folded: its links appear when 「菜单」 is opened."""
    assert not page.get_by_role("link", name="党员公示").is_visible()
    open_menu(page)
    assert page.get_by_role("link", name="党员公示").is_visible()
    assert page.get_by_role("button", name="退出").is_visible()
    page.locator("details.navmenu > summary").click()
    assert not page.get_by_role("link", name="党员公示").is_visible()


def test_a_receptionists_round_fits_a_390px_phone(server: str) -> None:
    seen: list[str] = []

    def visit(name: str) -> None:
        page.wait_for_load_state()
        # On the page as it loads, the first Tab reaches the skip link, which leads to the content.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "跳到正文", name
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main", name
        m = measure(page)
        shot(page, f"phone-{name}")
        assert m["scroll"] <= m["inner"], (name, m)
        assert m["bar"] <= MAX_BAR, (name, m)
        if name == "desk":
            check_cards(page)
            check_menu(page)
        if name == "intake":
            # The representatives' table, unfolded: five cards of labelled fields.
            page.locator("summary", has_text="集体访代表").click()
            assert page.get_by_label("第1位代表姓名").is_visible()
            m = measure(page)
            shot(page, "phone-intake-representatives")
            assert m["scroll"] <= m["inner"], (name, m)
            page.locator("summary", has_text="集体访代表").click()
        if name == "check":
            assert page.locator("table.cards tbody tr").count() > 0, "no earlier matter listed"
        if name == "staff":
            # Every member's portrait shows (the demo's are PNG: the wall serves no other kind).
            widths = page.locator("img.photo").evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
            assert widths and all(widths), widths
        seen.append(name)

    # Scripts off: the menu, the cards and the skip link are HTML and CSS alone.
    with open_page(server, **PHONE, javascript=False) as page:
        phone_tour(page, RECEPTIONIST, PASSWORD, visit)
    assert seen == ROUND
