"""The inbox: the unread count on every page, marking one or all read, and only one's own."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.runtime import Runtime
from cases.supervision.sweeper import sweep
from tests.supervision.helpers import create, late_case, messages
from tests.web import NOW, bearer, client, make_web_office, sign_in


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    """The web office's app on NOW."""
    make_web_office(engine)
    return create(engine, rt)


@pytest.fixture
def c(app: Any) -> TestClient:
    """A client on it."""
    return client(app)


def test_unread_count_on_every_page_and_marking_read(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    late_case(app, c, "overdue")
    sweep(engine, rt, now=NOW)
    unread = len(messages(engine, "A001"))
    assert unread >= 1
    token = sign_in(c, "A001")
    for path in ("/", "/cases", "/staff", "/briefing"):
        assert f'id="unread-count">{unread}<' in c.get(path).text, path
    inbox = c.get("/inbox").text
    assert "超期" in inbox and "受理告知期限" in inbox
    first = messages(engine, "A001")[0].id
    c.post("/inbox/read", data={"csrf_token": token, "id": str(first)})
    if unread > 1:
        assert f'id="unread-count">{unread - 1}<' in c.get("/").text
    c.post("/inbox/read", data={"csrf_token": token})
    assert 'id="unread-count"' not in c.get("/").text
    api = c.get("/api/v1/inbox", headers=bearer(app, "A001")).json()
    assert api["unread"] == 0 and len(api["messages"]) == unread
    # Someone else's message cannot be marked through my account.
    other = messages(engine, "G001")[0].id
    r = c.post(f"/api/v1/inbox/{other}/read", headers=bearer(app, "A001"))
    assert r.json()["marked"] == 0
