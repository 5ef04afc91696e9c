"""What a dashboard measure is (SPEC 4): the scope it is computed over, the figure it gives, the records behind
that figure, and its trend by month. ``audits.measures`` defines the measures; the dashboard page, its drill-down
pages and ``GET /api/v1/dashboard/`` only read them through these types.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.db.models import QuerySet

Unit = Literal["percent", "hours", "count"]
# Which records of a figure: those that met it (the numerator), those that did not (the denominator less the
# numerator), or all of them (the denominator; for a count, the records counted).
Part = Literal["met", "missed", "all"]


@dataclass(frozen=True)
class Scope:
    """What a dashboard is computed over: one partnership, a period (inclusive dates), optionally one agency
    and one team. ``aggregates_only`` is set for partnership leads: no personal data in what they are shown."""

    partnership_id: int
    start: date
    end: date
    agency_id: int | None = None
    team_id: int | None = None
    aggregates_only: bool = False


@dataclass(frozen=True)
class Figure:
    """One figure. For a percentage, ``value`` is ``numerator`` of ``denominator`` as a percentage; for a median
    (hours), ``numerator`` is None and ``denominator`` the number of records the median is over; for a count,
    ``value`` equals ``numerator`` and ``denominator`` is None. ``value`` is None when there is nothing to
    measure (a denominator of 0)."""

    key: str
    label: str
    unit: Unit
    value: float | None
    numerator: int | None
    denominator: int | None
    # For a measure given per agency ("agency checks answered on time, per agency"), one figure per agency.
    breakdown: tuple[Figure, ...] = ()
    # A breakdown row's agency (None for the measure as a whole, or a breakdown that is not by agency).
    agency_id: int | None = None
    # The partnership's target, where it sets one (training compliance: 90%).
    target: float | None = None
    # A breakdown row that is not an agency's (a method, a stage and outcome): the key of its group, which
    # ``Measure.records(group=...)`` lists the records of.
    group: str = ""


@dataclass(frozen=True)
class TrendPoint:
    month: date  # the first day of the month
    value: float | None
    numerator: int | None
    denominator: int | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # Personal data (a name, a date of birth): never shown when the scope is ``aggregates_only``.
    personal: bool = False


@dataclass(frozen=True)
class Drill:
    """The records behind a figure: the columns to show, and one row (a mapping with those keys) per record,
    as a queryset of ``values()`` ordered for display. ``url_name`` and ``id_key`` link each row to the record's
    own page (``reverse(url_name, args=[row[id_key]])``), where the record's own access check applies."""

    columns: tuple[Column, ...]
    rows: QuerySet[Any]
    url_name: str
    id_key: str = "id"


class Measure(ABC):
    key: str
    label: str
    # The dashboard section it belongs to (e.g. "Front door", "Strategy meetings").
    section: str
    unit: Unit
    # Drawn as a chart by month when a trend matters.
    trend_drawn: bool = True
    # A short sentence saying what is counted, shown under the figure.
    explanation: str = ""
    # What an hours figure is of its records: their median, or the longest of them.
    hours_of: str = "Median"

    @abstractmethod
    def figure(self, scope: Scope) -> Figure: ...

    @abstractmethod
    def records(self, scope: Scope, part: Part, *, agency_id: int | None = None, group: str = "") -> Drill:
        """The records behind the figure, or behind one row of its breakdown: an agency's, or a group's."""

    def group_label(self, group: str) -> str:
        """The words for a breakdown group's key ("" when the measure has no such groups, or not this one)."""
        return ""

    @abstractmethod
    def trend(self, scope: Scope, months: int = 12) -> list[TrendPoint]:
        """The figure for each of the ``months`` calendar months ending with the scope's end, oldest first."""


MeasureRegistry = Mapping[str, Measure]
