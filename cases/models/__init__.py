"""SQLModel tables, one module per domain; importing the package puts every table on the metadata.

No module here imports behaviour: tables, their indexes and the column types they share.
"""

from cases.models.accounts import AdminChainHead, AdminEvent, AuthSession, Throttle
from cases.models.calendar import CalendarSchedule
from cases.models.case import (
    Case,
    CaseClock,
    CaseCounter,
    CaseEvent,
    CaseRepresentative,
    FormToken,
    IdempotencyKey,
    Petitioner,
    case_version_col,
)
from cases.models.joint import JointDispute, JointMeeting, JointOrgan
from cases.models.notify import Delivery, NotificationPreference, Outbox, StaffContact
from cases.models.organisation import Office, PartyBranch, PartyGroup, Staff
from cases.models.paper import CaseAttachment, CaseNotice, NoticeCounter
from cases.models.repeat import CaseContact, CaseKeyword
from cases.models.reports import REPORT_INDEXES, BriefingRun, CaseTopic
from cases.models.supervision import (
    Escalation,
    EscalationAck,
    ExtensionRequest,
    NoticeEscalation,
    RatingFollowup,
    SupervisionNotice,
)
from cases.models.training import TrainingRun
from cases.models.types import UTCDateTime

__all__ = [
    "REPORT_INDEXES",
    "AdminChainHead",
    "AdminEvent",
    "AuthSession",
    "BriefingRun",
    "CalendarSchedule",
    "Case",
    "CaseTopic",
    "CaseAttachment",
    "CaseClock",
    "CaseContact",
    "CaseCounter",
    "CaseEvent",
    "CaseKeyword",
    "CaseNotice",
    "CaseRepresentative",
    "Delivery",
    "Escalation",
    "EscalationAck",
    "ExtensionRequest",
    "FormToken",
    "IdempotencyKey",
    "JointDispute",
    "JointMeeting",
    "JointOrgan",
    "NoticeCounter",
    "NoticeEscalation",
    "NotificationPreference",
    "Office",
    "Outbox",
    "PartyBranch",
    "PartyGroup",
    "Petitioner",
    "RatingFollowup",
    "Staff",
    "StaffContact",
    "SupervisionNotice",
    "Throttle",
    "TrainingRun",
    "UTCDateTime",
    "case_version_col",
]
