"""The supervision tables as Core tables, named once for the queue's modules."""

from cases.models import (
    EscalationAck,
    ExtensionRequest,
    NoticeEscalation,
    RatingFollowup,
    SupervisionNotice,
)

ack_t = EscalationAck.__table__
notice_t = SupervisionNotice.__table__
notice_esc_t = NoticeEscalation.__table__
extension_t = ExtensionRequest.__table__
followup_t = RatingFollowup.__table__
