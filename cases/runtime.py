"""What every unit of work needs: the settings' keys, the office's time zone, policy, calendar and
list of regions."""

import json
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from cases.audit import audit_key
from cases.crypto import FieldCipher
from cases.models import CalendarSchedule
from cases.repeat import jurisdiction
from cases.settings import Settings
from workflow import sla
from workflow.calendar import OfficialCalendar, parse_schedule
from workflow.periods import OfficePolicy
from workflow.regions import Regions, bundled

#: Seconds a unit of work trusts what it last read of the office's calendar and regions.
RECHECK_SECONDS = 30


@dataclass
class Runtime:
    """What every unit of work needs: keys, time zone, policy, the official calendar, regions."""

    settings: Settings
    cipher: FieldCipher
    audit_key: bytes
    policy: OfficePolicy = field(default_factory=OfficePolicy)
    _calendar: OfficialCalendar | None = None
    _calendar_checked: float = 0.0
    _calendar_stamp: Any = None
    _regions: Regions | None = None
    _regions_checked: float = 0.0

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
        if self._calendar is None or time.monotonic() - self._calendar_checked > RECHECK_SECONDS:
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

    def regions(self, conn: Connection | None = None) -> Regions:
        """The office's list of regions (GB/T 2260 with its amendments), re-read through ``conn``
        at most every 30 s; without a connection, the list as last read (the bundled one before)."""
        stale = time.monotonic() - self._regions_checked > RECHECK_SECONDS
        if conn is not None and (self._regions is None or stale):
            self._regions = jurisdiction.region_names(conn)
            self._regions_checked = time.monotonic()
        return self._regions or bundled()

    def invalidate_regions(self) -> None:
        """Forget the cached list of regions (the office just amended it)."""
        self._regions = None

    def ctx(self, conn: Connection) -> sla.Context:
        """The reckoning context for clocks."""
        return sla.Context(calendar=self.calendar(conn), tz=self.tz, policy=self.policy)
