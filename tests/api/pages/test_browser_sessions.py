"""A real browser signs out, and a saved copy of its session cookie opens nothing afterwards
(the session ended in the database, not just in the browser)."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from api.security import SESSION_COOKIE
from cases.runtime import Runtime
from tests.browser import CHROMIUM, open_page, serve, sign_in, sign_out
from tests.web import make_app, make_web_office

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def page(sqlite_engine: Engine, rt: Runtime) -> Iterator[Any]:
    """A Chromium page on the app served by uvicorn."""
    make_web_office(sqlite_engine)
    with serve(make_app(sqlite_engine, rt)) as url, open_page(url) as page:
        yield page


def test_logout_ends_the_session_for_a_saved_cookie(page: Any) -> None:
    sign_in(page, "A001")
    saved = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert saved and saved[0]["httpOnly"]
    sign_out(page)
    assert not [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    # Someone kept the cookie and puts it back: the desk is not opened, the login page is shown.
    page.context.add_cookies(saved)
    page.goto("/")
    assert "/login" in page.url
    assert page.get_by_role("button", name="登录").is_visible()
