"""Issuing a statutory notice (告知文书) in the transaction of the step that requires it.

The step takes the office's next 文号 for the year (``notice_counter``: one row per office and
year, updated under its row lock, so a step that rolls back gives its number back and the numbers
run without gaps), renders the notice's template with the case's facts and the article that
applies, and stores the text. Its 文号 and SHA-256 go into the step's audit event, so the chain
covers what was issued; the PDF is printed later from exactly the stored text. Where the
petitioner gave a mobile number, a text message through the outbox tells them the notice is out.
"""

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from cases.models import CaseNotice, NoticeCounter
from cases.paper.render import notice_html
from cases.runtime import Runtime
from cases.store import fastsql
from cases.store.outbox import PETITIONER_RECIPIENT, notify
from cases.store.tables import case_t, office_t, petitioner_t
from cases.store.upsert import insert_ignore
from workflow import paper
from workflow.calendar import local_date
from workflow.lifecycle import CATEGORY_LABELS, CHANNEL_LABELS, OUTCOMES, REJECT_REASONS

notice_t = CaseNotice.__table__
notice_counter_t = NoticeCounter.__table__

# The step's hot path runs these as compiled SQL on the driver (cases.store.fastsql): through
# ``Connection.execute`` they cost a receipt or reply about three times what its own writes do.
_TAKE = fastsql.Statement(
    update(notice_counter_t)
    .where(
        notice_counter_t.c.office_id == bindparam("b_office"),
        notice_counter_t.c.year == bindparam("b_year"),
    )
    .values(last_seq=notice_counter_t.c.last_seq + 1)
    .returning(notice_counter_t.c.last_seq)
)
_OFFICE = fastsql.Statement(
    select(office_t.c.id, office_t.c.name, office_t.c.policy).order_by(office_t.c.id).limit(1)
)
_PHONE = fastsql.Statement(
    select(petitioner_t.c.phone_enc).where(petitioner_t.c.id == bindparam("b_petitioner"))
)
_NOTICE_COLUMNS = [c.name for c in notice_t.columns if c.name != "id"]
_INSERT_NOTICE = fastsql.insert_statement(notice_t, _NOTICE_COLUMNS)


def take_doc_seq(conn: Connection, office_id: int, year: int) -> int:
    """The office's next notice number for the year, held under the counter row's lock."""
    params = {"b_office": office_id, "b_year": year}
    row = fastsql.first(conn, _TAKE, params)
    if row is None:
        # The year's first notice: create its counter (a racing step may have just done so).
        insert_ignore(
            conn,
            notice_counter_t,
            {"office_id": office_id, "year": year, "last_seq": 0},
            ["office_id", "year"],
        )
        row = fastsql.first(conn, _TAKE, params)
    return int(row.last_seq)


def cn_date(day: date) -> str:
    """A date as a notice writes it: 2026年11月29日."""
    return f"{day.year}年{day.month}月{day.day}日"


def issue(
    conn: Connection,
    rt: Runtime,
    *,
    action: str,
    record: Any,
    data: Mapping[str, Any],
    due_dates: Mapping[str, date],
    now: datetime,
) -> dict[str, Any] | None:
    """Issue the notice ``action`` requires, if any; return what the step's audit event records
    of it (kind, title, 文号, SHA-256). ``record`` is the case as loaded before the step."""
    kind = paper.notice_for(action)
    if kind is None:
        return None
    office = fastsql.first(conn, _OFFICE)
    office_id = office.id if office is not None else 0
    issued_on = local_date(now, rt.tz)
    seq = take_doc_seq(conn, office_id, issued_on.year)
    doc_no = paper.doc_number(
        (office.policy or {}).get("doc_prefix") if office is not None else None,
        issued_on.year,
        seq,
    )
    received_on = local_date(record.received_at, rt.tz)
    context = notice_context(kind, record, data, due_dates, issued_on, received_on, doc_no, office)
    html = notice_html(kind.template, context)
    digest = hashlib.sha256(html.encode()).hexdigest()
    event_seq = record.event_count + 1
    fastsql.run(
        conn,
        _INSERT_NOTICE,
        {
            "case_id": record.id,
            "kind": kind.code,
            "office_id": office_id,
            "year": issued_on.year,
            "seq": seq,
            "doc_no": doc_no,
            "event_seq": event_seq,
            "html": html,
            "sha256": digest,
            "issued_at": now,
        },
    )
    _tell_petitioner(conn, record, kind.title, doc_no, now)
    return {"kind": kind.code, "title": kind.title, "doc_no": doc_no, "sha256": digest}


def notice_context(
    kind: paper.NoticeKind,
    record: Any,
    data: Mapping[str, Any],
    due_dates: Mapping[str, date],
    issued_on: date,
    received_on: date,
    doc_no: str,
    office: Any,
) -> dict[str, Any]:
    """What the notice's template is rendered with: the case's facts, the step's data, the article."""
    details = record.details or {}
    window = {"reply": "review_window", "review": "reexamination_window"}.get(kind.code)
    next_step = paper.NEXT_STEP.get(kind.code)
    if window and window in due_dates:
        next_step = (
            f"如不服，可于{cn_date(due_dates[window])}前提出"
            f"{'复查' if kind.code == 'reply' else '复核'}请求。" + (next_step or "")
        )
    reason = REJECT_REASONS.get(str(data.get("reason_code", "")))
    return {
        "office_name": office.name if office is not None else "信访接待窗口",
        "doc_no": doc_no,
        "title": kind.title,
        "article": kind.article,
        "basis": kind.basis,
        "issued_on": cn_date(issued_on),
        "case_no": record.case_no,
        "petitioner": record.p_name,
        "received_on": cn_date(received_on),
        "channel": CHANNEL_LABELS.get(record.channel, record.channel),
        "category": CATEGORY_LABELS.get(record.category, record.category),
        "subject": record.subject,
        "content": record.content,
        "requests": record.requests,
        "kind": kind.code,
        "reason": reason[0] if reason else "",
        "guidance": data.get("guidance") or (reason[1] if reason else ""),
        "organ": data.get("organ", ""),
        "report_by": data.get("report_by", ""),
        "days": data.get("days", ""),
        "extension_reason": data.get("reason", ""),
        "outcome": OUTCOMES.get(str(data.get("outcome", "")), ""),
        "opinion": data.get("opinion", ""),
        "handling_due": cn_date(due_dates["handling"]) if "handling" in due_dates else "",
        "next_step": next_step or "",
        "repeat_of": details.get("repeat_of"),
    }


def _tell_petitioner(conn: Connection, record: Any, title: str, doc_no: str, now: datetime) -> None:
    """A text message to the petitioner's mobile, if they gave one (the worker sends it by SMS)."""
    row = fastsql.first(conn, _PHONE, {"b_petitioner": record.petitioner_id})
    phone_enc = row.phone_enc if row is not None else None
    if not phone_enc:
        return
    notify(
        conn,
        dedup_key=f"{record.case_no}:notice:{doc_no}",
        topic="petitioner_notice",
        recipient=PETITIONER_RECIPIENT,
        case_no=record.case_no,
        payload={"title": title, "doc_no": doc_no, "to_enc": phone_enc},
        now=now,
    )


def case_notices(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    """A case's notices, oldest first, without their text."""
    rows = conn.execute(
        select(
            notice_t.c.id,
            notice_t.c.kind,
            notice_t.c.doc_no,
            notice_t.c.sha256,
            notice_t.c.issued_at,
            notice_t.c.event_seq,
        )
        .where(notice_t.c.case_id == case_id)
        .order_by(notice_t.c.id)
    ).all()
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "title": paper.NOTICE_KINDS[r.kind].title,
            "doc_no": r.doc_no,
            "sha256": r.sha256,
            "issued_at": r.issued_at,
            "event_seq": r.event_seq,
        }
        for r in rows
    ]


def notices_by_case_no(conn: Connection, case_no: str) -> list[dict[str, Any]]:
    """A case's notices by its number (none for an unknown case)."""
    case_id = conn.execute(select(case_t.c.id).where(case_t.c.case_no == case_no)).scalar()
    return case_notices(conn, case_id) if case_id is not None else []


def notice_text(conn: Connection, case_no: str, notice_id: int) -> tuple[str, str] | None:
    """One notice's stored HTML and its 文号, if it belongs to the case."""
    row = conn.execute(
        select(notice_t.c.html, notice_t.c.doc_no)
        .join(case_t, case_t.c.id == notice_t.c.case_id)
        .where(notice_t.c.id == notice_id, case_t.c.case_no == case_no)
    ).first()
    return (row.html, row.doc_no) if row is not None else None
