"""What the measure tests share: the period they look at, and one check of a figure against the records
that met it and missed it, its drill-down and its trend. (No tests here.)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from agencies.rules import DEFAULT_TZ
from audits.measures import measure_get
from audits.measures_base import Figure, Scope

# A period with the late-summer bank holiday (Monday 31 August 2026) in it.
START = date(2025, 11, 1)
END = date(2026, 10, 31)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DEFAULT_TZ)


def scope_of(partnership_id: int, start: date = START, end: date = END, **extra: object) -> Scope:
    return Scope(partnership_id=partnership_id, start=start, end=end, **extra)  # type: ignore[arg-type]


def drill_ids(key: str, scope: Scope, part: str, *, agency_id: int | None = None, group: str = "") -> list[int]:
    drill = measure_get(key).records(scope, part, agency_id=agency_id, group=group)  # type: ignore[arg-type]
    return sorted(row[drill.id_key] for row in drill.rows)


def assert_rate(key: str, scope: Scope, *, met: Iterable[int], missed: Iterable[int],
                trend: Mapping[date, tuple[int, int]] | None = None) -> Figure:
    """The figure is ``met`` of ``met`` + ``missed``; the drill-down lists exactly those records; each trend
    month named has that numerator and denominator, and every other month of the trend none."""
    met, missed = sorted(met), sorted(missed)
    figure = measure_get(key).figure(scope)
    assert (figure.numerator, figure.denominator) == (len(met), len(met) + len(missed))
    if met or missed:
        assert figure.value == round(100 * len(met) / (len(met) + len(missed)), 1)
    else:
        assert figure.value is None
    assert drill_ids(key, scope, "met") == met
    assert drill_ids(key, scope, "missed") == missed
    assert drill_ids(key, scope, "all") == sorted(met + missed)
    if trend is not None:
        points = {p.month: (p.numerator, p.denominator) for p in measure_get(key).trend(scope)}
        assert len(points) == 12
        for month, counts in points.items():
            assert counts == trend.get(month, (0, 0)), month
    return figure


def assert_count(key: str, scope: Scope, *, records: Iterable[int],
                 trend: Mapping[date, int] | None = None) -> Figure:
    records = sorted(records)
    figure = measure_get(key).figure(scope)
    assert (figure.value, figure.numerator, figure.denominator) == (float(len(records)), len(records), None)
    assert drill_ids(key, scope, "all") == records
    assert drill_ids(key, scope, "met") == records
    assert drill_ids(key, scope, "missed") == []
    if trend is not None:
        points = {p.month: p.numerator for p in measure_get(key).trend(scope)}
        assert len(points) == 12
        for month, count in points.items():
            assert count == trend.get(month, 0), month
    return figure
