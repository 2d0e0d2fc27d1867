"""A fresh office sets up its party organisation from the command line: branch, groups, members,
posts and vacancies, each change audited; the escalation ladder then finds each post."""

import json
from typing import Any

import pytest
from sqlalchemy import select

from cases import db as cases_db
from cases.store.staff import org_chain
from cases.store.tables import staff_t


def org(shoujie: Any, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert shoujie("office", "org", "--json") == 0
    return json.loads(capsys.readouterr().out)


def test_setting_up_the_organisation(shoujie: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert org(shoujie, capsys)["branches"] == []
    assert shoujie("office", "group", "add", "第一党小组") == 2
    assert "请先设置党支部" in capsys.readouterr().err
    assert shoujie("office", "branch", "接访处党支部") == 0
    assert shoujie("office", "group", "add", "第一党小组") == 0
    assert shoujie("office", "group", "add", "第二党小组") == 0
    assert shoujie("office", "group", "add", "第二党小组") == 5
    assert shoujie("user", "move", "A017", "--group", "第一党小组") == 0
    assert shoujie("user", "post", "A017", "group_leader") == 0
    # A group leader must be in a group: the ladder looks for them in the owner's group.
    assert shoujie("user", "post", "A018", "group_leader") == 2
    assert "须先编入党小组" in capsys.readouterr().err
    assert shoujie("user", "move", "A018", "--group", "第一党小组") == 0
    capsys.readouterr()
    assert shoujie("user", "post", "A018", "group_leader") == 0
    assert "原任 A017 已免去该职务" in capsys.readouterr().out
    assert shoujie("user", "post", "S002", "office_leader") == 0
    shown = org(shoujie, capsys)
    first = shown["branches"][0]["groups"][0]
    assert first["name"] == "第一党小组" and first["leader"] == "A018"
    assert shown["office_leader"] == "S002"
    assert shown["vacancies"] == ["第二党小组组长", "接访处党支部书记"]
    # The ladder reads what was set up.
    engine = cases_db.engine_for(shoujie.url)
    with engine.begin() as conn:
        owner = conn.execute(select(staff_t.c.id).where(staff_t.c.staff_no == "A017")).scalar_one()
        chain = org_chain(conn, owner)
    assert (chain.group_leader, chain.branch_secretary, chain.office_leader) == (
        "A018",
        None,
        "S002",
    )
    # A group with members is not removed; moving its leader out vacates the post.
    assert shoujie("office", "group", "remove", "第一党小组") == 5
    assert shoujie("user", "move", "A018", "--group", "第二党小组") == 0
    assert "第一党小组组长" in org(shoujie, capsys)["vacancies"]
    assert shoujie("office", "group", "rename", "第二党小组", "信访督查党小组") == 0
    assert shoujie("audit", "verify") == 0
    # Three accounts of the fixture, then 10 changes of the organisation.
    assert "OK 13 admin events" in capsys.readouterr().out
