"""Statutory notices (告知文书): issued by the step that requires them, numbered per office and
year without gaps (also under concurrent steps on PostgreSQL), covered by the audit chain, printed
to PDF with the case's facts, and announced to the petitioner by text message."""

import hashlib
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from cases.audit import verify
from cases.casework import actions, intake
from cases.models import CaseEvent, CaseNotice, Outbox
from cases.paper import notices
from cases.paper.render import notice_pdf
from conftest import at
from tests.factories import case_in_state, intake_body, make_office

NOW = at("2026-11-26 10:00")
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext not installed")


@pytest.fixture
def office(engine: Engine) -> Engine:
    make_office(engine, NOW)
    return engine


def _notices(engine: Engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(CaseNotice.__table__).order_by(CaseNotice.__table__.c.id)).all()


def test_each_step_issues_its_notice_numbered_in_order_and_chained(office: Engine, rt) -> None:
    case_no = case_in_state(office, rt, "concluded", NOW)
    rows = _notices(office)
    assert [r.kind for r in rows] == ["acceptance", "reply", "review", "reexamination"]
    assert [r.doc_no for r in rows] == [f"信访告字〔2026〕{n}号" for n in (1, 2, 3, 4)]
    with office.connect() as conn:
        events = {
            e.seq: e
            for e in conn.execute(select(CaseEvent.__table__).order_by(CaseEvent.__table__.c.seq))
        }
        assert verify(conn, rt.audit_key).broken is None
    for row in rows:
        # The step's audit event carries the notice's 文号 and the hash of exactly what is stored.
        recorded = events[row.event_seq].payload["notice"]
        assert recorded["doc_no"] == row.doc_no
        assert recorded["sha256"] == hashlib.sha256(row.html.encode()).hexdigest() == row.sha256
    reply = rows[1].html
    assert "处理意见书" in reply and "不予支持" in reply
    assert "王建国" in reply and case_no in reply and "拆迁补偿款未发放" in reply
    assert "《信访工作条例》第三十二条" in reply
    # What the petitioner may do next, until when, by the same calendar as the review window.
    assert "如不服，可于2026年12月28日前提出复查请求" in reply


def test_non_acceptance_gives_the_reason_and_the_proper_channel(office: Engine, rt) -> None:
    case_in_state(office, rt, "rejected", NOW)
    (row,) = _notices(office)
    assert row.kind == "non_acceptance"
    assert "应当通过诉讼途径解决" in row.html
    assert "请依法向有管辖权的人民法院提起诉讼" in row.html
    assert "第三十一条" in row.html


def test_transfer_and_extension_notices_say_where_and_until_when(office: Engine, rt) -> None:
    case_in_state(office, rt, "transferred", NOW)
    accepted = case_in_state(office, rt, "accepted", NOW)
    with office.begin() as conn:
        actions.act(
            conn,
            rt,
            case_no=accepted,
            action="extend",
            actor_staff_no="G001",
            payload={"days": 20, "reason": "需要实地调查"},
            now=NOW,
        )
    rows = _notices(office)
    assert [r.kind for r in rows] == ["transfer", "acceptance", "extension"]
    assert "南京市住房保障和房产局" in rows[0].html
    assert "需要实地调查" in rows[2].html and "延长20日" in rows[2].html
    assert "第三十四条" in rows[2].html
    assert [r.seq for r in rows] == [1, 2, 3]


def test_a_step_rolled_back_gives_its_number_back(office: Engine, rt) -> None:
    first = case_in_state(office, rt, "registered", NOW)
    second = case_in_state(office, rt, "registered", NOW)
    with pytest.raises(RuntimeError), office.begin() as conn:
        actions.act(
            conn, rt, case_no=first, action="accept", actor_staff_no="G001", payload={}, now=NOW
        )
        raise RuntimeError("the step fails after its notice was numbered")
    assert _notices(office) == []
    with office.begin() as conn:
        actions.act(
            conn, rt, case_no=second, action="accept", actor_staff_no="G001", payload={}, now=NOW
        )
    assert [r.seq for r in _notices(office)] == [1]


def test_the_petitioner_is_told_by_text_message_when_they_gave_a_number(office: Engine, rt) -> None:
    with office.begin() as conn:
        with_phone = intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=NOW)
        body = intake_body()
        body["petitioner"] = {**body["petitioner"], "phone": None}
        without = intake.intake(conn, rt, body=body, actor_staff_no="A001", now=NOW)
    for case in (with_phone, without):
        with office.begin() as conn:
            actions.act(
                conn,
                rt,
                case_no=case["case_no"],
                action="accept",
                actor_staff_no="G001",
                payload={},
                now=NOW,
            )
    with office.connect() as conn:
        rows = conn.execute(
            select(Outbox.__table__).where(Outbox.__table__.c.topic == "petitioner_notice")
        ).all()
    assert [r.case_no for r in rows] == [with_phone["case_no"]]
    assert rows[0].recipient_staff_no == "PETITIONER"
    assert rt.cipher.decrypt(rows[0].payload["to_enc"]) == "+8613800138000"


@needs_poppler
def test_the_pdf_reads_back_with_the_facts(office: Engine, rt, tmp_path: Path) -> None:
    case_no = case_in_state(office, rt, "replied", NOW)
    row = _notices(office)[1]
    path = tmp_path / "notice.pdf"
    path.write_bytes(notice_pdf(row.html))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = "".join(text.split())
    for fact in (
        "处理意见书",
        "信访告字〔2026〕2号",
        case_no,
        "王建国",
        "拆迁补偿款未发放",
        "予以支持",
        "《信访工作条例》第三十二条",
    ):
        assert fact in compact, fact


def test_notices_number_without_gaps_under_concurrent_steps(office: Engine, rt) -> None:
    if office.dialect.name != "postgresql":
        pytest.skip("locking is tested on PostgreSQL (SQLite serialises writers)")
    cases = [case_in_state(office, rt, "registered", NOW) for _ in range(16)]
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(chunk: list[str], fail_every: int) -> None:
        start.wait()
        for i, case_no in enumerate(chunk):
            try:
                with office.begin() as conn:
                    actions.act(
                        conn,
                        rt,
                        case_no=case_no,
                        action="accept",
                        actor_staff_no="G001",
                        payload={},
                        now=NOW,
                    )
                    if fail_every and i % fail_every == 0:
                        raise LookupError("rolled back after numbering")
            except LookupError:
                pass
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(cases[i::8], 2 if i % 2 else 0)) for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rows = _notices(office)
    assert sorted(r.seq for r in rows) == list(range(1, len(rows) + 1))
    assert len(rows) == 12  # four of the sixteen steps rolled back, their numbers reused
    with office.connect() as conn:
        assert notices.case_notices(conn, rows[0].case_id)[0]["doc_no"] == rows[0].doc_no
