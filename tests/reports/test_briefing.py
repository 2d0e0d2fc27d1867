"""The daily briefing (每日例会): per owner and per branch — due today, overdue, new since yesterday,
ratings received; produced once a day at its hour, shown on a page, e-mailed, and run by command."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from cases.notify.channels import ChannelConfig
from cases.notify.worker import deliver
from cases.reports.briefing import briefing, run_briefing
from cases.runtime import Runtime
from cases.store import tables
from cases.store.tables import outbox_t
from conftest import at
from tests.notify.helpers import MailDrop, free_port
from tests.web import NOW, api_act, api_intake, client, make_app, make_web_office, sign_in


@pytest.fixture
def office(engine: Engine, rt: Runtime) -> dict[str, Any]:
    """A001 has a case due today and one overdue; A003 a new one; A002's case was just rated."""
    make_web_office(engine)
    app = make_app(engine, rt)
    c = client(app)
    cases = {
        # Acceptance due 2026-11-26, a Thursday: today.
        "due_today": api_intake(app, c, "A001", received_at="2026-11-11T09:00:00+08:00"),
        "overdue": api_intake(app, c, "A001", received_at="2026-11-09T09:00:00+08:00"),
        "new": api_intake(app, c, "A003", received_at="2026-11-25T16:00:00+08:00"),
        "rated": api_intake(app, c, "A002", received_at="2026-11-02T09:00:00+08:00"),
    }
    no = {k: v["case_no"] for k, v in cases.items()}
    api_act(app, c, no["rated"], "accept", "A002")
    api_act(app, c, no["rated"], "reply", "H001", outcome="support", opinion="予以支持")
    api_act(app, c, no["rated"], "record_evaluation", "A002", rating="dissatisfied")
    return {"app": app, "engine": engine, "no": no}


def briefing_messages(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.begin() as conn:
        rows = conn.execute(select(outbox_t).where(outbox_t.c.topic == "briefing"))
        out: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            out.setdefault(r.recipient_staff_no, []).append(r.payload)
    return out


def test_what_each_owner_and_the_branch_hear(office: dict[str, Any], rt: Any) -> None:
    engine, no = office["engine"], office["no"]
    with engine.begin() as conn:
        data = briefing(conn, rt, NOW)
    owners = {o["staff_no"]: o for o in data["owners"]}
    a001 = owners["A001"]
    assert [i["case_no"] for i in a001["due_today"]] == [no["due_today"]]
    assert [i["case_no"] for i in a001["overdue"]] == [no["overdue"]]
    assert a001["overdue"][0]["days_late"] > 0 and a001["ratings"] == []
    # Each says how late, or how long is left, as the desk and the queue do (workflow.standing).
    assert a001["overdue"][0]["text"] == "受理告知期限超期2日（2个工作日）"
    assert a001["due_today"][0]["text"] == "受理告知期限剩余14小时"
    assert [i["case_no"] for i in owners["A003"]["new"]] == [no["new"]]
    assert [(i["case_no"], i["rating_label"]) for i in owners["A002"]["ratings"]] == [
        (no["rated"], "不满意")
    ]
    (branch,) = data["branches"]
    assert branch["name"] == "接访处党支部"
    assert branch["counts"] == {"due_today": 1, "overdue": 1, "new": 1, "ratings": 1}
    assert branch["overdue"][0]["owner"] == "张敏（A001）"


def test_produced_once_a_day_at_its_hour(
    office: dict[str, Any], rt: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = office["engine"]
    monkeypatch.setenv("SHOUJIE_BRIEFING_HOUR", "11")
    early = run_briefing(engine, rt, at("2026-11-26 10:30"))
    assert (early["ran"], early["why"]) == (False, "not_yet")
    assert briefing_messages(engine) == {}

    done = run_briefing(engine, rt, at("2026-11-26 11:00"))
    assert done["ran"] and done["owners"] == 3 and done["branches"] == 1
    got = briefing_messages(engine)
    # Each owner hears their own; the branch secretary and the office leader hear the branch's.
    assert set(got) == {"A001", "A002", "A003", "B001", "L001"}
    assert got["A001"][0]["counts"] == {"due_today": 1, "overdue": 1, "new": 0, "ratings": 0}
    assert got["B001"][0]["title"] == "接访处党支部："
    assert got["L001"][0]["counts"]["ratings"] == 1

    # The background task asks every few seconds: nothing twice the same day.
    again = run_briefing(engine, rt, at("2026-11-26 11:00:10"))
    assert (again["ran"], again["why"]) == (False, "done")
    forced = run_briefing(engine, rt, at("2026-11-26 12:00"), force=True)
    assert forced["ran"] and forced["messages"] == 0
    assert sum(len(v) for v in briefing_messages(engine).values()) == 5
    # The next day it runs again.
    assert run_briefing(engine, rt, at("2026-11-27 11:30"))["ran"]


def test_the_briefing_page(office: dict[str, Any]) -> None:
    app, no = office["app"], office["no"]
    c = client(app)
    sign_in(c, "A001")
    page = c.get("/briefing").text
    assert "每日例会 2026-11-26" in page
    assert no["due_today"] in page and no["overdue"] in page and "接访处党支部" not in page
    c = client(app)
    sign_in(c, "B001")
    page = c.get("/briefing").text
    assert "接访处党支部" in page and "张敏" in page and no["rated"] in page
    assert c.get("/api/v1/briefing").status_code == 401  # the API takes a token, not a cookie


@pytest.fixture
def smtp() -> Iterator[tuple[MailDrop, int]]:
    from aiosmtpd.controller import Controller

    drop = MailDrop()
    port = free_port()
    controller = Controller(drop, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield drop, port
    finally:
        controller.stop()


def test_the_briefing_by_email(office: dict[str, Any], rt: Any, smtp: tuple[MailDrop, int]) -> None:
    engine, no = office["engine"], office["no"]
    drop, port = smtp
    with engine.begin() as conn:
        conn.execute(
            update(tables.staff_t)
            .where(tables.staff_t.c.staff_no == "B001")
            .values(email="zhouhong@xfj.example.cn")
        )
    run_briefing(engine, rt, NOW, force=True)
    deliver(engine, rt, NOW, config=ChannelConfig(smtp_host="127.0.0.1", smtp_port=port))
    (mail,) = drop.received
    assert mail["To"] == "zhouhong@xfj.example.cn" and "每日例会" in mail["Subject"]
    body = mail.get_content()
    assert "已超期" in body and no["overdue"] in body and "张敏（A001）" in body
    assert "受理告知期限超期2日（2个工作日）（届满2026-11-24）" in body
    assert "不满意" in body and "/briefing" in body


def test_shoujie_briefing_now(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from api.cli.main import main
    from cases import db as cases_db
    from cases.settings import settings

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SHOUJIE_DATABASE_URL", url)
    monkeypatch.setenv("SHOUJIE_ENV", "test")
    monkeypatch.setenv("SHOUJIE_NOW", "2026-11-26T07:00:00+08:00")
    monkeypatch.setenv("SHOUJIE_BRIEFING_HOUR", "8")
    settings.cache_clear()
    try:
        assert main(["db", "upgrade"]) == 0
        engine = cases_db.engine_for(url)
        make_web_office(engine)
        app = make_app(engine, Runtime.from_settings(settings()))
        api_intake(app, client(app), "A001", received_at="2026-11-09T09:00:00+08:00")
        capsys.readouterr()
        assert main(["briefing"]) == 0
        assert "未到每日例会时间（8时）" in capsys.readouterr().out
        assert main(["briefing", "--now", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["ran"] is True and out["messages"] == 3  # A001, the secretary, the leader
        assert out["owners"] == [
            {"staff_no": "A001", "due_today": 0, "overdue": 1, "new": 0, "ratings": 0}
        ]
        assert main(["briefing", "--now", "2026-11-27T08:00:00+08:00"]) == 0
        assert "每日例会 2026-11-27" in capsys.readouterr().out
    finally:
        settings.cache_clear()
        cases_db.engine_for.cache_clear()
