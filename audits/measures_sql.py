"""SQL building blocks for the dashboard measures: medians, elapsed hours, periods in local time, and
deadlines counted in working days on the partnership's calendar, all computed in PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Aggregate,
    DateField,
    DateTimeField,
    FloatField,
    Func,
    Q,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from agencies.rules import DEFAULT_TZ, english_bank_holidays
from audits.measures_base import Scope

LOCAL_TZ = DEFAULT_TZ


class Median(Aggregate):
    """The median of an expression (PostgreSQL's ``percentile_cont``, interpolating between the middle two)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


class HoursBetween(Func):
    """Elapsed hours from the first instant to the second, as a float."""

    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)"
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self, start: Any, end: Any) -> None:
        # arg_joiner " - " puts the later instant first: EXTRACT(EPOCH FROM (end - start)).
        super().__init__(end, start)


class DateMinusYears(Func):
    """The date ``years`` years before a date."""

    output_field = DateField()

    def __init__(self, day: Any, years: int) -> None:
        super().__init__(day)
        self.years = years

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::date - make_interval(years => %s))::date", [*params, self.years]


class LocalDate(Func):
    """The local (Europe/London) calendar date of an instant."""

    template = "((%(expressions)s) AT TIME ZONE 'Europe/London')::date"
    output_field = DateField()


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants from the start of ``start`` to the start of the day after ``end``, in local time."""
    return (
        datetime.combine(start, time.min, tzinfo=LOCAL_TZ),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=LOCAL_TZ),
    )


def period_q(field: str, start: date, end: date, *, is_date: bool = False) -> Q:
    """Records whose ``field`` falls in the inclusive period."""
    if is_date:
        return Q(**{f"{field}__gte": start, f"{field}__lte": end})
    lo, hi = period_bounds(start, end)
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


def month_trunc(field: str, *, is_date: bool = False) -> TruncMonth:
    """The first day of the (local) calendar month of ``field``."""
    if is_date:
        return TruncMonth(field, output_field=DateField())
    return TruncMonth(field, output_field=DateField(), tzinfo=LOCAL_TZ)


def month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def trend_months(end: date, months: int) -> list[date]:
    """The first days of the ``months`` calendar months ending with the month of ``end``, oldest first."""
    last = end.replace(day=1)
    return [month_add(last, -offset) for offset in range(months - 1, -1, -1)]


def month_moments(end: date, months: int, now: datetime | None = None) -> list[tuple[date, datetime]]:
    """For each trend month, the moment a "now" figure is taken for it: the end of the month, or the end of
    ``end``'s day, or now, whichever comes first."""
    now = now or timezone.now()
    cap = min(period_bounds(end, end)[1], now)
    return [(m, min(datetime.combine(month_add(m, 1), time.min, tzinfo=LOCAL_TZ), cap))
            for m in trend_months(end, months)]


def today_local() -> date:
    return timezone.localtime(timezone.now(), LOCAL_TZ).date()


def bank_holidays_between(first_year: int, last_year: int) -> list[date]:
    return sorted(d for year in range(first_year, last_year + 1) for d in english_bank_holidays(year))


class _WorkingDays(Func):
    """Shared SQL for the partnership's calendar: weekends, English bank holidays (passed as an array of dates
    for the years concerned) and the partnership's own closure days (read from ``agencies_closureday``)."""

    def __init__(self, expression: Any, *, partnership_id: int, years: tuple[int, int], **extra: Any) -> None:
        super().__init__(expression, **extra)
        self.partnership_id = partnership_id
        self.years = years

    def _non_working(self) -> tuple[str, list[Any]]:
        return (
            "(%s::date[] || ARRAY(SELECT wc.date FROM agencies_closureday wc WHERE wc.partnership_id = %s))",
            [bank_holidays_between(*self.years), self.partnership_id],
        )

    def _next_working(self, day_sql: str, day_params: list[Any], *, nth: int = 1) -> tuple[str, list[Any]]:
        """The ``nth`` working day strictly after the date ``day_sql``."""
        nw_sql, nw_params = self._non_working()
        span = nth * 3 + 30
        sql = (
            # Only compiled SQL fragments and fixed text are interpolated; every value is a parameter.
            "(SELECT g.d FROM (SELECT gs::date AS d FROM generate_series("  # noqa: S608
            f"({day_sql})::date + 1, ({day_sql})::date + %s, interval '1 day') gs) g "
            f"WHERE EXTRACT(ISODOW FROM g.d) < 6 AND NOT (g.d = ANY({nw_sql})) "
            "ORDER BY g.d OFFSET %s LIMIT 1)"
        )
        return sql, [*day_params, *day_params, span, *nw_params, nth - 1]

    def _is_working(self, day_sql: str, day_params: list[Any]) -> tuple[str, list[Any]]:
        nw_sql, nw_params = self._non_working()
        return (f"(EXTRACT(ISODOW FROM ({day_sql})::date) < 6 AND NOT (({day_sql})::date = ANY({nw_sql})))",
                [*day_params, *day_params, *nw_params])


class NthWorkingDayAfter(_WorkingDays):
    """The date of the ``n``-th working day after a date (45 working days after an assessment starts)."""

    output_field = DateField()

    def __init__(self, day: Any, n: int, *, partnership_id: int, years: tuple[int, int]) -> None:
        super().__init__(day, partnership_id=partnership_id, years=years)
        self.n = n

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return self._next_working(sql, list(params), nth=self.n)


class OneWorkingDayAfter(_WorkingDays):
    """The instant one working day after an instant, as ``WorkingCalendar.add_working_days(at, 1)`` counts it:
    the clock starts at the first working moment at or after it (09:00 on the next working day when it is out
    of hours), and the deadline is the same wall-clock time on the next working day."""

    output_field = DateTimeField()
    day_start = "09:00"
    day_end = "17:00"

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        local = f"(({sql}) AT TIME ZONE 'Europe/London')"
        local_params = list(params)
        working_sql, working_params = self._is_working(local, local_params)
        next_sql, next_params = self._next_working(local, local_params)
        # The clock start as a local timestamp.
        start = (
            f"(CASE WHEN {working_sql} AND {local}::time < time '{self.day_start}' "
            f"THEN {local}::date + time '{self.day_start}' "
            f"WHEN {working_sql} AND {local}::time < time '{self.day_end}' THEN {local} "
            f"ELSE {next_sql} + time '{self.day_start}' END)"
        )
        start_params = [*working_params, *local_params, *local_params,
                        *working_params, *local_params, *local_params, *next_params]
        deadline_day_sql, deadline_day_params = self._next_working(start, start_params)
        return (
            f"(({deadline_day_sql} + ({start})::time) AT TIME ZONE 'Europe/London')",
            [*deadline_day_params, *start_params],
        )


def working_years(*days: date) -> tuple[int, int]:
    """The span of years whose bank holidays a working-day deadline about these days may need."""
    return min(d.year for d in days) - 1, max(d.year for d in days) + 1


def calendar_years(scope: Scope) -> tuple[int, int]:
    """The years whose bank holidays a working-day deadline over the scope (and its trend) may need."""
    return working_years(month_add(scope.end.replace(day=1), -12), scope.start, scope.end, today_local())
