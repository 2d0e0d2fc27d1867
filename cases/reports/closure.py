"""The case-closure report (结案报告): one case from receipt to its end, for the file.

``case_report`` gathers what the report says, as the viewer may see it: the case through
``reading.show`` (so an accusation stays hidden from the accused unit, 条例第三十条第三款),
every step, each clock's due date against when it was met, the extension, the outcome, review and
re-examination, the petitioner's waiver, the rating. ``closure_report`` gives it only for a matter
that has ended (``workflow.documents``); an open one has its progress print (``progress``). The
template (``templates/closure_report.html``) lays it out for A4; ``pdf`` turns it into a PDF.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, select

from cases.casework import reading
from cases.joint.view import joint_of
from cases.models import CaseRepresentative
from cases.organisation import directory, roster
from cases.paper.trail import paper_trail
from cases.runtime import Runtime
from cases.store.tables import case_t, event_t, petitioner_t
from workflow import documents
from workflow.calendar import local_date
from workflow.confidentiality import HIDDEN
from workflow.glossary import EVENT_LABELS
from workflow.lifecycle import (
    ACTION_LABELS,
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    OUTCOMES,
    RATINGS,
    REJECT_REASONS,
    STATE_LABELS,
    TERMINAL_STATES,
)
from workflow.periods import PERIODS
from workflow.sla import STOPS as CLOCK_STOPS
from workflow.waiver import waiver_text

rep_t = CaseRepresentative.__table__

#: Steps that end a clock without meeting it: the case left the office's hands another way.
_ENDED_OTHERWISE = {"withdraw": "信访人撤回，计时终止", "reject": "不予受理，计时终止"}


def _local(value: str | None, tz: Any) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(tz) if value else None


def _days_text(days: int) -> str:
    return f"{days}日"


def clock_verdict(
    clock: Mapping[str, Any], stopped_by: str | None, now: datetime, tz: Any
) -> tuple[str, str]:
    """How a clock ended against its due date: (kind, words), kind one of on_time · late ·
    running · overdue · lapsed · ended."""
    due_date = date.fromisoformat(clock["due_date"])
    due_at = datetime.fromisoformat(clock["due_at"])
    petitioner = PERIODS[clock["name"]].kind == "petitioner"
    if clock["status"] in ("running", "paused"):
        paused = "（听证中暂停）" if clock["status"] == "paused" else ""
        if now > due_at:
            late = (local_date(now, tz) - due_date).days
            return "overdue", f"计时中{paused}，已超期{_days_text(late)}"
        left = (due_date - local_date(now, tz)).days
        return "running", f"计时中{paused}，距届满{_days_text(left)}"
    if clock["status"] == "lapsed":
        return "lapsed", "期满，信访人未提出请求"
    stopped = datetime.fromisoformat(clock["stopped_at"])
    # 不予受理 is itself the acceptance decision: that one is measured like any other.
    if stopped_by in _ENDED_OTHERWISE and not (
        stopped_by == "reject" and clock["name"] == "acceptance"
    ):
        return "ended", _ENDED_OTHERWISE[stopped_by]
    if petitioner:
        # The petitioner's window: not the office's to meet; say what ended it.
        if (stopped_by or "").startswith("request_"):
            return "ended", "信访人已提出请求"
        return "ended", "已办结" if stopped_by in ("close", "lapse") else "结束"
    if stopped <= due_at:
        return "on_time", "按期"
    late = (local_date(stopped, tz) - due_date).days
    return "late", f"超期{_days_text(late)}"


def _stopping_actions(events: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The actions taken at each instant (a clock stops in the same unit of work as its step)."""
    out: dict[str, list[str]] = {}
    for e in events:
        out.setdefault(e["at"], []).append(e["action"])
    return out


def _stopped_by(clock: Mapping[str, Any], actions: Sequence[str]) -> str | None:
    """Which of the steps taken at the instant a clock stopped is the one that stopped it."""
    # workflow.sla's table of what each action stops; what else stops a clock ends the case
    # (reject, withdraw, close, lapse) or, for tracking, a note or the case leaving the office.
    stops = {a for a, names in CLOCK_STOPS.items() if clock["name"] in names}
    if clock["name"] == "tracking":
        stops.add("note")
    for action in actions:
        if action in stops:
            return action
    return actions[-1] if actions else None


def _clock_lines(
    clocks: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    now: datetime,
    tz: Any,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each clock but tracking, with its verdict; and the tracking runs summed up."""
    at_instant = _stopping_actions(events)
    lines = []
    tracking = {"runs": 0, "notes": 0, "notes_on_time": 0, "late": [], "running": None}
    for clock in clocks:
        by = _stopped_by(clock, at_instant.get(clock["stopped_at"] or "", []))
        kind, words = clock_verdict(clock, by, now, tz)
        if clock["name"] == "tracking":
            tracking["runs"] += 1
            if by == "note":
                tracking["notes"] += 1
                if kind == "on_time":
                    tracking["notes_on_time"] += 1
                else:
                    tracking["late"].append(f"{clock['due_date']}届满，{words}")
            elif kind in ("running", "overdue"):
                tracking["running"] = f"{clock['due_date']}届满，{words}"
            continue
        lines.append(
            {
                **clock,
                "label": PERIODS[clock["name"]].label,
                "article": PERIODS[clock["name"]].article,
                "kind": kind,
                "verdict": words,
                "stopped_by": EVENT_LABELS.get(by, "") if by else "",
                "started_on": _local(clock["started_at"], tz).date().isoformat(),  # type: ignore[union-attr]
                "met_at": _local(clock["stopped_at"], tz),
            }
        )
    return lines, tracking


def _first(events: Sequence[Mapping[str, Any]], action: str) -> Mapping[str, Any] | None:
    return next((e for e in events if e["action"] == action), None)


def _last(events: Sequence[Mapping[str, Any]], action: str) -> Mapping[str, Any] | None:
    return next((e for e in reversed(events) if e["action"] == action), None)


def _representatives(conn: Connection, case_no: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(petitioner_t.c.name, petitioner_t.c.id_number_masked, petitioner_t.c.phone_masked)
        .join(rep_t, rep_t.c.petitioner_id == petitioner_t.c.id)
        .join(case_t, case_t.c.id == rep_t.c.case_id)
        .where(case_t.c.case_no == case_no)
        .order_by(petitioner_t.c.id)
    )
    return [dict(r._mapping) for r in rows]


def closure_report(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    viewer_staff_no: str | None,
    now: datetime,
) -> dict[str, Any]:
    """What one case's closure report says, as this viewer may see it (None: the database's
    authority, as the command line runs); refused (409) while the matter is open."""
    report = case_report(conn, rt, case_no=case_no, viewer_staff_no=viewer_staff_no, now=now)
    case = report["case"]
    documents.check_report(
        "closure", case_no, case["state"], allowed_actions=case["allowed_actions"]
    )
    return report


def case_report(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    viewer_staff_no: str | None,
    now: datetime,
) -> dict[str, Any]:
    """One case from receipt to now, as this viewer may see it: what the closure report and the
    progress print (``progress``) both say."""
    tz = rt.tz
    case = reading.show_full(
        conn,
        rt,
        case_no=case_no,
        viewer_staff_no=viewer_staff_no,
        now=now,
        what="结案报告和进展情况",
    )
    events = reading.case_events(conn, rt, case_no=case_no, viewer_staff_no=viewer_staff_no)
    # For the accused unit a step shows what happened and when, never its contents (reading
    # leaves its payload empty), and the case neither its subject nor its details.
    hidden = bool(case["petitioner"].get("confidential"))
    names = directory.staff_names(conn, (e["actor"] for e in events))
    names.setdefault("SYSTEM", "系统")
    names.setdefault("PETITIONER", "信访人")
    steps = [
        {
            **e,
            "at_local": _local(e["at"], tz),
            "actor_name": names.get(e["actor"], ""),
        }
        for e in events
    ]
    clocks, tracking = _clock_lines(case["clocks"], events, now, tz)
    details = case["details"] or {}

    def opinion(text: str | None) -> str | None:
        return HIDDEN if hidden and text else text

    extend_event = _last(events, "extend")
    reply_event = _first(events, "reply") or _first(events, "report_back")
    rating_event = _last(events, "record_evaluation")
    terminal = next(
        (
            e
            for e in reversed(events)
            if e["to_state"] in TERMINAL_STATES and e["from_state"] != e["to_state"]
        ),
        None,
    )
    reject = details.get("reject")
    office = roster.office(conn)
    return {
        "case": case,
        "hidden": hidden,
        "closed": case["state"] in TERMINAL_STATES,
        "title": f"信访事项{documents.CLOSURE_REPORT}",
        "office_name": office.name if office is not None else "信访接待窗口",
        "category_label": CATEGORY_LABELS.get(case["category"], case["category"]),
        "channel_label": CHANNEL_LABELS.get(case["channel"], case["channel"]),
        "state_label": STATE_LABELS[case["state"]],
        "received_at": _local(case["received_at"], tz),
        "representatives": [] if hidden else _representatives(conn, case_no),
        # The notices issued and the materials kept: none of it for the accused unit (第三十条第三款).
        "paper": {"notices": [], "attachments": []} if hidden else paper_trail(conn, case_no),
        "steps": steps,
        "clocks": clocks,
        "tracking": tracking,
        "extension": (
            {
                "days": details["extension"]["days"],
                "reason": opinion(details["extension"]["reason"]),
                "at": _local(extend_event["at"], tz) if extend_event else None,
                "actor": extend_event["actor"] if extend_event else None,
                "actor_name": names.get(extend_event["actor"], "") if extend_event else "",
            }
            if details.get("extension")
            else None
        ),
        "transfer": details.get("transfer"),
        "assign": details.get("assign"),
        "partner_accepted_on": details.get("partner_accepted_on"),
        "reject": (
            {
                "reason": REJECT_REASONS.get(reject["reason_code"], (reject["reason_code"],))[0],
                "guidance": opinion(reject.get("guidance")),
            }
            if reject
            else None
        ),
        "outcome": OUTCOMES.get(case["outcome"] or "", None),
        "opinion": opinion((details.get("reply") or {}).get("opinion")),
        "report_back": opinion(details.get("report_back")),
        "replied_at": _local(reply_event["at"], tz) if reply_event else None,
        "review": _stage(
            events, "request_review", "reply_review", tz, opinion(details.get("review_opinion"))
        ),
        "reexamination": _stage(
            events,
            "request_reexamination",
            "reply_reexamination",
            tz,
            opinion(details.get("reexamination_opinion")),
        ),
        "hearings": [
            {"action": e["action"], "at": _local(e["at"], tz)}
            for e in events
            if e["action"] in ("start_hearing", "end_hearing")
        ],
        "rating": RATINGS.get(case["rating"] or "", None),
        "rated_at": _local(rating_event["at"], tz) if rating_event else None,
        "rating_comment": opinion((rating_event or {}).get("payload", {}).get("comment")),
        "ended_at": _local(terminal["at"], tz) if terminal else None,
        "ended_by": ACTION_LABELS.get(terminal["action"], "") if terminal else "",
        # Closed before the petitioner's window lapsed: their waiver (条例第三十五条、第三十六条).
        "waiver": waiver_text(details["waiver"]) if details.get("waiver") else None,
        "printed_at": now.astimezone(tz),
        # 联合会办: the organs, their parts against their last days, the meetings and disputes.
        "joint": None if hidden else joint_of(conn, rt, case_no=case_no, now=now),
    }


def _stage(
    events: Sequence[Mapping[str, Any]], request: str, reply: str, tz: Any, opinion: str | None
) -> dict[str, Any] | None:
    """A review or re-examination: when it was requested, when and what was answered."""
    asked = _first(events, request)
    if asked is None:
        return None
    answered = _first(events, reply)
    return {
        "requested_at": _local(asked["at"], tz),
        "replied_at": _local(answered["at"], tz) if answered else None,
        "opinion": opinion,
    }


def month_case_numbers(conn: Connection, *, year: int, month: int, tz: Any) -> list[str]:
    """The cases that came to their end (办结 · 终结 · 不予受理 · 撤回) in a month, in that order."""
    if not 1 <= month <= 12:
        raise ValueError("month must be 1–12")
    first = datetime.combine(date(year, month, 1), time(0), tzinfo=tz)
    after = datetime.combine(date(year + month // 12, month % 12 + 1, 1), time(0), tzinfo=tz)
    terminal = sorted(TERMINAL_STATES)
    rows = conn.execute(
        select(case_t.c.case_no, event_t.c.at)
        .join(case_t, case_t.c.id == event_t.c.case_id)
        .where(
            event_t.c.to_state.in_(terminal),
            event_t.c.from_state.not_in(terminal),
            event_t.c.at >= first.astimezone(UTC),
            event_t.c.at < after.astimezone(UTC),
            case_t.c.state.in_(terminal),
        )
        .order_by(event_t.c.at, case_t.c.case_no)
    )
    return list(dict.fromkeys(r.case_no for r in rows))


__all__ = ["case_report", "clock_verdict", "closure_report", "month_case_numbers"]
