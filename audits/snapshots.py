"""The dashboard's figures as a snapshot per scope, kept fresh by beat (SPEC 7.1: the dashboard in under 500 ms).

Over a decade of a large partnership's records, the 23 measures and their trends take many seconds to compute
(the benchmark shows how many). A manager opening the dashboard reads a snapshot instead, one query. A
snapshot is served while it is younger than ``max_age()``, twice the time between beat's refreshes
(``settings.DASHBOARD_SNAPSHOT_EVERY_SECONDS``); each refresh recomputes every scope viewed in the last day, and
each partnership's own view of the default period whether viewed or not, so the figures shown are never older
than that, and the page says when they were computed. A scope nobody has viewed lately, or a period chosen for
the first time, is computed there and then.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from agencies.models import Partnership
from audits.dashboard import period_default
from audits.measures import measures
from audits.measures_base import Figure, Scope, TrendPoint
from audits.models import DashboardSnapshot

# The advisory lock a refresh holds: a refresh still running when the next is due makes the next one skip.
REFRESH_LOCK = 7_402_001
# A snapshot nobody has viewed for this long is no longer refreshed, and is deleted.
VIEWED_WITHIN = timedelta(days=1)
# How often a view is noted on the snapshot (not on every view: a write per page would be wasted).
VIEW_NOTED_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Snapshot:
    figures: dict[str, Figure]
    trends: dict[str, list[TrendPoint]]
    computed_at: datetime


def max_age() -> timedelta:
    return timedelta(seconds=2 * settings.DASHBOARD_SNAPSHOT_EVERY_SECONDS)


def scope_key(scope: Scope) -> str:
    return ":".join(str(part) for part in (
        scope.partnership_id, scope.start.isoformat(), scope.end.isoformat(), scope.agency_id or "",
        scope.team_id or "",
    ))


def _scope_of(key: str) -> Scope:
    partnership_id, start, end, agency_id, team_id = key.split(":")
    return Scope(partnership_id=int(partnership_id), start=date.fromisoformat(start), end=date.fromisoformat(end),
                 agency_id=int(agency_id) if agency_id else None, team_id=int(team_id) if team_id else None)


def snapshot_for(scope: Scope, *, now: datetime | None = None) -> Snapshot:
    """The scope's figures and trends: the snapshot while it is fresh, else computed now (and kept)."""
    now = now or timezone.now()
    row = DashboardSnapshot.objects.filter(key=scope_key(scope)).first()
    if row is None or row.computed_at <= now - max_age():
        return snapshot_compute(scope, now=now, viewed=True)
    if row.viewed_at <= now - VIEW_NOTED_EVERY:
        DashboardSnapshot.objects.filter(pk=row.pk).update(viewed_at=now)
    return Snapshot(
        figures={key: _figure(value) for key, value in row.figures.items()},
        trends={key: [_point(point) for point in points] for key, points in row.trends.items()},
        computed_at=row.computed_at,
    )


def snapshot_compute(scope: Scope, *, now: datetime, viewed: bool) -> Snapshot:
    """Compute every measure's figure and trend for the scope, and keep them as its snapshot."""
    figures = {measure.key: measure.figure(scope) for measure in measures()}
    trends = {measure.key: measure.trend(scope) for measure in measures() if measure.trend_drawn}
    defaults: dict[str, Any] = {
        "partnership_id": scope.partnership_id, "computed_at": now,
        "figures": {key: asdict(figure) for key, figure in figures.items()},
        "trends": {key: [asdict(point) for point in points] for key, points in trends.items()},
    }
    DashboardSnapshot.objects.update_or_create(
        key=scope_key(scope), defaults={**defaults, **({"viewed_at": now} if viewed else {})},
        create_defaults={**defaults, "viewed_at": now},
    )
    return Snapshot(figures=figures, trends=trends, computed_at=now)


def snapshots_refresh(*, now: datetime, default_scopes: list[Scope]) -> int | None:
    """Recompute the snapshots viewed lately and the ``default_scopes``; delete those not viewed lately.

    Returns how many were computed; None when another refresh is still running.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            return None
        try:
            DashboardSnapshot.objects.filter(viewed_at__lte=now - VIEWED_WITHIN).delete()
            keys = {scope_key(scope): scope for scope in default_scopes}
            for key in DashboardSnapshot.objects.values_list("key", flat=True).order_by("key"):
                keys.setdefault(key, _scope_of(key))
            for scope in keys.values():
                snapshot_compute(scope, now=now, viewed=False)
            return len(keys)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK])


def partnership_default_scopes(today: date) -> list[Scope]:
    """Each partnership's own dashboard for the default period (the 12 months to today)."""
    start, end = period_default(today)
    return [Scope(partnership_id=pk, start=start, end=end)
            for pk in Partnership.objects.order_by("pk").values_list("pk", flat=True)]


def _figure(data: dict[str, Any]) -> Figure:
    return Figure(**{**data, "breakdown": tuple(_figure(row) for row in data.get("breakdown", ()))})


def _point(data: dict[str, Any]) -> TrendPoint:
    return TrendPoint(**{**data, "month": date.fromisoformat(data["month"])})
