"""No code reaches a page untranslated: every page of the demo office's cases, read as the office's
supervisor and as the petitioner, shows events, states and roles in Chinese, and every staff member
by name with their 工号 (never a bare 「JF10」, never 「PETITIONER」 or 「SYSTEM」)."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from cases.crypto import hash_query_code
from cases.demo.loader import load_demo
from cases.demo.records import DEMO_PASSWORD
from cases.runtime import Runtime
from cases.store import tables
from tests.api.pages.helpers import text_of
from tests.web import client, csrf_of, make_app
from workflow import glossary, lifecycle

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
CODE = "TRACK23456"
#: Codes a reader must never see: steps, states, roles, categories, channels, party roles.
CODES = sorted(
    {
        *glossary.EVENT_LABELS,
        *lifecycle.STATE_LABELS,
        *lifecycle.ROLE_LABELS,
        *lifecycle.CATEGORY_LABELS,
        *lifecycle.CHANNEL_LABELS,
        *glossary.PARTY_ROLE_LABELS,
        "PETITIONER",
        "SYSTEM",
    },
    key=len,
    reverse=True,
)
CODE_RE = re.compile(
    r"(?<![A-Za-z0-9_./-])(" + "|".join(map(re.escape, CODES)) + r")(?![A-Za-z0-9_])"
)
SNAKE_RE = re.compile(r"(?<![A-Za-z0-9_./-])[a-z]+(?:_[a-z]+)+(?![A-Za-z0-9_])")


def visible(page: str) -> str:
    """The page's visible text: no scripts, styles or attributes."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    return " ".join(text_of(page).split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str], dict]]:
    """The demo office on SQLite, every case's 查询码 set to ``CODE``; the app, the case numbers
    and the staff's names by 工号."""
    from cases.db import make_engine, upgrade
    from cases.settings import Settings

    path = tmp_path_factory.mktemp("glossary") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine: Engine = make_engine(url)
    rt = Runtime.from_settings(
        Settings(
            database_url=url,
            secret_key=b"test-secret-key-0123456789abcdef0123456789",
            data_key=b"test-data-key-0123456789abcdef0123456789ab",
            timezone=ZoneInfo("Asia/Shanghai"),
            env="test",
            fixed_now=None,
        )
    )
    load_demo(engine, rt, now=NOW)
    with engine.begin() as conn:
        conn.execute(update(tables.case_t).values(query_code_hash=hash_query_code(CODE)))
        numbers = list(conn.execute(select(tables.case_t.c.case_no).order_by("case_no")).scalars())
        names = dict(conn.execute(select(tables.staff_t.c.staff_no, tables.staff_t.c.name)).all())
    yield make_app(engine, rt, now=NOW), numbers, names
    engine.dispose()


def assert_translated(url: str, page: str, names: dict[str, str]) -> None:
    """No code on the page, and every 工号 next to its holder's name."""
    text = visible(page)
    found = CODE_RE.findall(text) + SNAKE_RE.findall(text)
    assert not found, f"{url}: untranslated {sorted(set(found))}"
    for m in re.finditer(r"(?<![A-Za-z0-9])(" + "|".join(names) + r")(?![0-9])", text):
        before = text[max(0, m.start() - 12) : m.start()]
        assert names[m.group(1)] in before, (
            f"{url}: 工号 {m.group(1)} without its name: …{text[max(0, m.start() - 30) : m.end() + 10]}…"
        )


def sign_in(c: TestClient, staff_no: str) -> None:
    token = csrf_of(c.get("/login").text)
    r = c.post(
        "/login",
        data={"staff_no": staff_no, "password": DEMO_PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert r.status_code == 303, r.text


def test_no_code_reaches_a_staff_page(demo: tuple[Any, list[str], dict]) -> None:
    app, numbers, names = demo
    c = client(app)
    sign_in(c, "JF02")  # the branch secretary, a supervisor: every case, every form
    pages = ["/", "/cases", "/queue", "/queue/flagged", "/reports", "/staff", "/briefing", "/inbox"]
    pages += ["/cases/new"]
    for no in numbers:
        pages += [f"/cases/{no}", f"/cases/{no}/receipt", f"/cases/{no}/petitioner"]
    for url in pages:
        r = c.get(url, follow_redirects=True)
        assert r.status_code == 200, (url, r.status_code)
        assert_translated(url, r.text, names)


def test_no_code_reaches_the_tracking_page(demo: tuple[Any, list[str], dict]) -> None:
    app, numbers, names = demo
    anon = client(app)
    for no in numbers:
        token = csrf_of(anon.get("/track").text)
        r = anon.post("/track", data={"case_no": no, "code": CODE, "csrf_token": token})
        assert r.status_code == 303, (no, r.text[:300])
        page = anon.get(f"/track/{no}").text
        assert_translated(f"/track/{no}", page, names)
