"""Who reads a case in full, and what everyone else who may read cases sees of it (domain.md, "read
a case"): a receptionist (接访员) reads in full only the cases they own (首接); of another's case they
see the routing summary that repeat detection and the petitioner's history need — case number,
subject, state, owner, dates — never its content, the petitioner's name, identity number, phone or
address, its replies, its notes or its documents. A handler (承办人) reads in full the cases they work
on: those the office has taken up for handling (accepted or transferred, and every state after a
reply); a case still waiting to be routed, assigned elsewhere, refused or withdrawn they see as its
summary. Supervisors, leaders and auditors read every case (an accusation's confidentiality,
``workflow.confidentiality``, aside).

One rule, read by every path that shows a case: the case JSON and its lists, its events, the case
page, the receipt, the petitioner's history, search, notices, attachments and the printed reports.
"""

from collections.abc import Mapping
from typing import Any

from workflow.confidentiality import HIDDEN
from workflow.errors import PermissionDenied
from workflow.lifecycle import Actor

#: What a summary shows in place of the petitioner.
SUMMARY_PETITIONER = "（非本人首接，不显示）"
#: The roles limited to their own cases.
OWN_CASES_ONLY = frozenset({"receptionist"})
#: The states of a case a handler works on (domain.md: "works a case accepted by this office"):
#: taken up for handling, or past a reply; not one still to be routed, assigned to another organ,
#: refused or withdrawn.
HANDLED_STATES = frozenset(
    {
        "accepted",
        "transferred",
        "replied",
        "under_review",
        "review_replied",
        "under_reexamination",
        "concluded",
        "closed",
    }
)
#: The case JSON's fields a summary keeps as they are: the routing summary and its dates.
SUMMARY_FIELDS = (
    "case_no",
    "state",
    "state_label",
    "category",
    "channel",
    "subject",
    "region_code",
    "owner",
    "received_at",
    "clocks",
    "flags",
    "extended",
    "version",
)


def reads_in_full(viewer: Actor | None, owner_staff_no: str | None, state: str | None) -> bool:
    """Whether ``viewer`` reads the case owned by ``owner_staff_no``, now in ``state``, in full
    (None: the system)."""
    if viewer is None:
        return True
    if viewer.role == "handler":
        return state in HANDLED_STATES
    if viewer.role not in OWN_CASES_ONLY:
        return True
    return viewer.staff_no == owner_staff_no


def summary(case: Mapping[str, Any]) -> dict[str, Any]:
    """The routing summary of a case JSON: the rest emptied, ``scope`` saying so."""
    out = {name: case[name] for name in SUMMARY_FIELDS if name in case}
    out.update(
        content=None,
        requests=None,
        petitioner={
            # An accusation hidden from the accused unit stays 「保密」: the stronger rule says why.
            "name": HIDDEN
            if (case.get("petitioner") or {}).get("name") == HIDDEN
            else SUMMARY_PETITIONER,
            "id_number_masked": None,
            "phone_masked": None,
        },
        allowed_actions=[],
        outcome=None,
        rating=None,
        details={},
        scope="summary",
    )
    return out


def require_full(case: Mapping[str, Any], what: str) -> None:
    """Refuse ``what`` (the receipt, a notice, a report…) of a case the viewer sees only summarised."""
    if case.get("scope") == "summary":
        raise PermissionDenied(
            "case.summary_only",
            f"该信访事项不是您首接的，您只能查看其摘要（编号、事由、状态、责任人、日期），不能查看{what}",
            case_no=case.get("case_no"),
        )
