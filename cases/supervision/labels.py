"""The Chinese labels of the supervisor queue: statuses, case events and their payload fields."""

from collections.abc import Mapping

from workflow import glossary

ESCALATION_STATUS_LABELS = {
    "open": "待签收",
    "acknowledged": "已签收",
    "superseded": "已升级",
    "resolved": "已解决",
}
NOTICE_STATUS_LABELS = {"open": "待答复", "overdue": "逾期未答复", "answered": "已答复"}
EXTENSION_STATUS_LABELS = {"pending": "待审批", "approved": "已批准", "refused": "未批准"}

#: The Chinese names of the supervision events on a case (the timeline shows them).
EVENT_LABELS = glossary.EVENT_LABELS
#: The Chinese names of their payload fields.
PAYLOAD_LABELS = glossary.PAYLOAD_LABELS


def for_pages() -> Mapping[str, Mapping[str, str]]:
    """The label tables the pages read."""
    return {
        "events": EVENT_LABELS,
        "payload": PAYLOAD_LABELS,
        "escalation_status": ESCALATION_STATUS_LABELS,
        "notice_status": NOTICE_STATUS_LABELS,
        "extension_status": EXTENSION_STATUS_LABELS,
    }
