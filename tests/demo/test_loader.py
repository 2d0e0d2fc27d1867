"""The demo office: 13 party members in groups, cases in every state, escalations, an intact chain."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from cases.audit import verify
from cases.casework import reading
from cases.demo.loader import load_demo
from cases.demo.records import CASES, DEMO_PASSWORD, STAFF
from cases.models import CaseContact, Office
from cases.runtime import Runtime
from cases.store import staff as staff_store
from cases.store import tables
from workflow.lifecycle import State

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def test_demo_office_cases_escalations_and_chain(engine: Engine, rt: Runtime) -> None:
    summary = load_demo(engine, rt, now=NOW)

    staff, group = tables.staff_t, tables.group_t
    case, esc = tables.case_t, tables.escalation_t
    with engine.begin() as conn:
        office = conn.execute(select(Office.__table__)).one()
        assert (office.name, office.level, office.region_code) == (
            "省信访局接访处",
            "province",
            "320000",
        )
        members = conn.execute(
            select(staff.c.staff_no, staff.c.pledge, staff.c.post, group.c.name)
            .join(group, group.c.id == staff.c.group_id)
            .where(staff.c.party_member.is_(True))
        ).all()
        assert len(members) == 13
        assert len({m.name for m in members}) == 3
        assert all(m.pledge for m in members)
        assert sorted(m.post for m in members if m.post) == [
            "branch_secretary",
            *["group_leader"] * 3,
            "office_leader",
        ]
        # Every group's leader is the first rung above its members.
        chain = staff_store.org_chain(
            conn, conn.execute(select(staff.c.id).where(staff.c.staff_no == "JF11")).scalar_one()
        )
        assert (chain.group_leader, chain.branch_secretary, chain.office_leader) == (
            "JF10",
            "JF02",
            "JF01",
        )
        hashes = set(conn.execute(select(staff.c.password_hash)).scalars())
        # Each login has its own salted hash: the table does not tell who shares a password.
        assert len(hashes) == len(STAFF) and None not in hashes

        states = dict(conn.execute(select(case.c.state, func.count()).group_by(case.c.state)).all())
        assert set(states) == {s.value for s in State}, states
        assert sum(states.values()) == len(CASES) >= 35
        assert conn.execute(select(func.count()).where(case.c.group_size > 1)).scalar_one() == 1
        assert (
            conn.execute(
                select(func.count()).where(
                    case.c.confidential.is_(True), case.c.accused_unit.is_not(None)
                )
            ).scalar_one()
            == 1
        )
        assert conn.execute(select(func.count()).where(case.c.extended.is_(True))).scalar_one() == 1
        # One petitioner came back about the same matter (a contact, not a new case), and one
        # came to the province straight from a county's matter (越级访).
        contact = CaseContact.__table__
        assert conn.execute(
            select(contact.c.kind, contact.c.actor_staff_no, contact.c.skip_level)
        ).all() == [("repeat", "JF06", True)]
        assert (
            conn.execute(
                select(func.count()).where(case.c.skip_level.is_(True), case.c.channel == "visit")
            ).scalar_one()
            == 1
        )
        # 越级访 is a visit's: the letter about a county's matter (R3) is not one (第二十条).
        assert (
            conn.execute(
                select(func.count()).where(case.c.skip_level.is_(True), case.c.channel != "visit")
            ).scalar_one()
            == 0
        )
        letter = conn.execute(
            select(case.c.details).where(case.c.channel == "letter", case.c.region_code == "320382")
        ).scalar_one()
        assert letter["jurisdiction"]["steps"] == 2 and letter["jurisdiction"]["offer_transfer"]
        ratings = set(
            conn.execute(select(case.c.rating).where(case.c.rating.is_not(None))).scalars()
        )
        assert ratings == {"satisfied", "basically_satisfied", "dissatisfied"}

        levels = dict(conn.execute(select(esc.c.level, func.count()).group_by(esc.c.level)).all())
        assert len(levels) >= 2 and {"warning", "overdue"} <= set(levels), levels

        result = verify(conn, rt.audit_key)
        assert result.broken is None, result.broken
        assert result.cases == len(CASES)

    for s in STAFF:
        assert s.staff_no in summary
    assert DEMO_PASSWORD in summary and "已终结" in summary

    # A second load on a database with cases changes nothing.
    again = load_demo(engine, rt, now=NOW)
    assert "未载入" in again
    with engine.begin() as conn:
        assert reading.case_count(conn) == len(CASES)
