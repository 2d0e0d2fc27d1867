"""`shoujie audit verify`: OK with the count, or exit 1 naming the first broken event."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from cases import db as cases_db
from cases.models import CaseClock, CaseEvent
from tests.api.cli.helpers import intake_case


def test_audit_verify_names_a_tampered_event(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`audit verify` says OK with the count, and exit 1 naming the event once a row is edited."""
    no = intake_case(shoujie, capsys)["case_no"]
    shoujie("case", "act", no, "accept", "--as", "A017")
    capsys.readouterr()
    assert shoujie("audit", "verify") == 0
    # The three accounts the fixture added are administrative events, on their own chain.
    assert capsys.readouterr().out.splitlines() == ["OK 2 events", "OK 3 admin events"]
    engine = cases_db.make_engine(shoujie.url)
    with engine.begin() as conn:
        t = CaseEvent.__table__
        conn.execute(update(t).where(t.c.seq == 2).values(actor_staff_no="A018"))
    engine.dispose()
    assert shoujie("audit", "verify") == 1
    assert f"{no} 第2条" in capsys.readouterr().err


def _tamper(engine: Any, sql: str | None, **params: Any) -> None:
    with engine.begin() as conn:
        if sql is None:  # a deadline, typed as the column is on either backend
            t = CaseClock.__table__
            conn.execute(update(t).where(t.c.id == params["i"]).values(due_at=params["v"]))
        else:
            conn.execute(text(sql), params)


def test_audit_verify_names_the_case_and_table_of_every_edit_behind_the_engine(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each direct edit of what a step left is detected: exit 1, the case (or 工号) and table named."""
    no = intake_case(shoujie, capsys)["case_no"]
    # Three weeks on the acceptance clock has run out: the sweeper fires its escalations.
    assert shoujie("sweep", "--now", "2026-12-20T09:00:00+08:00") == 0
    capsys.readouterr()
    assert shoujie("audit", "verify") == 0
    assert capsys.readouterr().out.startswith("OK ")
    engine = cases_db.make_engine(shoujie.url)
    with engine.begin() as conn:
        case_id, petitioner_id = conn.execute(
            text('SELECT id, petitioner_id FROM "case" WHERE case_no = :no'), {"no": no}
        ).one()
        escalations = conn.execute(
            text("SELECT count(*) FROM escalation WHERE case_id = :c"), {"c": case_id}
        ).scalar_one()
        other = conn.execute(text("SELECT id FROM staff WHERE staff_no = 'A018'")).scalar_one()
    assert escalations, "the sweep fired no escalation to delete"
    with engine.begin() as conn:
        was = conn.execute(
            text('SELECT state, owner_id, rating, content FROM "case" WHERE id = :c'),
            {"c": case_id},
        ).one()
        name = conn.execute(
            text("SELECT name FROM petitioner WHERE id = :p"), {"p": petitioner_id}
        ).scalar_one()
        clock_t = CaseClock.__table__
        clock_id, due_at = conn.execute(
            select(clock_t.c.id, clock_t.c.due_at).where(clock_t.c.case_id == case_id)
        ).first()
    edits = [
        ("case", 'UPDATE "case" SET state = :v WHERE id = :i', case_id, "accepted", was.state),
        ("case", 'UPDATE "case" SET owner_id = :v WHERE id = :i', case_id, other, was.owner_id),
        ("case", 'UPDATE "case" SET rating = :v WHERE id = :i', case_id, "satisfied", was.rating),
        (
            "case",
            'UPDATE "case" SET content = :v WHERE id = :i',
            case_id,
            "改过的内容",
            was.content,
        ),
        (
            "petitioner",
            "UPDATE petitioner SET name = :v WHERE id = :i",
            petitioner_id,
            "王某",
            name,
        ),
        ("case_clock", None, clock_id, due_at + timedelta(days=30), due_at),
    ]
    for table, sql, row_id, value, back in edits:
        _tamper(engine, sql, v=value, i=row_id)
        assert shoujie("audit", "verify") == 1, sql
        err = capsys.readouterr().err
        assert no in err and f"table {table} " in err, (sql, err)
        _tamper(engine, sql, v=back, i=row_id)
        assert shoujie("audit", "verify") == 0, f"not restored after {sql}"
        capsys.readouterr()
    # A role raised behind the administrative log: the staff member and the table are named.
    _tamper(engine, "UPDATE staff SET role = 'supervisor' WHERE staff_no = 'A018'")
    assert shoujie("audit", "verify") == 1
    err = capsys.readouterr().err
    assert "A018" in err and "table staff" in err
    _tamper(engine, "UPDATE staff SET role = 'receptionist' WHERE staff_no = 'A018'")
    _tamper(engine, "DELETE FROM escalation_ack")
    _tamper(engine, "DELETE FROM notice_escalation")
    _tamper(engine, "DELETE FROM escalation WHERE case_id = :c", c=case_id)
    assert shoujie("audit", "verify") == 1
    err = capsys.readouterr().err
    assert no in err and "table escalation " in err
    engine.dispose()
