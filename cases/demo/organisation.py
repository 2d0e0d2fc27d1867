"""The demo office's organisation: the office row, the party branch and groups, and the logins."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from cases.demo.records import DemoStaff, Office
from cases.organisation import roster
from cases.organisation.portraits import PORTRAIT_TYPE, portrait
from cases.security import hash_password
from cases.store import tables


def add_office(conn: Connection, office: Office) -> None:
    """The office row (unless one is configured already) and the party branch with its groups."""
    office_t = tables.office_t
    if conn.execute(select(func.count()).select_from(office_t)).scalar_one() == 0:
        conn.execute(
            insert(office_t),
            {
                "name": office.name,
                "level": office.level,
                "region_code": office.region_code,
                "policy": {},
            },
        )
    for group in office.groups:
        roster.ensure_group(conn, branch=office.branch, group=group)


def add_staff(conn: Connection, staff: list[DemoStaff], *, password: str, now: datetime) -> int:
    """Add the logins not there yet, every one with the same (published) password under its own
    salted argon2 hash; party members get a generated portrait (their given name drawn on their
    colour: no made-up face). Returns how many were added."""
    added = 0
    staff_t = tables.staff_t
    for s in staff:
        if conn.execute(select(staff_t.c.id).where(staff_t.c.staff_no == s.staff_no)).first():
            continue
        staff_id = roster.add_staff(
            conn,
            staff_no=s.staff_no,
            name=s.name,
            role=s.role,
            group=s.group,
            post=s.post,
            pledge=s.pledge,
            title=s.title,
            # One hash per account: a shared hash would tell anyone who reads the table
            # that these accounts share a password.
            password_hash=hash_password(password),
            email=f"{s.staff_no.lower()}@shoujie.example.com",
            now=now,
        )
        values: dict[str, Any] = {"party_member": s.party_member}
        if s.party_member:
            values["photo"] = portrait(s.staff_no, s.name)
            values["photo_type"] = PORTRAIT_TYPE
        conn.execute(update(staff_t).where(staff_t.c.id == staff_id).values(**values))
        added += 1
    return added
