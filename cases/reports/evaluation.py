"""群众评价 on the public staff wall: for each member, over the last 12 months, the cases they own
(首接), those replied (答复（办结）), and the petitioners' ratings of them with the 满意率.

Counted by the statistics' own queries (``cases.reports.aggregates``: cases received, replies and
ratings in a window, by the case's current owner) and the statistics' own rate
(``Tally.measures``), so the wall and ``/reports`` never disagree; the rate is shown only over
``SHOUJIE_WALL_MIN_RATINGS`` ratings (``workflow.measures.public_satisfaction``). Nothing here
names a case, a petitioner or a comment: only counts leave this module.
"""

import json
from dataclasses import astuple, dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import Connection

from cases.reports import aggregates
from cases.reports.cache import ReportCache, data_version
from cases.reports.counting import Period, Tally
from workflow import measures
from workflow.calendar import local_date

#: The statistics' queries the wall reads: 首接 (intakes), 答复（办结） (replies), ratings.
WALL_QUERIES = (aggregates.intakes, aggregates.replies, aggregates.ratings)


@dataclass(frozen=True)
class PublicEvaluation:
    """One member's 群众评价: counts only, and the 满意率 when enough ratings exist."""

    owned: int
    replied: int
    rated: int
    satisfied: int
    #: The statistics' 满意率 (满意 + 基本满意 ÷ ratings), None below the minimum.
    rate: float | None
    minimum: int

    @property
    def enough(self) -> bool:
        """Whether the 满意率 may be shown (at least ``minimum`` ratings)."""
        return self.rate is not None

    @property
    def text(self) -> str:
        """「满意率 94%（17件评价）」 or 「评价不足5件」."""
        return measures.public_satisfaction_text(self.rate, self.rated, self.minimum)


def last_months(today: date, months: int = measures.WALL_MONTHS) -> Period:
    """The ``months`` months up to and including ``today`` (local dates)."""
    year, month = divmod(today.month - 1 - months, 12)
    first_month = date(today.year + year, month + 1, 1)
    # The same day of the month ``months`` before, clamped (29 Feb), then the day after it.
    day = today.day
    while True:
        try:
            before = first_month.replace(day=day)
            break
        except ValueError:
            day -= 1
    return Period(before + timedelta(days=1), today)


def evaluation_of(tally: Tally, minimum: int) -> PublicEvaluation:
    """A member's 群众评价 from the statistics' tally of their cases."""
    counted = tally.measures()
    return PublicEvaluation(
        owned=tally.intakes,
        replied=tally.replies,
        rated=tally.rated,
        satisfied=tally.satisfied,
        rate=measures.public_satisfaction(counted["satisfaction_rate"], tally.rated, minimum),
        minimum=minimum,
    )


def public_evaluations(
    conn: Connection, tz: tzinfo, *, now: datetime, minimum: int
) -> dict[int, PublicEvaluation]:
    """Every owner's 群众评价 over the 12 months to ``now``, by staff id (owners of no case in
    that time are absent: their counts are all zero, see ``empty``)."""
    period = last_months(local_date(now, tz))
    window = period.instants(tz)
    tallies: dict[int, Tally] = {}
    for query in WALL_QUERIES:
        for dim, key, counts in query(conn, window):
            if dim == "owner_id":
                tallies.setdefault(int(key), Tally()).add(**counts)
    return {staff_id: evaluation_of(t, minimum) for staff_id, t in tallies.items()}


def cached_evaluations(
    conn: Connection, tz: tzinfo, *, now: datetime, minimum: int, cache: ReportCache | None
) -> dict[int, PublicEvaluation]:
    """``public_evaluations``, made once per data version (any write on a case, a roster change,
    a new day) and kept in ``cache``: the wall is public, and a year's aggregates are not free."""
    if cache is None:
        return public_evaluations(conn, tz, now=now, minimum=minimum)
    key = ("wall", data_version(conn, local_date(now, tz)), minimum)

    def make() -> bytes:
        made = public_evaluations(conn, tz, now=now, minimum=minimum)
        return json.dumps({k: astuple(v) for k, v in made.items()}).encode()

    raw = json.loads(cache.get_or_make(key, make))
    return {int(k): PublicEvaluation(*v) for k, v in raw.items()}


def empty(minimum: int) -> PublicEvaluation:
    """The 群众评价 of a member who owned no case in the window."""
    return evaluation_of(Tally(), minimum)
