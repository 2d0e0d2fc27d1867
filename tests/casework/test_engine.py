"""The lifecycle engine through its service layer: every action in every state, versions,
transactions, numbering under concurrency, encryption at rest and the audit chain."""

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, text, update
from sqlmodel import SQLModel

from cases.audit import verify
from cases.casework import actions, intake, reading
from cases.crypto import verify_query_code
from cases.models import Case, CaseEvent, CaseRepresentative, Petitioner
from cases.runtime import Runtime
from conftest import at
from tests.factories import PATHS, PAYLOADS, case_in_state, intake_body, make_office
from workflow import lifecycle
from workflow.errors import ActionNotAllowed, Conflict, InvalidInput, NotFound, PermissionDenied

NOW = at("2026-11-05 10:00")


@pytest.fixture
def office(engine: Engine) -> Engine:
    """The engine with the test office's staff."""
    make_office(engine, NOW)
    return engine


def _act(
    engine: Engine, rt: Runtime, case_no: str, action: str, who: str = "G001", **kw: Any
) -> dict[str, Any]:
    payload = dict(PAYLOADS[action])
    if action == "record_partner_acceptance":
        payload["accepted_on"] = "2026-11-05"
    with engine.begin() as conn:
        return actions.act(
            conn,
            rt,
            case_no=case_no,
            action=action,
            actor_staff_no=who,
            payload=payload,
            now=NOW,
            **kw,
        )


def _counts(engine: Engine, case_no: str) -> tuple[int, int, str]:
    with engine.connect() as conn:
        row = conn.execute(select(Case.__table__).where(Case.__table__.c.case_no == case_no)).one()
        events = conn.execute(
            select(func.count())
            .select_from(CaseEvent.__table__)
            .where(CaseEvent.__table__.c.case_id == row.id)
        ).scalar_one()
    return row.version, events, row.state


@pytest.mark.parametrize("state", sorted(PATHS))
def test_every_action_in_every_state_works_or_names_the_allowed_ones(
    office: Engine, rt: Runtime, state: str
) -> None:
    """Each action either changes the case as the table says or is refused, listing what is allowed."""
    for action in lifecycle.ACTIONS:
        case_no = case_in_state(office, rt, state, NOW)
        with office.connect() as conn:
            allowed = reading.show(conn, rt, case_no=case_no, viewer_staff_no="G001", now=NOW)[
                "allowed_actions"
            ]
        before = _counts(office, case_no)
        if action in allowed:
            result = _act(office, rt, case_no, action)
            assert result["version"] == before[0] + 1
            expected = {
                d for a, sources, d in lifecycle.TRANSITIONS if a == action and state in sources
            }
            assert result["state"] in ({d or state for d in expected}), (state, action)
        else:
            with pytest.raises((ActionNotAllowed, PermissionDenied)) as err:
                _act(office, rt, case_no, action)
            if isinstance(err.value, ActionNotAllowed):
                assert err.value.allowed_actions == allowed
                assert err.value.exit_code == 3
            assert _counts(office, case_no) == before, "a refused action changed nothing"


def test_receptionist_acts_only_on_own_cases(office: Engine, rt: Runtime) -> None:
    """首接负责制: A002 may not accept A001's case; A001 may."""
    case_no = case_in_state(office, rt, "registered", NOW)
    with pytest.raises(PermissionDenied) as err:
        _act(office, rt, case_no, "accept", who="A002")
    assert "本人首接" in err.value.message and err.value.exit_code == 4
    assert _act(office, rt, case_no, "accept", who="A001")["state"] == "accepted"


def test_stale_version_is_a_conflict_and_nothing_is_lost(office: Engine, rt: Runtime) -> None:
    """A second writer on version 1 after the first wrote version 2 gets a conflict (exit 5)."""
    case_no = case_in_state(office, rt, "registered", NOW)
    first = _act(office, rt, case_no, "note", who="A001", expected_version=1)
    assert first["version"] == 2
    with pytest.raises(Conflict) as err:
        _act(office, rt, case_no, "accept", who="A001", expected_version=1)
    assert err.value.exit_code == 5
    version, events, state = _counts(office, case_no)
    assert (version, events, state) == (2, 2, "registered")


def test_failed_action_stores_nothing(office: Engine, rt: Runtime) -> None:
    """Reassigning to an unknown 工号 fails and leaves the case as it was."""
    case_no = case_in_state(office, rt, "accepted", NOW)
    before = _counts(office, case_no)
    with pytest.raises(NotFound), office.begin() as conn:
        actions.act(
            conn,
            rt,
            case_no=case_no,
            action="reassign",
            actor_staff_no="G001",
            payload={"to_staff_no": "NOBODY", "reason": "回避"},
            now=NOW,
        )
    assert _counts(office, case_no) == before


def test_reassign_keeps_every_owner_in_history(office: Engine, rt: Runtime) -> None:
    """Only a reasoned reassignment changes the owner; the history keeps the old one."""
    case_no = case_in_state(office, rt, "accepted", NOW)
    result = _act(office, rt, case_no, "reassign")
    assert result["owner"]["staff_no"] == "A002"
    with office.connect() as conn:
        events = reading.case_events(conn, rt, case_no=case_no, viewer_staff_no="AU01")
    reassign = [e for e in events if e["action"] == "reassign"][0]
    assert (
        reassign["payload"]["from_staff_no"] == "A001"
        and reassign["payload"]["to_staff_no"] == "A002"
    )
    assert reassign["payload"]["reason"] == "原责任人休假"


def test_bad_intake_stores_nothing(office: Engine, rt: Runtime) -> None:
    """An intake refused for a wrong check digit writes no petitioner and no case."""
    body = intake_body(petitioner={"name": "王建国", "id_number": "110105194912310021"})
    with pytest.raises(InvalidInput) as err, office.begin() as conn:
        intake.intake(conn, rt, body=body, actor_staff_no="A001", now=NOW)
    assert err.value.code == "intake.id_number_invalid"
    with office.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(Petitioner.__table__)).scalar_one() == 0
        )
        assert reading.case_count(conn) == 0


def test_identity_and_phone_are_encrypted_and_code_hashed(office: Engine, rt: Runtime) -> None:
    """Neither the ID number, the phone nor the 查询码 is stored in clear."""
    with office.begin() as conn:
        result = intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW)
    with office.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(select(Petitioner.__table__)) for v in row)
        case = conn.execute(select(Case.__table__)).one()
    assert "11010519491231002X" not in dump and "13800138000" not in dump
    assert result["petitioner"]["id_number_masked"] == "1101**********002X"
    assert result["query_code"] not in case.query_code_hash
    assert verify_query_code(result["query_code"], case.query_code_hash)


def test_group_visit_keeps_its_representatives(office: Engine, rt: Runtime) -> None:
    """条例第二十条: a group of 30 with 3 representatives is stored with them."""
    reps = [
        {"name": n, "phone": p}
        for n, p in (("甲一", "13900000001"), ("乙二", "13900000002"), ("丙三", "13900000003"))
    ]
    with office.begin() as conn:
        result = intake.intake(
            conn,
            rt,
            body=intake_body(group_size=30, representatives=reps),
            actor_staff_no="A001",
            now=NOW,
        )
    assert result["flags"]["group_size"] == 30
    with office.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).select_from(CaseRepresentative.__table__)
            ).scalar_one()
            == 3
        )


def test_idempotent_intake_returns_the_first_case(office: Engine, rt: Runtime) -> None:
    """A retried submission with the same key never makes two cases, and never shows the 查询码
    again (a lost code is reissued after the petitioner's identity is checked)."""
    with office.begin() as conn:
        first = intake.intake(
            conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW, idempotency_key="k-1"
        )
    with office.begin() as conn:
        again = intake.intake(
            conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW, idempotency_key="k-1"
        )
    assert again["case_no"] == first["case_no"] and "query_code" not in again
    assert len(first["query_code"]) == 10
    with office.connect() as conn:
        assert reading.case_count(conn) == 1


def test_case_numbers_are_per_year(office: Engine, rt: Runtime) -> None:
    """Numbers are YYYY-NNNNNN by the local date of receipt, restarting each year."""
    with office.begin() as conn:
        a = intake.intake(
            conn,
            rt,
            body=intake_body(received_at="2026-12-31T23:30:00+08:00"),
            actor_staff_no="A001",
            now=at("2027-01-01 08:00"),
        )
        b = intake.intake(
            conn, rt, body=intake_body(), actor_staff_no="A001", now=at("2027-01-01 08:00")
        )
        c = intake.intake(
            conn, rt, body=intake_body(), actor_staff_no="A001", now=at("2027-01-01 09:00")
        )
    assert [a["case_no"], b["case_no"], c["case_no"]] == [
        "2026-000001",
        "2027-000001",
        "2027-000002",
    ]


# --- the audit chain -----------------------------------------------------------------------------


def _three_cases(engine: Engine, rt: Runtime) -> list[str]:
    nos = [case_in_state(engine, rt, s, NOW) for s in ("closed", "accepted", "replied")]
    with engine.connect() as conn:
        assert verify(conn, rt.audit_key).broken is None
    return nos


def _case_id(conn: Any, case_no: str) -> int:
    return conn.execute(
        select(Case.__table__.c.id).where(Case.__table__.c.case_no == case_no)
    ).scalar_one()


def test_audit_verify_counts_events(office: Engine, rt: Runtime) -> None:
    """An untouched trail verifies, counting every event."""
    _three_cases(office, rt)
    with office.connect() as conn:
        result = verify(conn, rt.audit_key)
    assert result.broken is None and result.events == 4 + 2 + 3 and result.cases == 3


def test_audit_detects_an_edited_event(office: Engine, rt: Runtime) -> None:
    """Changing one event's payload breaks the chain at that event."""
    nos = _three_cases(office, rt)
    ev = CaseEvent.__table__
    with office.begin() as conn:
        cid = _case_id(conn, nos[0])
        conn.execute(
            update(ev)
            .where(ev.c.case_id == cid, ev.c.seq == 3)
            .values(payload={"outcome": "support", "opinion": "改"})
        )
    with office.connect() as conn:
        broken = verify(conn, rt.audit_key).broken
    assert broken and nos[0] in broken and "第3条" in broken


def test_audit_detects_reordered_events(office: Engine, rt: Runtime) -> None:
    """Swapping two events' order breaks the chain."""
    nos = _three_cases(office, rt)
    ev = CaseEvent.__table__
    with office.begin() as conn:
        cid = _case_id(conn, nos[0])
        conn.execute(update(ev).where(ev.c.case_id == cid, ev.c.seq == 2).values(seq=-2))
        conn.execute(update(ev).where(ev.c.case_id == cid, ev.c.seq == 3).values(seq=2))
        conn.execute(update(ev).where(ev.c.case_id == cid, ev.c.seq == -2).values(seq=3))
    with office.connect() as conn:
        broken = verify(conn, rt.audit_key).broken
    assert broken and nos[0] in broken


def test_audit_detects_a_deleted_last_event(office: Engine, rt: Runtime) -> None:
    """Deleting a case's latest event is caught by the case's recorded chain head."""
    nos = _three_cases(office, rt)
    ev = CaseEvent.__table__
    with office.begin() as conn:
        cid = _case_id(conn, nos[0])
        conn.execute(delete(ev).where(ev.c.case_id == cid, ev.c.seq == 4))
    with office.connect() as conn:
        broken = verify(conn, rt.audit_key).broken
    assert broken and nos[0] in broken


@pytest.mark.parametrize("which", [0, 2])
def test_audit_detects_a_deleted_case_with_its_history(
    office: Engine, rt: Runtime, which: int
) -> None:
    """Deleting a whole case (a middle one, or the year's last) breaks the year's chain of cases."""
    nos = _three_cases(office, rt)
    with office.begin() as conn:
        cid = _case_id(conn, nos[which])
        # Everything that refers to the case, as someone covering their tracks would delete it.
        for table in reversed(SQLModel.metadata.sorted_tables):
            if "case_id" in table.c and table.name != "case":
                conn.execute(delete(table).where(table.c.case_id == cid))
        conn.execute(delete(Case.__table__).where(Case.__table__.c.id == cid))
    with office.connect() as conn:
        broken = verify(conn, rt.audit_key).broken
    assert broken is not None and nos[which] in broken  # it names the case that is gone


# --- concurrency (PostgreSQL: real row locks; SQLite serialises writers) ----------------------------


def _postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("locking is tested on PostgreSQL")


def test_parallel_intakes_never_share_a_number(office: Engine, rt: Runtime) -> None:
    """8 writers × 8 intakes at once: 64 distinct, gapless numbers and an intact chain."""
    _postgres_only(office)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(8):
                with office.begin() as conn:
                    intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW)
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with office.connect() as conn:
        numbers = conn.execute(select(Case.__table__.c.case_no)).scalars().all()
        assert verify(conn, rt.audit_key).broken is None
    assert sorted(numbers) == [f"2026-{i:06d}" for i in range(1, 65)]


def test_two_writers_on_one_version_one_wins(office: Engine, rt: Runtime) -> None:
    """Two simultaneous actions naming the same version: one applies, the other is a conflict."""
    _postgres_only(office)
    case_no = case_in_state(office, rt, "registered", NOW)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def writer(action: str) -> None:
        try:
            with office.begin() as conn:
                conn.execute(text("SELECT 1"))
                barrier.wait()
                actions.act(
                    conn,
                    rt,
                    case_no=case_no,
                    action=action,
                    actor_staff_no="G001",
                    payload=PAYLOADS[action],
                    now=NOW,
                    expected_version=1,
                )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=writer, args=(a,)) for a in ("accept", "transfer")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    version, events, state = _counts(office, case_no)
    assert version == 2 and events == 2 and state in ("accepted", "transferred")


def test_migrations_match_the_models(engine: Engine) -> None:
    """The tables Alembic built are the tables the models declare (no drift)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
