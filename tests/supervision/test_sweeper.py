"""The SLA sweeper: each level once per clock, whatever the number of sweepers or crashes."""

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from cases.audit import verify
from cases.casework import actions, intake, reading
from cases.models import CaseClock, Escalation, Outbox
from cases.runtime import Runtime
from cases.supervision import sweeper
from conftest import at
from tests.factories import case_in_state, intake_body, make_office, withdrawal

RECEIVED = at("2026-11-02 10:00")  # acceptance due 2026-11-17 (a Tuesday)


@pytest.fixture
def office(engine: Engine) -> Engine:
    """The engine with the test office's staff."""
    make_office(engine, RECEIVED)
    return engine


def _register(engine: Engine, rt: Runtime, n: int = 1, owner: str = "A001") -> list[str]:
    out = []
    for _ in range(n):
        with engine.begin() as conn:
            out.append(
                intake.intake(conn, rt, body=intake_body(), actor_staff_no=owner, now=RECEIVED)[
                    "case_no"
                ]
            )
    return out


def _escalations(engine: Engine) -> list[tuple[str, str, str, list[str]]]:
    e, c = Escalation.__table__, CaseClock.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(c.c.case_id, c.c.name, e.c.level, e.c.recipients)
            .join(c, c.c.id == e.c.clock_id)
            .order_by(e.c.id)
        ).all()
    return [(str(r.case_id), r.name, r.level, r.recipients) for r in rows]


def test_levels_climb_the_party_organisation(office: Engine, rt: Runtime) -> None:
    """预警 → owner; 超期 → owner + group leader; 督办 → branch secretary; 挂牌督办 → office leader."""
    _register(office, rt)
    result = sweeper.sweep(office, rt, now=at("2026-12-10 10:00"))
    acceptance = {lvl: who for _, name, lvl, who in _escalations(office) if name == "acceptance"}
    assert acceptance == {
        "warning": ["A001"],
        "overdue": ["A001", "G001"],
        "supervision": ["B001"],
        "flagged": ["L001"],
    }
    assert result["fired"]["flagged"] == 1
    with office.connect() as conn:
        recipients = set(conn.execute(select(Outbox.__table__.c.recipient_staff_no)).scalars())
        assert verify(conn, rt.audit_key).broken is None
    assert {"A001", "G001", "B001", "L001"} <= recipients


def test_each_level_fires_once_and_later_sweeps_fire_only_what_is_new(
    office: Engine, rt: Runtime
) -> None:
    """A sweep at T fires what is due by T; again at T nothing; at a later T' only the new levels."""
    _register(office, rt, 3)
    # Warning: 15-day period, lead max(3 days, 20 %) = 3 days before 24:00 of 11-17.
    first = sweeper.sweep(office, rt, now=at("2026-11-15 12:00"))
    assert first["fired"]["warning"] == 6  # acceptance and tracking warnings on each case
    assert first["fired"]["overdue"] == 3  # the 7-day tracking cadence lapsed on 11-09
    again = sweeper.sweep(office, rt, now=at("2026-11-15 12:00"))
    assert again["fired"] == {"warning": 0, "overdue": 0, "supervision": 0, "flagged": 0}
    assert again["examined"] == 0, "nothing due: the sweeper read no clock"
    later = sweeper.sweep(office, rt, now=at("2026-11-18 09:00"))
    assert later["fired"] == {"warning": 0, "overdue": 3, "supervision": 0, "flagged": 0}


def test_supervision_counts_working_days_past_the_deadline(office: Engine, rt: Runtime) -> None:
    """督办 fires when 3 working days have passed after the last day (11-18, 19, 20 → end of 11-20)."""
    _register(office, rt)
    sweeper.sweep(office, rt, now=at("2026-11-20 23:00"))
    assert "supervision" not in {lvl for _, n, lvl, _ in _escalations(office) if n == "acceptance"}
    sweeper.sweep(office, rt, now=at("2026-11-21 00:30"))
    assert "supervision" in {lvl for _, n, lvl, _ in _escalations(office) if n == "acceptance"}


def test_a_case_decided_in_time_never_escalates(office: Engine, rt: Runtime) -> None:
    """Accepting stops the acceptance clock: no later sweep escalates it (zammad#904's mistake)."""
    (case_no,) = _register(office, rt)
    with office.begin() as conn:
        actions.act(
            conn,
            rt,
            case_no=case_no,
            action="accept",
            actor_staff_no="A001",
            payload={},
            now=at("2026-11-03 09:00"),
        )
    sweeper.sweep(office, rt, now=at("2026-12-31 10:00"))
    assert not [e for e in _escalations(office) if e[1] == "acceptance"]


def test_a_closed_case_has_no_running_clock_and_open_escalations_are_settled(
    office: Engine, rt: Runtime
) -> None:
    """Withdrawing an overdue case stops its clocks and resolves its open escalations."""
    (case_no,) = _register(office, rt)
    sweeper.sweep(office, rt, now=at("2026-11-18 09:00"))
    with office.begin() as conn:
        actions.act(
            conn,
            rt,
            case_no=case_no,
            action="withdraw",
            actor_staff_no="A001",
            payload=withdrawal(at("2026-11-18 10:00")),
            now=at("2026-11-18 10:00"),
        )
    with office.connect() as conn:
        running = conn.execute(
            select(func.count())
            .select_from(CaseClock.__table__)
            .where(CaseClock.__table__.c.status == "running")
        ).scalar_one()
        open_ = conn.execute(
            select(func.count())
            .select_from(Escalation.__table__)
            .where(Escalation.__table__.c.status == "open")
        ).scalar_one()
    assert running == 0 and open_ == 0
    assert sweeper.sweep(office, rt, now=at("2027-03-01 10:00"))["examined"] == 0


def test_lapsed_review_window_closes_the_case(office: Engine, rt: Runtime) -> None:
    """条例第三十五条: no review request within 30 days of the reply → the case is closed, recorded."""
    case_no = case_in_state(office, rt, "replied", RECEIVED)  # reply on 11-02: window ends 12-02
    assert sweeper.sweep(office, rt, now=at("2026-12-02 23:59"))["closed_on_lapse"] == 0
    result = sweeper.sweep(office, rt, now=at("2026-12-03 00:01"))
    assert result["closed_on_lapse"] == 1
    with office.connect() as conn:
        case = reading.show(
            conn, rt, case_no=case_no, viewer_staff_no="G001", now=at("2026-12-03 00:01")
        )
        events = reading.case_events(conn, rt, case_no=case_no, viewer_staff_no="AU01")
    assert case["state"] == "closed"
    assert [c["status"] for c in case["clocks"] if c["name"] == "review_window"] == ["lapsed"]
    assert events[-1]["action"] == "lapse" and events[-1]["actor"] == "SYSTEM"


def test_a_sweeper_killed_mid_pass_fires_everything_exactly_once(
    office: Engine, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash after some levels rolls its batch back; the rerun fires each level once."""
    _register(office, rt, 6)
    expected = 6 * 6  # acceptance climbs 4 levels, tracking 2 (its ladder stops at overdue)
    real_fire = sweeper._fire
    calls = {"n": 0}

    def dying_fire(*args: Any, **kwargs: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 9:
            raise KeyboardInterrupt("killed")
        return real_fire(*args, **kwargs)

    monkeypatch.setattr(sweeper, "_fire", dying_fire)
    with pytest.raises(KeyboardInterrupt):
        sweeper.sweep(office, rt, now=at("2026-12-10 10:00"), batch_size=4)
    monkeypatch.setattr(sweeper, "_fire", real_fire)
    sweeper.sweep(office, rt, now=at("2026-12-10 10:00"), batch_size=4)
    fired = _escalations(office)
    assert len(fired) == expected
    assert len({(c, n, lvl) for c, n, lvl, _ in fired}) == len(fired)
    with office.connect() as conn:
        assert verify(conn, rt.audit_key).broken is None


def test_concurrent_sweepers_fire_each_level_once(office: Engine, rt: Runtime) -> None:
    """Four sweepers at the same instant (SKIP LOCKED on PostgreSQL) fire each level exactly once."""
    if office.dialect.name != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL")
    _register(office, rt, 12)
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(sweeper.sweep(office, rt, now=at("2026-12-10 10:00"), batch_size=5))
        except BaseException as exc:  # noqa: BLE001  (asserted below)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    total = sum(sum(r["fired"].values()) for r in results)
    fired = _escalations(office)
    assert total == len(fired) == 12 * 6
    assert len({(c, n, lvl) for c, n, lvl, _ in fired}) == len(fired)
    with office.connect() as conn:
        assert verify(conn, rt.audit_key).broken is None
