"""The training office's pages: every page marked 「演练」, a run started, played and scored from the
pages, the debrief as PDF, the outbox kept in the office; and the real office untouched."""

from pathlib import Path

import pytest
from sqlalchemy import Engine

from api.app import create_app
from cases.db import make_engine
from cases.reports import counting, stats
from cases.runtime import Runtime
from cases.settings import Clock
from cases.training.office import TrainingClock
from tests.training.scripts import REAL_NOW, RIGHT, Trainee
from tests.web import NOW, client, csrf_of, make_app, make_web_office, sign_in


def _training_client(engine: Engine, rt: Runtime):  # noqa: ANN202
    app = create_app(
        engine=engine,
        rt=rt,
        clock=TrainingClock(engine, Clock(REAL_NOW)),
        sweep_interval=0,
        training=True,
    )
    return client(app)


def test_every_page_is_marked_and_a_run_is_scored_from_the_pages(
    training_engine: Engine, rt: Runtime
) -> None:
    c = _training_client(training_engine, rt)
    assert 'id="training-banner"' in c.get("/login").text
    csrf = sign_in(c, "JF02")
    page = c.get("/training").text
    assert 'id="training-banner"' in page and "【演练】" in page
    r = c.post(
        "/training/runs", data={"csrf_token": csrf, "scenario": "litigation", "trainee": "JF02"}
    )
    assert r.status_code == 303
    run_url = r.headers["location"]
    run_page = c.get(run_url).text
    assert "周建平" in run_page and 'id="training-banner"' in run_page
    assert c.get("/cases/new").text.count('id="training-banner"') == 1
    c.post(f"{run_url}/finish", data={"csrf_token": csrf_of(run_page)})
    scored = c.get(run_url).text
    # Hand-worked: nothing registered or decided; only 「不将诉讼事项受理」 (20) is met.
    assert "讲评：20/100，不合格" in scored
    pdf = c.get(f"{run_url}/debrief.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_trainee_sees_only_their_own_runs(training_engine: Engine, rt: Runtime) -> None:
    mine = Trainee(training_engine, rt, "review", trainee="JF03")
    other = Trainee(training_engine, rt, "review", trainee="JF04")
    c = _training_client(training_engine, rt)
    sign_in(c, "JF03")
    assert c.get(f"/training/runs/{mine.run_id}").status_code == 200
    assert c.get(f"/training/runs/{other.run_id}").status_code == 403


def test_the_outbox_stays_in_the_training_office(training_engine: Engine, rt: Runtime) -> None:
    t = Trainee(training_engine, rt, "group_visit")
    RIGHT["group_visit"](t)  # a group visit tells the supervisor
    app = create_app(
        engine=training_engine,
        rt=rt,
        clock=TrainingClock(training_engine, Clock(REAL_NOW)),
        sweep_interval=0,
        deliver_interval=5,
        training=True,
    )
    assert app.state.ctx.training
    c = client(app)
    sign_in(c, "JF02")
    assert (
        "【集体访】" in c.get("/training/outbox").text or "集体访" in c.get("/training/outbox").text
    )


def test_the_real_office_has_no_training_pages(sqlite_engine: Engine, rt: Runtime) -> None:
    make_web_office(sqlite_engine)
    c = client(make_app(sqlite_engine, rt))
    sign_in(c, "G001")
    assert c.get("/training").status_code == 404
    assert "training-banner" not in c.get("/").text


def test_real_statistics_are_unaffected_by_a_training_run(
    sqlite_engine: Engine, rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.casework import intake
    from cases.demo import organisation
    from cases.training import office
    from tests.factories import intake_body
    from tests.web import password_hash

    make_web_office(sqlite_engine)
    with sqlite_engine.begin() as conn:
        intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW)
    period = counting.Period(REAL_NOW.date().replace(day=1), NOW.date().replace(day=30))

    def real_stats() -> dict:
        with sqlite_engine.begin() as conn:
            return stats.office_stats(conn, rt, period=period, now=NOW)

    before = real_stats()
    url = f"sqlite:///{tmp_path / 'shoujie-training.db'}"
    training = make_engine(url)
    monkeypatch.setattr(organisation, "hash_password", lambda _p: password_hash())
    office.prepare(training, url, now=REAL_NOW)
    for name in ("group_visit", "accusation"):
        RIGHT[name](Trainee(training, rt, name))
    assert real_stats() == before
    assert before["intakes"] == 1
    training.dispose()


def test_shoujie_training_app_serves_the_training_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.settings import settings

    monkeypatch.setenv("SHOUJIE_DATABASE_URL", f"sqlite:///{tmp_path / 'office.db'}")
    monkeypatch.delenv("SHOUJIE_TRAINING_DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOUJIE_TRAINING", "1")
    settings.cache_clear()
    try:
        ctx = create_app(sweep_interval=0).state.ctx
        real_key = settings().secret_key
    finally:
        settings.cache_clear()
    assert ctx.training and isinstance(ctx.clock, TrainingClock)
    assert ctx.rt.settings.database_url == f"sqlite:///{tmp_path / 'office-training.db'}"
    # Keys of its own: the training office's audit chain and ciphers are not the real office's.
    assert ctx.rt.settings.secret_key != real_key


def test_a_turn_past_the_last_is_refused_with_a_message(
    training_engine: Engine, rt: Runtime
) -> None:
    t = Trainee(training_engine, rt, "litigation", trainee="JF02")
    t.next_turn()
    t.next_turn()
    c = _training_client(training_engine, rt)
    csrf = sign_in(c, "JF02")
    r = c.post(f"/training/runs/{t.run_id}/next", data={"csrf_token": csrf})
    assert r.status_code == 303
    assert "情节已全部展开" in c.get(f"/training/runs/{t.run_id}").text
    r = c.post("/training/runs", data={"csrf_token": csrf, "scenario": "nope", "trainee": "JF02"})
    assert r.headers["location"] == "/training"
    assert "没有名为「nope」的演练情境" in c.get("/training").text
