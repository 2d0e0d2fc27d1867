"""What the lifecycle's rules read and say: a case's facts, who acts, and a guard with its refusal.

Plain values, kept apart from the machine (``workflow/lifecycle.py``) so the rules that add a guard
or a fact (联合会办, ``workflow/joint.py``) read them without importing the machine.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class CaseFacts:
    """What the rules need to know about one case; the machine's model.

    ``window_due`` maps a running petitioner window (``review_window``, ``reexamination_window``)
    to its end instant, ``window_dates`` to its (start, last day): the reply's day and the day the
    window lapses; ``now`` is the injected clock's reading.
    """

    state: str
    owner_staff_no: str
    now: datetime
    extended: bool = False
    hearing_open: bool = False
    rated: bool = False
    window_due: Mapping[str, datetime] = field(default_factory=dict)
    window_dates: Mapping[str, tuple[date, date]] = field(default_factory=dict)
    received_on: date | None = None
    transferred_on: date | None = None
    partner_accepted: bool = False
    #: 联合会办: the lead organ's part is still open, so the one reply must wait (条例第二十四条).
    joint_lead_open: bool = False


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member's 工号 and role."""

    staff_no: str
    role: str
    name: str = ""


@dataclass(frozen=True)
class Guard:
    """A condition beyond the state table, with the Chinese refusal said when it fails."""

    test: Callable[[CaseFacts], bool]
    code: str
    message: str
