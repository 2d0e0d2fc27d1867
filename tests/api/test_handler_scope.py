"""A handler (承办人) reads in full the cases they work on (domain.md, "read a case"): one the
office has taken up for handling, and on after its reply; a case still to be routed they see as its
routing summary (workflow/read_scope.py)."""

from typing import Any

from fastapi.testclient import TestClient

from tests.web import api_act, api_intake, bearer


def test_a_handler_reads_a_case_once_it_is_taken_up(app: Any, c: TestClient) -> None:
    no = api_intake(app, c, staff_no="A001")["case_no"]
    handler = bearer(app, "H001")
    waiting = c.get(f"/api/v1/cases/{no}", headers=handler).json()
    assert waiting["scope"] == "summary" and waiting["content"] is None
    assert waiting["subject"] and waiting["owner"]["staff_no"] == "A001"
    api_act(app, c, no, "accept", "A001")
    taken_up = c.get(f"/api/v1/cases/{no}", headers=handler).json()
    assert taken_up["scope"] == "full" and taken_up["content"]
    assert "reply" in taken_up["allowed_actions"]
    # Replied, the case they drafted the reply for stays theirs to read.
    api_act(app, c, no, "reply", "H001", outcome="support", opinion="经核实，已按政策落实。")
    assert c.get(f"/api/v1/cases/{no}", headers=handler).json()["scope"] == "full"
    # A supervisor reads every case, whatever its state.
    other = api_intake(app, c, staff_no="A002")["case_no"]
    assert c.get(f"/api/v1/cases/{other}", headers=bearer(app, "G001")).json()["scope"] == "full"
