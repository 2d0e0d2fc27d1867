"""The joint-handling tables as Core tables, named once for this package's modules."""

from cases.models import JointDispute, JointMeeting, JointOrgan

organ_t = JointOrgan.__table__
meeting_t = JointMeeting.__table__
dispute_t = JointDispute.__table__
