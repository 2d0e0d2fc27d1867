"""``shoujie user …``: reset, deactivate and reactivate, sessions and their revocation, each an
administrative event on its own audited chain (api/cli/users.py, cases/accounts)."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from cases import db as cases_db
from cases.accounts import sessions
from cases.accounts.passwords import COMMON_LIST
from cases.models import AdminEvent, Staff
from cases.security import verify_password

NOW = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)


def open_token(url: str, staff_no: str) -> str:
    engine = cases_db.engine_for(url)
    with engine.begin() as conn:
        staff_id = conn.execute(
            select(Staff.__table__.c.id).where(Staff.__table__.c.staff_no == staff_no)
        ).scalar_one()
        return sessions.open_session(
            conn, staff_id=staff_id, kind=sessions.API, now=NOW, timeouts=sessions.Timeouts()
        )


def holder(url: str, secret: str) -> Any:
    with cases_db.engine_for(url).begin() as conn:
        return sessions.holder(
            conn, secret, kind=sessions.API, now=NOW, timeouts=sessions.Timeouts()
        )


def staff_row(url: str, staff_no: str) -> Any:
    with cases_db.engine_for(url).begin() as conn:
        t = Staff.__table__
        return conn.execute(select(t).where(t.c.staff_no == staff_no)).one()


def test_reset_gives_a_temporary_password_once_and_ends_sessions(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    token = open_token(shoujie.url, "A017")
    assert holder(shoujie.url, token) is not None
    capsys.readouterr()
    assert shoujie("user", "reset", "A017", "--as", "S002") == 0
    out = capsys.readouterr().out
    temporary = out.split("：")[1].split()[0]
    row = staff_row(shoujie.url, "A017")
    assert verify_password(temporary, row.password_hash) and row.must_change_password
    assert holder(shoujie.url, token) is None
    assert shoujie("user", "list", "--json") == 0
    listed = {r["staff_no"]: r for r in __import__("json").loads(capsys.readouterr().out)}
    assert listed["A017"]["must_change_password"] is True
    # The event says who reset whose password, never the password.
    with cases_db.engine_for(shoujie.url).begin() as conn:
        last = conn.execute(
            select(AdminEvent.__table__).order_by(AdminEvent.__table__.c.seq.desc())
        ).first()
    assert (last.action, last.actor_staff_no, last.subject) == (
        "staff.password_reset",
        "S002",
        "A017",
    )
    assert temporary not in str(last.details)


def test_the_password_policy(shoujie: Any, capsys: pytest.CaptureFixture[str]) -> None:
    common = next(
        line
        for line in COMMON_LIST.read_text().splitlines()
        if len(line) >= 12 and not line.startswith("#")
    )
    for password, says in (
        ("short-1", "密码至少12个字符"),
        (common, "这个密码太常见"),
        ("shoujie-demo", "演示或默认密码"),
        ("a017-and-more-words", "工号或姓名"),
    ):
        assert shoujie("user", "reset", "A017", "--password-stdin", stdin=password + "\n") == 2
        assert says in capsys.readouterr().err, password
    assert shoujie("user", "reset", "A017", "--password-stdin", stdin="雨后的紫金山很安静\n") == 2
    assert (
        shoujie("user", "reset", "A017", "--password-stdin", stdin="stone-lantern-river-42\n") == 0
    )


def test_deactivation_ends_sessions_and_reactivation_restores_the_account(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    token = open_token(shoujie.url, "A018")
    assert shoujie("user", "deactivate", "A018") == 0
    assert "结束会话和令牌 1 个" in capsys.readouterr().out
    assert holder(shoujie.url, token) is None
    assert shoujie("user", "deactivate", "A018") == 5
    assert "已停用" in capsys.readouterr().err
    assert shoujie("user", "reactivate", "A018") == 0
    assert not staff_row(shoujie.url, "A018").must_change_password
    assert staff_row(shoujie.url, "A018").active
    # The ended token stays ended: reactivating opens no old session again.
    assert holder(shoujie.url, token) is None


def test_sessions_are_listed_and_revoked(shoujie: Any, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = open_token(shoujie.url, "A017"), open_token(shoujie.url, "A017")
    capsys.readouterr()
    assert shoujie("user", "sessions", "A017", "--json") == 0
    listed = __import__("json").loads(capsys.readouterr().out)
    assert [r["kind"] for r in listed] == ["api", "api"]
    assert first not in str(listed) and second not in str(listed)
    newest = listed[0]["id"]
    assert shoujie("user", "revoke", str(newest)) == 0
    assert holder(shoujie.url, second) is None and holder(shoujie.url, first) is not None
    assert shoujie("user", "revoke", str(newest)) == 5
    assert shoujie("user", "revoke", "999999") == 6


def test_audit_verify_covers_the_admin_events(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shoujie("user", "deactivate", "A018") == 0
    assert shoujie("audit", "verify") == 0
    assert "OK 4 admin events" in capsys.readouterr().out
    with cases_db.engine_for(shoujie.url).begin() as conn:
        t = AdminEvent.__table__
        conn.execute(update(t).where(t.c.seq == 4).values(subject="A017"))
    assert shoujie("audit", "verify") == 1
    assert "管理事件 #4" in capsys.readouterr().err


def test_audit_verify_sees_the_newest_admin_events_deleted(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shoujie("user", "deactivate", "A018") == 0
    assert shoujie("user", "reactivate", "A018") == 0
    with cases_db.engine_for(shoujie.url).begin() as conn:
        t = AdminEvent.__table__
        conn.execute(delete(t).where(t.c.seq >= 4))  # what is left is still a whole chain
    capsys.readouterr()
    assert shoujie("audit", "verify") == 1
    assert "管理事件 #4–#5 被删除" in capsys.readouterr().err


def test_two_admin_changes_at_once_each_get_their_own_number(shoujie: Any) -> None:
    """Two administrators at the same instant: the head row makes the second wait, so neither
    change is refused for a clashing number and the chain stays whole."""
    import threading

    from cases.accounts import admin_log
    from cases.runtime import Runtime
    from cases.settings import settings

    if shoujie.url.startswith("sqlite"):
        pytest.skip("SQLite takes its write lock at BEGIN: two changes cannot overlap there")
    engine = cases_db.engine_for(shoujie.url)
    key = Runtime.from_settings(settings()).audit_key
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def change(subject: str) -> None:
        try:
            with engine.begin() as conn:
                barrier.wait(timeout=10)
                admin_log.record(
                    conn, key, actor="A001", action="staff.role", subject=subject, now=NOW
                )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=change, args=(s,)) for s in ("A017", "A018")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert errors == []
    with engine.begin() as conn:
        assert admin_log.verify(conn, key).broken is None
        subjects = conn.execute(select(AdminEvent.__table__.c.subject)).scalars().all()
    assert {"A017", "A018"} <= set(subjects)
