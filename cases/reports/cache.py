"""Rendered report files kept by what they show: a statistics PDF takes seconds to lay out, so it
is made once per (office, period, data version) and served from here after.

The data version changes on every write the statistics can see: every step on a case appends an
event (the sweeper's escalations and the repeat contacts too), so the newest event's id moves;
the roster (names, groups) and the office's name are hashed in; and the day, because a case
passes its deadline, and counts against the on-time rates, without anyone writing.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date

from sqlalchemy import Connection, func, select

from cases.store.tables import event_t, group_t, office_t, staff_t


def data_version(conn: Connection, today: date) -> str:
    """A string that changes whenever the office's statistics may: a write, a roster change, a day."""
    last_event = conn.execute(select(func.max(event_t.c.id))).scalar() or 0
    roster = conn.execute(
        select(staff_t.c.id, staff_t.c.staff_no, staff_t.c.name, staff_t.c.group_id).order_by(
            staff_t.c.id
        )
    ).all()
    groups = conn.execute(select(group_t.c.id, group_t.c.name).order_by(group_t.c.id)).all()
    offices = conn.execute(select(office_t.c.name).order_by(office_t.c.id)).all()
    digest = hashlib.sha256(repr((roster, groups, offices)).encode()).hexdigest()[:16]
    return f"{last_event}:{digest}:{today.isoformat()}"


class ReportCache:
    """The most recently made report files, by key (thread-safe; one per application)."""

    def __init__(self, size: int = 16) -> None:
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size
        #: How many files were made (not served from the cache): what the tests count.
        self.renders = 0

    def get_or_make(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """The file for ``key``: from the cache, or made now and kept."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        content = make()  # outside the lock: another report may be made meanwhile
        with self._lock:
            self.renders += 1
            self._items[key] = content
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return content
