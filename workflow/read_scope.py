"""Who reads a case in full, and what everyone else who may read cases sees of it (domain.md, "read
a case"): a receptionist (接访员) reads in full only the cases they own (首接); of another's case they
see the routing summary that repeat detection and the petitioner's history need — case number,
subject, state, owner, dates — never its content, the petitioner's name, identity number, phone or
address, its replies, its notes or its documents. Handlers, supervisors, leaders and auditors read
every case (an accusation's confidentiality, ``workflow.confidentiality``, aside).

One rule, read by every path that shows a case: the case JSON and its lists, its events, the case
page, the receipt, the petitioner's history, search, notices, attachments and the printed reports.
"""

from collections.abc import Mapping
from typing import Any

from workflow.errors import PermissionDenied
from workflow.lifecycle import Actor

#: What a summary shows in place of the petitioner.
SUMMARY_PETITIONER = "（非本人首接，不显示）"
#: The roles limited to their own cases.
OWN_CASES_ONLY = frozenset({"receptionist"})
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


def reads_in_full(viewer: Actor | None, owner_staff_no: str | None) -> bool:
    """Whether ``viewer`` reads the case owned by ``owner_staff_no`` in full (None: the system)."""
    if viewer is None or viewer.role not in OWN_CASES_ONLY:
        return True
    return viewer.staff_no == owner_staff_no


def summary(case: Mapping[str, Any]) -> dict[str, Any]:
    """The routing summary of a case JSON: the rest emptied, ``scope`` saying so."""
    out = {name: case[name] for name in SUMMARY_FIELDS if name in case}
    out.update(
        content=None,
        requests=None,
        petitioner={
            "name": SUMMARY_PETITIONER,
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
