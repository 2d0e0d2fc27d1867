"""`shoujie user add`: staff added from the command line, with a password read from stdin."""

from typing import Any

import pytest
from sqlalchemy import select

from cases import db as cases_db
from cases.security import verify_password
from cases.store.tables import staff_t


def stored(url: str, staff_no: str) -> Any:
    """The staff row of ``staff_no`` as the database holds it, or None."""
    engine = cases_db.make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(staff_t).where(staff_t.c.staff_no == staff_no)).first()
    finally:
        engine.dispose()


def test_user_add_reads_the_password_from_stdin(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first line of stdin is the password: it is stored hashed, and signs the user in."""
    capsys.readouterr()
    args = ("user", "add", "--staff-no", "A020", "--name", "王芳", "--role", "receptionist")
    assert shoujie(*args, "--password-stdin", stdin="春风十里 shoujie-2026\nignored\n") == 0
    assert capsys.readouterr().out == "已添加工作人员 A020 王芳 / staff added\n"
    row = stored(shoujie.url, "A020")
    assert (row.name, row.role) == ("王芳", "receptionist")
    assert row.password_hash and "shoujie-2026" not in row.password_hash
    assert verify_password("春风十里 shoujie-2026", row.password_hash)
    assert not verify_password("春风十里 shoujie-2027", row.password_hash)
    # Added without --password-stdin (the fixture's staff): no password, so no signing in.
    assert stored(shoujie.url, "A017").password_hash is None


def test_user_add_refuses_a_short_password(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fewer than 12 characters: exit 2, one line on stderr, and nobody is added."""
    capsys.readouterr()
    args = ("user", "add", "--staff-no", "A021", "--name", "赵伟", "--role", "receptionist")
    assert shoujie(*args, "--password-stdin", stdin="short\n") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "错误：密码至少12个字符 / error: bad input (password.too_short)\n"
    assert stored(shoujie.url, "A021") is None


def test_db_topics_stores_the_words_of_older_cases_once(shoujie: Any, capsys: Any) -> None:
    from cases.repeat.topics import topic_t

    assert shoujie("demo") == 0
    engine = cases_db.engine_for(shoujie.url)
    with engine.begin() as conn:
        stored_words = conn.execute(select(topic_t.c.word)).scalars().all()
        assert stored_words  # the demo's intakes stored theirs
        conn.execute(topic_t.delete())  # as before migration 0018
    capsys.readouterr()
    assert shoujie("db", "topics") == 0
    assert "topic words stored for" in capsys.readouterr().out
    with engine.connect() as conn:
        assert sorted(conn.execute(select(topic_t.c.word)).scalars()) == sorted(stored_words)
    assert shoujie("db", "topics") == 0
    assert "stored for 0 cases" in capsys.readouterr().out
