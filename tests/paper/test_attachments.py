"""Attachments (材料): stored in the database with the case, type sniffed from the bytes, images
re-encoded without their metadata, hashed into the audit event, size-limited, previewed, hidden
from the accused unit like the case, and listed in the closure report."""

import hashlib
import io
import shutil
from dataclasses import replace

import pytest
from PIL import Image
from sqlalchemy import Engine, select

from cases.audit import verify
from cases.casework import actions
from cases.models import CaseAttachment, CaseEvent
from cases.paper import attachments
from cases.reports import closure
from cases.runtime import Runtime
from conftest import at
from tests.factories import case_in_state, make_office
from workflow.errors import InvalidInput, PermissionDenied

NOW = at("2026-11-26 10:00")
att_t = CaseAttachment.__table__


def photo_with_gps() -> bytes:
    """A phone photo: JPEG with the maker and the GPS position in its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (32.0, 3.0, 0.0), 3: "E", 4: (118.0, 47.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 200)).save(out, "PNG")
    return out.getvalue()


def a_pdf() -> bytes:
    from cases.reports import pdf

    return pdf.from_html("<p>申请书 张三</p>")


@pytest.fixture
def office(engine: Engine) -> Engine:
    make_office(engine, NOW)
    return engine


def _attach(engine: Engine, rt: Runtime, case_no: str, files, who: str = "A001"):
    with engine.begin() as conn:
        return attachments.attach(
            conn, rt, case_no=case_no, files=files, actor_staff_no=who, now=NOW
        )


def test_a_photo_is_stored_without_its_location_and_hashed_into_the_chain(
    office: Engine, rt: Runtime
) -> None:
    case_no = case_in_state(office, rt, "accepted", NOW)
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    (summary,) = _attach(office, rt, case_no, [("IMG_0001.JPG", original)])
    with office.connect() as conn:
        row = conn.execute(select(att_t)).one()
        event = conn.execute(
            select(CaseEvent.__table__).where(CaseEvent.__table__.c.action == "attach")
        ).one()
        assert verify(conn, rt.audit_key).broken is None
    assert row.media_type == "image/jpeg"
    stored = Image.open(io.BytesIO(row.data))
    assert stored.size == (800, 600)
    assert not stored.getexif(), "EXIF (maker, GPS) must be gone"
    assert row.sha256 == hashlib.sha256(row.data).hexdigest() == summary["sha256"]
    assert event.payload["attachments"][0]["sha256"] == row.sha256
    assert event.seq == row.event_seq
    thumb = Image.open(io.BytesIO(row.preview))
    assert thumb.format == "PNG" and max(thumb.size) <= 320


def test_the_type_comes_from_the_bytes_not_the_name(office: Engine, rt: Runtime) -> None:
    case_no = case_in_state(office, rt, "accepted", NOW)
    with pytest.raises(InvalidInput) as refused:
        _attach(office, rt, case_no, [("scan.pdf", b"MZ\x90\x00 this is a program")])
    assert refused.value.code == "attachment.type_not_allowed"
    assert "scan.pdf" in refused.value.message
    (summary,) = _attach(office, rt, case_no, [("scan.pdf", png())])
    assert summary["media_type"] == "image/png" and summary["filename"] == "scan.png"


def test_a_pdf_is_kept_as_is_with_a_first_page_preview(office: Engine, rt: Runtime) -> None:
    case_no = case_in_state(office, rt, "accepted", NOW)
    data = a_pdf()
    (summary,) = _attach(office, rt, case_no, [("申请书.pdf", data)])
    with office.connect() as conn:
        row = conn.execute(select(att_t)).one()
    assert row.data == data and row.media_type == "application/pdf"
    assert summary["filename"] == "申请书.pdf"
    if shutil.which("pdftoppm"):
        assert Image.open(io.BytesIO(row.preview)).format == "PNG"


def test_size_limits_per_file_and_per_case(office: Engine, rt: Runtime) -> None:
    small = Runtime.from_settings(
        replace(rt.settings, attachment_max_bytes=60_000, attachment_case_max_bytes=100_000)
    )
    case_no = case_in_state(office, rt, "accepted", NOW)
    with pytest.raises(InvalidInput) as too_big:
        _attach(office, small, case_no, [("big.png", png() + b"\0" * 70_000)])
    assert too_big.value.code == "attachment.too_large"
    photo = photo_with_gps()  # about 10 KB once re-encoded
    stored = _attach(office, small, case_no, [("a.jpg", photo)] * 3)
    total = sum(s["size"] for s in stored)
    room = 100_000 - total
    filler = png()
    many = max(1, room // len(filler) + 1)
    with pytest.raises(InvalidInput) as full:
        _attach(office, small, case_no, [("b.png", filler)] * many + [("c.jpg", photo)] * 8)
    assert full.value.code == "attachment.case_full"
    with office.connect() as conn:
        # Nothing half stored: the refused upload left the case's three files alone.
        assert len(conn.execute(select(att_t.c.id)).all()) == 3


def test_only_who_may_work_the_case_attaches(office: Engine, rt: Runtime) -> None:
    case_no = case_in_state(office, rt, "accepted", NOW, owner="A001")
    with pytest.raises(PermissionDenied):
        _attach(office, rt, case_no, [("a.png", png())], who="A002")  # not the owner
    with pytest.raises(PermissionDenied):
        _attach(office, rt, case_no, [("a.png", png())], who="AU01")  # auditors read only
    assert _attach(office, rt, case_no, [("a.png", png())], who="G001")


def test_the_closure_report_lists_notices_and_attachments(office: Engine, rt: Runtime) -> None:
    case_no = case_in_state(office, rt, "accepted", NOW)
    _attach(office, rt, case_no, [("来信扫描.png", png())])
    with office.begin() as conn:
        actions.act(
            conn,
            rt,
            case_no=case_no,
            action="withdraw",
            actor_staff_no="A001",
            payload={
                "reason": "问题已自行解决",
                "request": {"date": NOW.date().isoformat(), "how": "书面"},
            },
            now=NOW,
        )
        report = closure.closure_report(conn, rt, case_no=case_no, viewer_staff_no="G001", now=NOW)
        leader = closure.closure_report(conn, rt, case_no=case_no, viewer_staff_no="L001", now=NOW)
    assert [a["filename"] for a in report["paper"]["attachments"]] == ["来信扫描.png"]
    assert [n["title"] for n in report["paper"]["notices"]] == ["受理告知书"]
    assert leader["paper"]["attachments"]


def test_staged_uploads_move_onto_the_registered_case(office: Engine, rt: Runtime) -> None:
    with office.begin() as conn:
        token = attachments.stage(
            conn, rt, files=[("信.png", png())], token=None, actor_staff_no="A001", now=NOW
        )
        assert [a["filename"] for a in attachments.staged(conn, token=token, staff_no="A001")] == [
            "信.png"
        ]
        assert attachments.staged(conn, token=token, staff_no="A002") == []
    case_no = case_in_state(office, rt, "registered", NOW)
    with office.begin() as conn:
        moved = attachments.attach_staged(
            conn, rt, case_no=case_no, token=token, actor_staff_no="A001", now=NOW
        )
        assert moved == 1
        assert attachments.staged(conn, token=token, staff_no="A001") == []
        assert verify(conn, rt.audit_key).broken is None
