"""The Core tables the services write and read, named once."""

from cases.models import (
    Case,
    CaseClock,
    CaseCounter,
    CaseEvent,
    CaseRepresentative,
    Escalation,
    FormToken,
    IdempotencyKey,
    Office,
    Outbox,
    PartyBranch,
    PartyGroup,
    Petitioner,
    Staff,
)

case_t = Case.__table__
event_t = CaseEvent.__table__
clock_t = CaseClock.__table__
staff_t = Staff.__table__
petitioner_t = Petitioner.__table__
counter_t = CaseCounter.__table__
escalation_t = Escalation.__table__
outbox_t = Outbox.__table__
group_t = PartyGroup.__table__
branch_t = PartyBranch.__table__
representative_t = CaseRepresentative.__table__
idempotency_t = IdempotencyKey.__table__
office_t = Office.__table__
form_token_t = FormToken.__table__
