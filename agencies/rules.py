"""Working-day calendar used for every statutory and local timescale.

Pure domain rules: no Django, no database. All deadlines in the product
(referral decision in 1 working day, red-RAG agency checks in 4 working hours,
initial child protection conference within 15 working days of the strategy
meeting, Operation Encompass notification before the next school day) are
computed through :class:`WorkingCalendar`.

Conventions shared by every method:

* Only timezone-aware datetimes are accepted; naive ones raise ``ValueError``
  because a wall-clock time without a zone is ambiguous across DST changes.
* Results are aware datetimes in the calendar's ``tz``. Wall-clock rules
  ("same time the next working day", "09:00") are applied in ``tz``; elapsed
  time is measured on real (UTC) instants.
* Working time is the half-open window ``[day_start, day_end)`` on each
  working day. A moment outside it is "out of hours".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "DEFAULT_TZ",
    "WorkingCalendar",
    "english_bank_holidays",
    "is_bank_holiday",
]

DEFAULT_TZ = ZoneInfo("Europe/London")

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@cache
def english_bank_holidays(year: int) -> frozenset[date]:
    """Bank holidays in England for ``year``, including substitute days.

    England and Wales share one list; Scotland and Northern Ireland differ,
    so the ``ENG`` subdivision is used rather than the UK-wide set. The
    typed factory is used because ``holidays.UK`` is registered lazily and is
    invisible to mypy; it builds the same ``UnitedKingdom`` calendar.
    """
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(d: date) -> bool:
    """True if ``d`` is a bank holiday (or substitute day) in England."""
    return d in english_bank_holidays(d.year)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def _as_duration(hours: float | timedelta) -> timedelta:
    if isinstance(hours, timedelta):
        duration = hours
    elif isinstance(hours, bool) or not isinstance(hours, int | float):
        kind = type(hours).__name__
        raise TypeError(f"hours must be a number or timedelta, got {kind}")
    elif not math.isfinite(hours):
        raise ValueError(f"hours must be finite, got {hours!r}")
    else:
        duration = timedelta(hours=hours)
    if duration < timedelta(0):
        raise ValueError(f"hours must not be negative, got {hours!r}")
    return duration


@dataclass(frozen=True)
class WorkingCalendar:
    """A partnership's working-day calendar.

    A working day is Monday to Friday, not an English bank holiday and not one
    of the partnership's own ``closures`` (e.g. the Christmas shutdown).

    A school day is Monday to Friday, not an English bank holiday and not in
    ``school_days_off`` (school holidays, INSET days). Partnership closures do
    NOT close schools: schools run to their own term dates, and Operation
    Encompass notifications are owed to the school whether or not the
    council's offices are open.
    """

    closures: frozenset[date] = frozenset()
    tz: ZoneInfo = DEFAULT_TZ
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    school_days_off: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Accept any iterable of dates but store frozensets so the calendar
        # stays hashable.
        object.__setattr__(self, "closures", frozenset(self.closures))
        object.__setattr__(self, "school_days_off", frozenset(self.school_days_off))
        if not isinstance(self.tz, ZoneInfo):
            kind = type(self.tz).__name__
            raise TypeError(f"tz must be a zoneinfo.ZoneInfo, got {kind}")
        if self.day_start.tzinfo is not None or self.day_end.tzinfo is not None:
            raise ValueError(
                "day_start and day_end are wall-clock times; pass naive times"
            )
        if not self.day_start < self.day_end:
            raise ValueError(
                f"day_start ({self.day_start}) must be before day_end ({self.day_end})"
            )

    # ----------------------------------------------------------------- days

    def is_working_day(self, d: date) -> bool:
        """Monday-Friday, not an English bank holiday, not a partnership closure."""
        return (
            d.weekday() < _SATURDAY
            and not is_bank_holiday(d)
            and d not in self.closures
        )

    def is_school_day(self, d: date) -> bool:
        """Monday-Friday, not an English bank holiday, not in ``school_days_off``.

        Partnership closures are deliberately ignored (see class docstring).
        """
        return (
            d.weekday() < _SATURDAY
            and not is_bank_holiday(d)
            and d not in self.school_days_off
        )

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    # ------------------------------------------------------------- instants

    def _local(self, d: date, t: time) -> datetime:
        """Wall-clock ``t`` on ``d`` in ``tz``, normalised through UTC.

        The round trip resolves the fold for repeated times and moves a time
        that does not exist (inside a spring-forward gap) forward by the gap,
        matching what a wall clock shows.
        """
        wall = datetime.combine(d, t, tzinfo=self.tz)
        return wall.astimezone(UTC).astimezone(self.tz)

    def _window(self, d: date) -> tuple[datetime, datetime]:
        """The working window of ``d`` as UTC instants ``(open, close)``."""
        return (
            self._local(d, self.day_start).astimezone(UTC),
            self._local(d, self.day_end).astimezone(UTC),
        )

    def _clock_start(self, at: datetime) -> datetime:
        """The first working moment at or after ``at``, in ``tz``.

        Within working hours this is ``at`` itself. Before ``day_start`` on a
        working day it is that day's ``day_start``. At or after ``day_end``, or
        on any non-working day, it is ``day_start`` of the next working day.
        """
        instant = at.astimezone(UTC)
        local = instant.astimezone(self.tz)
        d = local.date()
        if self.is_working_day(d):
            opens, closes = self._window(d)
            if instant < opens:
                return opens.astimezone(self.tz)
            if instant < closes:
                return local
        return self._window(self.next_working_day(d))[0].astimezone(self.tz)

    def add_working_days(self, at: datetime, n: int) -> datetime:
        """The deadline ``n`` working days after a receipt at ``at``.

        Rule (as a MASH manager counts it):

        * The clock starts at the first working moment at or after ``at``. A
          referral received at the weekend, on a bank holiday or closure day,
          or out of hours (before ``day_start`` or from ``day_end`` onwards) is
          treated as received at ``day_start`` of the next working day; one
          received at 06:00 on a working day, at that day's ``day_start``.
          So 1 working day after Saturday 14:00 is Tuesday 09:00 when Monday
          and Tuesday are working days, and 1 working day after Thursday
          10:00 before Easter is Tuesday 10:00.
        * The deadline is the same local wall-clock time on the ``n``-th
          working day after the clock starts.
        * ``n == 0`` returns the clock-start moment: ``at`` itself (in ``tz``)
          when it is within working hours, otherwise the normalised moment.
          This keeps the result monotone in ``at`` and in ``n``, and makes
          ``add_working_days(add_working_days(at, a), b) ==
          add_working_days(at, a + b)`` for every ``at``.
        * DST: the day count is done on local dates and the clock time is
          re-applied in ``tz``, so 10:00 GMT on the Friday before the clocks
          go forward is due at 10:00 BST on Monday (71 real hours later).
        """
        _require_aware(at, "at")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        start = self._clock_start(at)
        d = start.date()
        for _ in range(n):
            d = self.next_working_day(d)
        return self._local(d, start.time())

    def add_working_hours(self, at: datetime, hours: float | timedelta) -> datetime:
        """The instant at which ``hours`` of working time have elapsed from ``at``.

        Only time inside ``[day_start, day_end)`` on working days counts. The
        clock starts at the first working moment at or after ``at`` (as in
        :meth:`add_working_days`). When the hours run out exactly at
        ``day_end`` the result is that ``day_end`` (a task given 4 hours at
        13:00 is due at 17:00 the same day, not 09:00 the next morning).
        ``hours == 0`` returns the clock-start moment. Example: 4 working
        hours from Friday 15:00 before a bank-holiday Monday is Tuesday 11:00.

        ``hours`` is a number of hours (int or float) or a ``timedelta``;
        negative or non-finite values raise ``ValueError``.
        """
        _require_aware(at, "at")
        remaining = _as_duration(hours)
        cursor = self._clock_start(at).astimezone(UTC)
        d = cursor.astimezone(self.tz).date()
        while True:
            closes = self._window(d)[1]
            available = closes - cursor
            if remaining <= available:
                return (cursor + remaining).astimezone(self.tz)
            remaining -= available
            d = self.next_working_day(d)
            cursor = self._window(d)[0]

    def working_hours_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from ``start`` to ``end``; zero if ``end <= start``.

        Sums the overlap of ``[start, end]`` with each working day's window,
        measured in real time. It inverts :meth:`add_working_hours`:
        ``working_hours_between(at, add_working_hours(at, h)) == h``.
        """
        _require_aware(start, "start")
        _require_aware(end, "end")
        lo = start.astimezone(UTC)
        hi = end.astimezone(UTC)
        total = timedelta(0)
        if hi <= lo:
            return total
        d = lo.astimezone(self.tz).date()
        last = hi.astimezone(self.tz).date()
        if not self.is_working_day(d):
            d = self.next_working_day(d)
        while d <= last:
            opens, closes = self._window(d)
            overlap = min(hi, closes) - max(lo, opens)
            if overlap > timedelta(0):
                total += overlap
            d = self.next_working_day(d)
        return total

    def next_school_day_start(
        self, at: datetime, *, school_start: time = time(8, 30)
    ) -> datetime:
        """``school_start`` on the first school day strictly after ``at``'s local date.

        Operation Encompass: the school must hear of a domestic abuse incident
        before the start of the next school day. The day of ``at`` itself never
        counts, even for an incident in the small hours. Weekends and bank
        holidays are never school days; ``school_days_off`` removes term
        breaks and INSET days; partnership closures are ignored.
        """
        _require_aware(at, "at")
        if school_start.tzinfo is not None:
            raise ValueError("school_start is a wall-clock time and must be naive")
        d = at.astimezone(self.tz).date() + _ONE_DAY
        while not self.is_school_day(d):
            d += _ONE_DAY
        return self._local(d, school_start)
