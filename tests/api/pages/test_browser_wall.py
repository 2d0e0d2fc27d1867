"""The demo office's staff wall in Debian's Chromium, on a desk's screen and on a 390-px phone:
every photo loads, nothing scrolls sideways, the groups stand in their natural order, and every
member shows their 群众评价."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from cases.demo.loader import load_demo
from cases.runtime import Runtime
from tests.browser import CHROMIUM, PHONE, open_page, serve, shot
from tests.web import make_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

#: A Friday morning, as the other demo tests load it.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
GROUPS = ["第一党小组", "第二党小组", "第三党小组"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo office as of NOW, served by uvicorn (read only: one load for both screens)."""
    from cases.db import make_engine, upgrade
    from cases.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('wall') / 'demo.db'}"
    upgrade(url)
    engine: Engine = make_engine(url)
    rt = Runtime.from_settings(
        Settings(
            database_url=url,
            secret_key=b"wall-test-secret-key-0123456789abcdef0123",
            data_key=b"wall-test-data-key-0123456789abcdef012345",
            timezone=ZoneInfo("Asia/Shanghai"),
            env="test",
            fixed_now=None,
        )
    )
    load_demo(engine, rt, now=NOW)
    with serve(make_app(engine, rt, NOW)) as base:
        yield base
    engine.dispose()


def wall_state(page: Any) -> dict[str, Any]:
    """Each image's natural size, the page's width against the window's, the groups in order."""
    return page.evaluate(
        """() => ({
          images: [...document.images].map(i => ({src: i.getAttribute('src'), complete: i.complete,
                   w: i.naturalWidth, h: i.naturalHeight})),
          scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
          groups: [...document.querySelectorAll('.wall-group')].map(g => g.dataset.group),
          members: document.querySelectorAll('.member').length,
          evaluations: [...document.querySelectorAll('.member .evaluation')]
                        .map(e => e.innerText.replace(/\\s+/g, ' ')),
          overflow: [...document.querySelectorAll('.member')].filter(
                      m => m.scrollWidth > m.clientWidth + 1).length,
        })"""
    )


@pytest.mark.parametrize(
    "screen", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"]
)
def test_every_photo_loads_and_the_wall_fits(server: str, screen: dict[str, int]) -> None:
    with open_page(server, **screen) as page:
        page.goto("/staff")
        page.wait_for_load_state("load")  # every image fetched (or failed)
        state = wall_state(page)
        shot(page, f"staff-wall-{screen['width']}")
        assert state["members"] == 13
        photos = [i for i in state["images"] if i["src"].startswith("/staff/")]
        assert len(photos) == 13
        broken = [i["src"] for i in photos if not (i["complete"] and i["w"] > 0)]
        assert broken == []
        assert all(i["w"] * 4 == i["h"] * 3 for i in photos), photos  # every one 3:4
        assert state["scroll"] <= state["inner"], state
        assert state["overflow"] == 0
        assert state["groups"] == GROUPS
        assert len(state["evaluations"]) == 13
        assert all("首接" in e and ("满意率" in e or "评价不足" in e) for e in state["evaluations"])
        # The office leader and the secretary head the first group, before its members.
        first = page.locator(".wall-group").first.locator(".member-name")
        names = [first.nth(i).inner_text() for i in range(3)]
        assert "处领导" in names[0] and "支部书记" in names[1] and "党小组长" in names[2], names
        # A member's page: photo loaded, no case, fits.
        page.locator(".member-name a").first.click()
        page.wait_for_url("**/staff/JF01")
        img = page.locator("img.photo")
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert "群众评价" in page.inner_text("main")
