"""Attachments (材料) on a case: a letter's scan, a photo of evidence, a signed 申请书.

Stored in the database beside the case (``case_attachment``), so backups, transactions and several
servers need nothing else. The type is sniffed from the bytes (``filetype``), never taken from the
name: images and PDFs only. Images are re-encoded with Pillow, which drops their metadata (EXIF,
the GPS position a phone writes); what is stored is hashed (SHA-256) and the hash goes into the
audit event that attaches it. A file and a case each have a size limit (settings). An upload on
the intake form is *staged* (no case yet, a token carried through the check page) and attached in
the transaction that registers the case.
"""

import hashlib
import io
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from cases import images
from cases.models import CaseAttachment
from cases.runtime import Runtime
from cases.store.chain import append_event
from cases.store.records import load_case
from cases.store.staff import get_actor
from cases.store.tables import case_t
from workflow import lifecycle
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.lifecycle import Actor

attachment_t = CaseAttachment.__table__

#: What may be attached, by the type sniffed from the bytes.
ALLOWED_TYPES: dict[str, str] = {
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "image/gif": "GIF 图片",
    "image/webp": "WebP 图片",
    "image/tiff": "TIFF 图片",
    "image/bmp": "BMP 图片",
    "application/pdf": "PDF 文件",
}
#: Who may attach (a receptionist only to the cases they own; handlers to those they work on).
PREVIEW_SIZE = (320, 320)
#: Staged uploads the intake never registered are removed after this long.
STAGED_TTL = timedelta(days=1)


@dataclass(frozen=True)
class Stored:
    """A file as it will be stored: its bytes after re-encoding, its type and preview."""

    filename: str
    media_type: str
    data: bytes
    preview: bytes | None

    @property
    def sha256(self) -> str:
        """The SHA-256 of the stored bytes (what the audit event records)."""
        return hashlib.sha256(self.data).hexdigest()


def sniff(data: bytes) -> str | None:
    """The media type the bytes are, by their signature (``filetype``), or None."""
    import filetype

    kind = filetype.guess(data)
    return kind.mime if kind is not None else None


def prepare(filename: str, data: bytes, *, max_bytes: int) -> Stored:
    """Check one upload and turn it into what is stored; refuse what is too big or not allowed."""
    name = Path(filename.replace("\\", "/")).name.strip()[:200] or "材料"
    if not data:
        raise InvalidInput("attachment.empty", f"文件「{name}」是空的", field="files")
    if len(data) > max_bytes:
        raise InvalidInput(
            "attachment.too_large",
            f"文件「{name}」超过单个文件的大小上限（{size_text(max_bytes)}）",
            field="files",
        )
    media_type = sniff(data)
    if media_type not in ALLOWED_TYPES:
        raise InvalidInput(
            "attachment.type_not_allowed",
            f"文件「{name}」不是图片或 PDF（只能上传 JPEG、PNG、GIF、WebP、TIFF、BMP 图片和 PDF 文件）",
            field="files",
        )
    if media_type == "application/pdf":
        return Stored(name, media_type, data, pdf_preview(data))
    return _image(name, data)


def _image(name: str, data: bytes) -> Stored:
    """Re-encode an image: the pixels kept (turned upright), every metadata block dropped."""
    try:
        encoded, media_type, upright = images.reencode(data)
    except images.Unreadable as exc:
        raise InvalidInput(
            "attachment.unreadable", f"图片「{name}」无法读取：{exc}", field="files"
        ) from exc
    stem = Path(name).stem or "材料"
    new_name = f"{stem}.{'jpg' if media_type == 'image/jpeg' else 'png'}"
    thumb = upright.copy()
    thumb.thumbnail(PREVIEW_SIZE)
    preview = io.BytesIO()
    thumb.save(preview, format="PNG")
    return Stored(new_name, media_type, encoded, preview.getvalue())


def pdf_preview(data: bytes) -> bytes | None:
    """A PNG of a PDF's first page (``pdftoppm`` of poppler-utils), or None when it cannot."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(data)
        try:
            subprocess.run(
                [
                    tool,
                    "-png",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    "-scale-to",
                    "320",
                    str(src),
                    str(Path(tmp) / "page"),
                ],
                check=True,
                capture_output=True,
                timeout=30,
            )
        except (subprocess.SubprocessError, OSError):
            return None
        page = Path(tmp) / "page.png"
        return page.read_bytes() if page.exists() else None


def size_text(size: int) -> str:
    """A size as people read it: 10 MB, 300 KB."""
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def _check_case_total(existing: int, new: Sequence[Stored], limit: int) -> None:
    total = existing + sum(len(s.data) for s in new)
    if total > limit:
        raise InvalidInput(
            "attachment.case_full",
            f"本案材料合计将达 {size_text(total)}，超过每件信访事项的上限（{size_text(limit)}）",
            field="files",
        )


def _row(stored: Stored, staff_no: str, now: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "filename": stored.filename,
        "media_type": stored.media_type,
        "size": len(stored.data),
        "sha256": stored.sha256,
        "data": stored.data,
        "preview": stored.preview,
        "uploaded_by": staff_no,
        "uploaded_at": now,
        **extra,
    }


def _summary(stored: Stored) -> dict[str, Any]:
    return {
        "filename": stored.filename,
        "media_type": stored.media_type,
        "size": len(stored.data),
        "sha256": stored.sha256,
    }


def permits(actor: Actor, owner_staff_no: str) -> bool:
    """Whether the actor may add materials: who may add a tracking note to the case."""
    return lifecycle.role_permits("note", owner_staff_no, actor)


def may_attach(conn: Connection, record: Any, actor_staff_no: str) -> Any:
    """The actor, when they may add materials to the case (a receptionist: their own cases)."""
    actor, _ = get_actor(conn, actor_staff_no)
    if not permits(actor, record.owner_staff_no):
        raise PermissionDenied("permission.denied", "您无权为该信访事项上传材料")
    return actor


def attach(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    files: Sequence[tuple[str, bytes]],
    actor_staff_no: str,
    now: datetime,
) -> list[dict[str, Any]]:
    """Attach files to a case in one transaction, with an audit event carrying their hashes."""
    settings = rt.settings
    record = load_case(conn, case_no, for_update=True)
    if record is None:
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    actor = may_attach(conn, record, actor_staff_no)
    if not files:
        raise InvalidInput("attachments.none", "请选择要上传的文件", field="files")
    stored = [prepare(n, d, max_bytes=settings.attachment_max_bytes) for n, d in files]
    _check_case_total(_case_total(conn, record.id), stored, settings.attachment_case_max_bytes)
    # The files first, under the step's number: its event commits to their hashes as stored.
    seq = record.event_count + 1
    for s in stored:
        conn.execute(
            insert(attachment_t),
            _row(s, actor.staff_no, now, case_id=record.id, event_seq=seq),
        )
    append_event(
        conn,
        rt,
        case=record,
        action="attach",
        actor_staff_no=actor.staff_no,
        now=now,
        to_state=record.state,
        payload={"attachments": [_summary(s) for s in stored]},
        public=False,
    )
    return [_summary(s) for s in stored]


def _case_total(conn: Connection, case_id: int) -> int:
    return int(
        conn.execute(
            select(func.coalesce(func.sum(attachment_t.c.size), 0)).where(
                attachment_t.c.case_id == case_id
            )
        ).scalar_one()
    )


def stage(
    conn: Connection,
    rt: Runtime,
    *,
    files: Sequence[tuple[str, bytes]],
    token: str | None,
    actor_staff_no: str,
    now: datetime,
) -> str:
    """Keep the intake form's uploads until the case is registered; return their token."""
    token = token or secrets.token_urlsafe(24)
    stored = [prepare(n, d, max_bytes=rt.settings.attachment_max_bytes) for n, d in files]
    existing = sum(a["size"] for a in staged(conn, token=token, staff_no=actor_staff_no))
    _check_case_total(existing, stored, rt.settings.attachment_case_max_bytes)
    # What was staged and never registered (a form left behind) goes after a day.
    conn.execute(
        delete(attachment_t).where(
            attachment_t.c.case_id.is_(None), attachment_t.c.uploaded_at < now - STAGED_TTL
        )
    )
    for s in stored:
        conn.execute(insert(attachment_t), _row(s, actor_staff_no, now, staged_token=token))
    return token


def staged(conn: Connection, *, token: str, staff_no: str) -> list[dict[str, Any]]:
    """The uploads staged under a token by this staff member (not yet on a case)."""
    if not token:
        return []
    rows = conn.execute(
        select(attachment_t.c.filename, attachment_t.c.size, attachment_t.c.media_type)
        .where(
            attachment_t.c.staged_token == token,
            attachment_t.c.uploaded_by == staff_no,
            attachment_t.c.case_id.is_(None),
        )
        .order_by(attachment_t.c.id)
    ).all()
    return [dict(r._mapping) for r in rows]


def attach_staged(
    conn: Connection, rt: Runtime, *, case_no: str, token: str, actor_staff_no: str, now: datetime
) -> int:
    """Move the staged uploads onto the case just registered, with their audit event."""
    if not token:
        return 0
    rows = conn.execute(
        select(
            attachment_t.c.id,
            attachment_t.c.filename,
            attachment_t.c.media_type,
            attachment_t.c.size,
            attachment_t.c.sha256,
        )
        .where(
            attachment_t.c.staged_token == token,
            attachment_t.c.uploaded_by == actor_staff_no,
            attachment_t.c.case_id.is_(None),
        )
        .order_by(attachment_t.c.id)
    ).all()
    if not rows:
        return 0
    record = load_case(conn, case_no, for_update=True)
    if record is None:
        raise NotFound("case.not_found", f"没有编号为 {case_no} 的信访事项", case_no=case_no)
    conn.execute(
        update(attachment_t)
        .where(attachment_t.c.id.in_([r.id for r in rows]))
        .values(case_id=record.id, event_seq=record.event_count + 1, staged_token=None)
    )
    append_event(
        conn,
        rt,
        case=record,
        action="attach",
        actor_staff_no=actor_staff_no,
        now=now,
        to_state=record.state,
        payload={
            "attachments": [
                {k: getattr(r, k) for k in ("filename", "media_type", "size", "sha256")}
                for r in rows
            ]
        },
        public=False,
    )
    return len(rows)


def case_attachments(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    """A case's attachments, oldest first, without their bytes."""
    rows = conn.execute(
        select(
            attachment_t.c.id,
            attachment_t.c.filename,
            attachment_t.c.media_type,
            attachment_t.c.size,
            attachment_t.c.sha256,
            attachment_t.c.uploaded_by,
            attachment_t.c.uploaded_at,
            attachment_t.c.preview.is_not(None).label("has_preview"),
        )
        .where(attachment_t.c.case_id == case_id)
        .order_by(attachment_t.c.id)
    ).all()
    return [
        {
            **dict(r._mapping),
            "type_label": ALLOWED_TYPES.get(r.media_type, r.media_type),
            "size_text": size_text(r.size),
        }
        for r in rows
    ]


def attachment_bytes(conn: Connection, case_no: str, attachment_id: int) -> dict[str, Any] | None:
    """One attachment of the case, with its bytes and preview."""
    row = conn.execute(
        select(
            attachment_t.c.filename,
            attachment_t.c.media_type,
            attachment_t.c.data,
            attachment_t.c.preview,
        )
        .join(case_t, case_t.c.id == attachment_t.c.case_id)
        .where(attachment_t.c.id == attachment_id, case_t.c.case_no == case_no)
    ).first()
    return dict(row._mapping) if row is not None else None
