"""The progress print (进展情况) of an open case: the case so far and what is still pending.

What the closure report says of the steps and the deadlines (``closure.case_report``), plus what
the case waits for now: each running clock with what stops it, its due date, how much time is left
or how late it is and its level on the ladder; unanswered 督办单; extension requests not yet decided.
A case that has ended has its closure report instead (``workflow.documents``).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from cases.reports import closure
from cases.runtime import Runtime
from cases.supervision import extensions, notices
from workflow import documents
from workflow.confidentiality import HIDDEN
from workflow.periods import LEVEL_LABELS, PERIODS


def progress_report(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    viewer_staff_no: str | None,
    now: datetime,
) -> dict[str, Any]:
    """What one open case's progress print says, as this viewer may see it; refused (409) once
    the matter has ended."""
    report = closure.case_report(
        conn, rt, case_no=case_no, viewer_staff_no=viewer_staff_no, now=now
    )
    case = report["case"]
    documents.check_report(
        "progress", case_no, case["state"], allowed_actions=case["allowed_actions"]
    )
    pending = []
    for clock in case["clocks"]:
        if clock["status"] not in ("running", "paused"):
            continue
        period = PERIODS[clock["name"]]
        # The case JSON's clocks carry their standing now (workflow.standing): one truth.
        kind, words = closure.clock_verdict(clock, None, now, rt.tz)
        level = clock.get("level")
        pending.append(
            {
                "label": period.label,
                "article": period.article,
                "awaits": period.stops,
                "petitioner": period.kind == "petitioner",
                "due_date": clock["due_date"],
                "provisional": clock["provisional"],
                "kind": kind,
                "standing": words,
                "level": LEVEL_LABELS.get(level or "", ""),
            }
        )
    hidden = report["hidden"]
    report.update(
        title=f"信访事项{documents.PROGRESS_REPORT}",
        pending=pending,
        # What supervision waits for; for the accused unit, only that it exists.
        notices=[
            {**n, "text": HIDDEN, "answer": None} if hidden else n
            for n in notices.case_notices(conn, rt, case_no, now)
            if n["status"] != "answered"
        ],
        extensions=[
            {**x, "reason": HIDDEN, "subject": HIDDEN} if hidden else x
            for x in extensions.case_extensions(conn, rt, case_no)
            if x["status"] == "pending"
        ],
        allowed_actions=case["allowed_actions"],
    )
    return report
