"""A phone or ID number searched for never reaches a log: the page's search form and the API post
it in the body; a number put in a URL anyway is refused, and masked in the access line; the JSON
request log (with its X-Request-ID) carries the route, never the number."""

import io
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from api.observability import JsonFormatter, redact_numbers, text_log_config
from tests.browser import free_port
from tests.factories import VALID_ID
from tests.web import api_intake, bearer, csrf_of, sign_in

PHONE = "13800138000"
#: Every way the numbers could be written into a log line.
NEEDLES = (PHONE, "138-0013-8000", "138%2D0013", VALID_ID, VALID_ID.lower(), "1101051949")


@contextmanager
def served_with_logs(app: Any) -> Iterator[tuple[str, io.StringIO]]:
    """Serve ``app`` with uvicorn's text access log as ``shoujie serve --log-format text`` sets it
    up, and the JSON request lines; yield the base URL and everything logged."""
    import uvicorn

    captured = io.StringIO()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=text_log_config(), access_log=True
        )
    )
    text_handler = logging.StreamHandler(captured)
    json_handler = logging.StreamHandler(captured)
    json_handler.setFormatter(JsonFormatter())
    access, requests = logging.getLogger("uvicorn.access"), logging.getLogger("shoujie.request")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    access.addHandler(text_handler)
    requests.addHandler(json_handler)
    requests.setLevel(logging.INFO)
    try:
        yield f"http://127.0.0.1:{port}", captured
    finally:
        access.removeHandler(text_handler)
        requests.removeHandler(json_handler)
        server.should_exit = True
        thread.join(timeout=10)


def test_a_searched_number_never_reaches_the_logs(app: Any, c: Any) -> None:
    """Search by phone and ID on the page and the API; grep every log line for the numbers."""
    case = api_intake(app, c)
    headers = {**bearer(app, "A001"), "X-Request-ID": "search-privacy-test"}
    with served_with_logs(app) as (base, log), httpx.Client(base_url=base) as web:
        sign_in(web, "A001")  # type: ignore[arg-type]
        token = csrf_of(web.get("/cases").text)
        for q in (PHONE, "138-0013-8000", VALID_ID):
            page = web.post("/cases/search", data={"q": q, "csrf_token": token})
            assert page.status_code == 200 and case["case_no"] in page.text, q
            found = web.post("/api/v1/cases/search", json={"q": q}, headers=headers)
            assert [x["case_no"] for x in found.json()] == [case["case_no"]], q
            # Put in a URL anyway: refused, and the access line masks it.
            assert web.get("/cases", params={"q": q}).status_code == 400
            refused = web.get("/api/v1/cases", params={"q": q}, headers=headers)
            assert refused.status_code == 422 and refused.json()["code"] == "search.use_post"
        # By case number and by name the URL still works (neither is a person's number).
        assert case["case_no"] in web.get("/cases", params={"q": case["case_no"]}).text
        assert case["case_no"] in web.get("/cases", params={"q": "王建国"}).text
    lines = log.getvalue()
    assert "/cases/search" in lines and "/api/v1/cases" in lines  # the requests were logged
    assert "search-privacy-test" in lines  # with the request id
    assert "[号码已隐去]" in lines  # the URLs with a number were logged, masked
    for needle in NEEDLES:
        assert needle not in lines, needle


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("GET /cases?q=13800138000 HTTP/1.1", False),
        ("GET /cases?q=138-0013-8000", False),
        ("GET /cases?q=%2B86+138+0013+8000", False),
        ("GET /cases?q=11010519491231002X", False),
        ("GET /cases/2026-000123 HTTP/1.1", True),
        ("GET /petitioners/42", True),
    ],
)
def test_log_lines_mask_numbers_but_keep_case_numbers(text: str, kept: bool) -> None:
    """The access line's filter: a phone or ID masked however typed; a case number kept."""
    assert (redact_numbers(text) == text) is kept
