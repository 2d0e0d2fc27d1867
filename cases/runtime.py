"""What every unit of work needs: the settings' keys, the office's time zone, policy and calendar."""

import json
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from cases.audit import audit_key
from cases.crypto import FieldCipher
from cases.models import CalendarSchedule
from cases.settings import Settings
from workflow import sla
from workflow.calendar import OfficialCalendar, parse_schedule
from workflow.periods import OfficePolicy


@dataclass
class Runtime:
    """What every unit of work needs: keys, time zone, policy and the official calendar."""

    settings: Settings
    cipher: FieldCipher
    audit_key: bytes
    policy: OfficePolicy = field(default_factory=OfficePolicy)
    _calendar: OfficialCalendar | None = None
    _calendar_checked: float = 0.0
    _calendar_stamp: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Runtime":
        """Build the runtime from settings."""
        return cls(
            settings=settings,
            cipher=FieldCipher(settings.data_key),
            audit_key=audit_key(settings.secret_key),
        )

    @property
    def tz(self) -> Any:
        """The office's local time zone."""
        return self.settings.timezone

    def calendar(self, conn: Connection) -> OfficialCalendar:
        """The official calendar with every schedule the office loaded (re-read at most every 30 s)."""
        if self._calendar is None or time.monotonic() - self._calendar_checked > 30:
            ct = CalendarSchedule.__table__
            stamp = conn.execute(select(func.count(), func.max(ct.c.loaded_at))).one()
            if self._calendar is None or tuple(stamp) != self._calendar_stamp:
                schedules = {
                    row.year: parse_schedule(json.dumps(row.data))
                    for row in conn.execute(select(ct))
                }
                self._calendar = OfficialCalendar(schedules)
                self._calendar_stamp = tuple(stamp)
            self._calendar_checked = time.monotonic()
        return self._calendar

    def invalidate_calendar(self) -> None:
        """Forget the cached calendar (a schedule was just loaded)."""
        self._calendar = None

    def ctx(self, conn: Connection) -> sla.Context:
        """The reckoning context for clocks."""
        return sla.Context(calendar=self.calendar(conn), tz=self.tz, policy=self.policy)
