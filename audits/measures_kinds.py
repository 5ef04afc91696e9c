"""The kinds of dashboard measure: a rate over the records whose clock started in the period, a median of
hours, a count, and a figure "now" (with a trend of the same figure at the end of each month). Each kind runs
a fixed number of queries whatever the number of records: the figure and its breakdown are aggregates, the
trend is one query grouped by month, and the drill-down is one ``values()`` queryset."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Expression,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from audits.measures_base import Column, Drill, Figure, Measure, Part, Scope, TrendPoint
from audits.measures_sql import Median, month_moments, month_trunc, period_q, trend_months


def percent(numerator: int, denominator: int) -> float | None:
    return round(100.0 * numerator / denominator, 1) if denominator else None


@dataclass(frozen=True)
class Col:
    """A drill-down column and the expression (a field path or an ORM expression) that fills it."""

    key: str
    label: str
    expr: Any
    personal: bool = False


def drill_values(qs: QuerySet[Any], columns: Sequence[Col], id_key: str) -> QuerySet[Any]:
    plain: list[str] = [id_key]
    named: dict[str, Any] = {}
    for col in columns:
        if col.key == id_key:
            continue
        if isinstance(col.expr, str) and col.expr == col.key:
            plain.append(col.key)
        else:
            named[col.key] = F(col.expr) if isinstance(col.expr, str) else col.expr
    return qs.values(*plain, **named)


def choice_label(field: str, choices: Sequence[tuple[str, Any]]) -> Case:
    """A coded field shown in words ("section_47_joint" as "Section 47 enquiry (joint with police)")."""
    return Case(*(When(**{field: value}, then=Value(str(label))) for value, label in choices),
                default=F(field), output_field=CharField())


def _met_flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


class RecordMeasure(Measure):
    """A measure over one kind of record, each counted in the period by the date its clock started."""

    clock: str
    clock_is_date: bool = False
    url_name: str
    id_key: str = "id"
    columns: tuple[Col, ...] = ()
    # Field path of the agency a breakdown (and a breakdown row's drill-down) is by.
    breakdown_agency: str | None = None

    # -- what each measure says
    def base(self, scope: Scope) -> QuerySet[Any]:
        """The partnership's records with the scope's agency and team filters (not the period)."""
        raise NotImplementedError

    def eligible(self, scope: Scope) -> Q | None:
        """Which of the period's records the figure is over (e.g. decided, or past their deadline)."""
        return None

    def met(self, scope: Scope) -> Q:
        return Q(pk__isnull=False)

    def ordering(self) -> Sequence[Any]:
        return ("-pk",)

    # -- shared machinery
    def population(self, scope: Scope, start: date, end: date) -> QuerySet[Any]:
        qs = self.base(scope).filter(period_q(self.clock, start, end, is_date=self.clock_is_date))
        eligible = self.eligible(scope)
        if eligible is not None:
            qs = qs.filter(eligible)
        return qs.alias(is_met=_met_flag(self.met(scope))).order_by()

    def drill(self, qs: QuerySet[Any]) -> Drill:
        rows = drill_values(qs, self.columns, self.id_key).order_by(*self.ordering())
        cols = tuple(Column(c.key, c.label, c.personal) for c in self.columns)
        return Drill(columns=cols, rows=rows, url_name=self.url_name, id_key=self.id_key)

    def records(self, scope: Scope, part: Part, *, agency_id: int | None = None, group: str = "") -> Drill:
        qs = self.population(scope, scope.start, scope.end)
        if agency_id is not None and self.breakdown_agency is not None:
            qs = qs.filter(**{self.breakdown_agency: agency_id})
        if group:
            chosen = self.group_filter(group)
            qs = qs.filter(chosen) if chosen is not None else qs.none()
        if part == "met":
            qs = qs.filter(is_met=True)
        elif part == "missed":
            qs = qs.filter(is_met=False)
        return self.drill(qs)

    def group_filter(self, group: str) -> Q | None:
        """The records of one breakdown group, or None for a key that names none (an empty list)."""
        return None

    def agency_breakdown(self, qs: QuerySet[Any], make: Callable[[int, int], tuple[float | None, int | None,
                                                                                   int | None]]) -> tuple[Figure, ...]:
        if self.breakdown_agency is None:
            return ()
        rows = (
            qs.values(bd_agency=F(self.breakdown_agency), bd_name=F(f"{self.breakdown_agency}__name"))
            .annotate(n=Count("pk"), m=Count("pk", filter=Q(is_met=True)))
            .order_by("bd_name", "bd_agency")
        )
        out = []
        for row in rows:
            value, numerator, denominator = make(row["m"], row["n"])
            out.append(Figure(key=self.key, label=row["bd_name"], unit=self.unit, value=value,
                              numerator=numerator, denominator=denominator, agency_id=row["bd_agency"]))
        return tuple(out)


class RateMeasure(RecordMeasure):
    """A percentage: of the period's records, those that met the standard."""

    unit = "percent"

    def figure(self, scope: Scope) -> Figure:
        qs = self.population(scope, scope.start, scope.end)
        totals = qs.aggregate(n=Count("pk"), m=Count("pk", filter=Q(is_met=True)))
        breakdown = self.agency_breakdown(qs, lambda m, n: (percent(m, n), m, n))
        return Figure(key=self.key, label=self.label, unit="percent", value=percent(totals["m"], totals["n"]),
                      numerator=totals["m"], denominator=totals["n"], breakdown=breakdown)

    def trend(self, scope: Scope, months: int = 12) -> list[TrendPoint]:
        firsts = trend_months(scope.end, months)
        rows = (
            self.population(scope, firsts[0], scope.end)
            .annotate(month=month_trunc(self.clock, is_date=self.clock_is_date))
            .values("month")
            .annotate(n=Count("pk"), m=Count("pk", filter=Q(is_met=True)))
            .order_by("month")
        )
        by_month = {row["month"]: (row["m"], row["n"]) for row in rows}
        points = []
        for month in firsts:
            met, total = by_month.get(month, (0, 0))
            points.append(TrendPoint(month=month, value=percent(met, total), numerator=met, denominator=total))
        return points


class CountMeasure(RecordMeasure):
    """A count of the period's records. Its drill-down's "met" and "all" are the records counted."""

    unit = "count"

    def breakdown(self, scope: Scope, qs: QuerySet[Any]) -> tuple[Figure, ...]:
        return self.agency_breakdown(qs, lambda m, n: (float(n), n, None))

    def figure(self, scope: Scope) -> Figure:
        qs = self.population(scope, scope.start, scope.end)
        n = qs.aggregate(n=Count("pk"))["n"]
        return Figure(key=self.key, label=self.label, unit="count", value=float(n), numerator=n, denominator=None,
                      breakdown=self.breakdown(scope, qs))

    def trend(self, scope: Scope, months: int = 12) -> list[TrendPoint]:
        firsts = trend_months(scope.end, months)
        rows = (
            self.population(scope, firsts[0], scope.end)
            .annotate(month=month_trunc(self.clock, is_date=self.clock_is_date))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by("month")
        )
        by_month = {row["month"]: row["n"] for row in rows}
        return [TrendPoint(month=m, value=float(by_month.get(m, 0)), numerator=by_month.get(m, 0), denominator=None)
                for m in firsts]


class MedianHoursMeasure(RecordMeasure):
    """The median of the hours each of the period's records took. Its drill-down ("all", or "met") lists the
    records the median is over, slowest first; "missed" is empty."""

    unit = "hours"

    def hours(self) -> Expression:
        raise NotImplementedError

    def figure(self, scope: Scope) -> Figure:
        totals = self.population(scope, scope.start, scope.end).aggregate(n=Count("pk"), v=Median(self.hours()))
        value = round(totals["v"], 1) if totals["v"] is not None else None
        return Figure(key=self.key, label=self.label, unit="hours", value=value, numerator=None,
                      denominator=totals["n"])

    def records(self, scope: Scope, part: Part, *, agency_id: int | None = None, group: str = "") -> Drill:
        qs = self.population(scope, scope.start, scope.end)
        if part == "missed":
            qs = qs.none()
        return self.drill(qs)

    def trend(self, scope: Scope, months: int = 12) -> list[TrendPoint]:
        firsts = trend_months(scope.end, months)
        rows = (
            self.population(scope, firsts[0], scope.end)
            .annotate(month=month_trunc(self.clock, is_date=self.clock_is_date))
            .values("month")
            .annotate(n=Count("pk"), v=Median(self.hours()))
            .order_by("month")
        )
        by_month = {row["month"]: (row["v"], row["n"]) for row in rows}
        points = []
        for m in firsts:
            v, n = by_month.get(m, (None, 0))
            points.append(TrendPoint(month=m, value=round(v, 1) if v is not None else None, numerator=None,
                                     denominator=n))
        return points


class NowMeasure(Measure):
    """A figure as it stands now, whatever the period; its trend is the same figure at the end of each month.
    Subclasses say which records are counted at a moment (``held``) and, for a percentage, which of them meet
    the standard (``met``)."""

    url_name: str
    id_key: str = "id"
    columns: tuple[Col, ...] = ()

    def base(self, scope: Scope) -> QuerySet[Any]:
        raise NotImplementedError

    def held(self, scope: Scope, at: datetime) -> Q:
        raise NotImplementedError

    def met(self, scope: Scope, at: datetime) -> Q:
        return Q(pk__isnull=False)

    def ordering(self) -> Sequence[Any]:
        return ("-pk",)

    def annotate_for_drill(self, qs: QuerySet[Any], at: datetime) -> QuerySet[Any]:
        return qs

    def records(self, scope: Scope, part: Part, *, agency_id: int | None = None, group: str = "") -> Drill:
        at = timezone.now()
        qs = self.base(scope).filter(self.held(scope, at)).alias(is_met=_met_flag(self.met(scope, at)))
        if part == "met":
            qs = qs.filter(is_met=True)
        elif part == "missed":
            qs = qs.filter(is_met=False)
        qs = self.annotate_for_drill(qs, at)
        rows = drill_values(qs, self.columns, self.id_key).order_by(*self.ordering())
        cols = tuple(Column(c.key, c.label, c.personal) for c in self.columns)
        return Drill(columns=cols, rows=rows, url_name=self.url_name, id_key=self.id_key)

    def snapshot_aggregates(self, scope: Scope, at: datetime, suffix: str) -> dict[str, Any]:
        held = self.held(scope, at)
        return {f"n{suffix}": Count("pk", filter=held),
                f"m{suffix}": Count("pk", filter=held & self.met(scope, at))}

    def snapshot_point(self, row: dict[str, Any], suffix: str) -> tuple[float | None, int | None, int | None]:
        """(value, numerator, denominator) of one snapshot."""
        n = row[f"n{suffix}"]
        if self.unit == "percent":
            m = row[f"m{suffix}"]
            return percent(m, n), m, n
        return float(n), n, None

    def figure(self, scope: Scope) -> Figure:
        row = self.base(scope).aggregate(**self.snapshot_aggregates(scope, timezone.now(), ""))
        value, numerator, denominator = self.snapshot_point(row, "")
        return Figure(key=self.key, label=self.label, unit=self.unit, value=value, numerator=numerator,
                      denominator=denominator)

    def trend(self, scope: Scope, months: int = 12) -> list[TrendPoint]:
        moments = month_moments(scope.end, months)
        aggregates: dict[str, Any] = {}
        for i, (_, at) in enumerate(moments):
            aggregates.update(self.snapshot_aggregates(scope, at, str(i)))
        row = self.base(scope).aggregate(**aggregates)
        points = []
        for i, (month, _) in enumerate(moments):
            value, numerator, denominator = self.snapshot_point(row, str(i))
            points.append(TrendPoint(month=month, value=value, numerator=numerator, denominator=denominator))
        return points
