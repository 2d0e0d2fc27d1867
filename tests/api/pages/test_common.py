"""What every page shares: the CSRF token on each form, security headers, error pages in Chinese."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.pages.helpers import intake_form
from tests.web import sign_in


def test_every_page_post_needs_the_csrf_token(sc: TestClient) -> None:
    c = sc
    sign_in(c, "A001")
    for data in ({}, {"csrf_token": "forged"}):
        r = c.post("/cases/new", data={**intake_form(), **data})
        assert r.status_code == 403 and "页面已过期" in r.text
    r = c.post("/logout", data={})
    assert r.status_code == 403
    assert c.get("/").status_code == 200  # still signed in


def test_pages_carry_security_headers(sc: TestClient) -> None:
    c = sc
    r = c.get("/login")
    assert "script-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-frame-options"] == "DENY"
    assert c.get("/static/style.css").status_code == 200


def test_error_pages_are_html_in_chinese(app: Any, c: TestClient) -> None:
    sign_in(c, "A001")
    r = c.get("/cases/2026-999999")
    assert r.status_code == 404 and "没有编号为 2026-999999 的信访事项" in r.text
    assert r.headers["content-type"].startswith("text/html")
    assert c.get("/no/such/page").status_code == 404
