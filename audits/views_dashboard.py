"""The dashboard (SPEC 4, SPEC 8 "Dashboard") and the records behind each of its figures.

Thin: who sees which dashboard, and the scope of the filters chosen, come from ``audits.dashboard``; every
figure, its records and its trend from the measures (``audits.measures``), computed in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies.models import User
from audits.dashboard import DashboardAccess, dashboard_access_for, value_text
from audits.forms_dashboard import DashboardFilterForm, DrillForm, scope_query
from audits.measures import measure_get, measures
from audits.measures_base import Column, Figure, Measure, Part, Scope, TrendPoint
from audits.services import access_record
from audits.snapshots import Snapshot, snapshot_for

DRILL_PAGE_SIZE = 50
# A month with nothing to measure, in a trend's table.
TREND_NONE = "None"
PART_WORDS: dict[str, str] = {"met": "met", "missed": "not met", "all": "all records"}


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def day_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def period_text(scope: Scope) -> str:
    return f"{day_text(scope.start)} to {day_text(scope.end)}"


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    # What the link is about, for screen readers (the figure's label, the agency).
    context: str = ""


@dataclass
class FigureView:
    """A figure as a card or a breakdown row shows it: the value in words, "N of M", and links to its records."""

    figure: Figure
    name: str
    value: str
    counts: str
    links: list[Link] = field(default_factory=list)


@dataclass
class Card:
    measure: Measure
    main: FigureView
    breakdown: list[FigureView]
    target: str
    trend: list[dict[str, Any]]
    chart: dict[str, Any] | None

    @property
    def chart_data_id(self) -> str:
        return f"trend-{self.measure.key}"

    @property
    def chart_label(self) -> str:
        """The chart's text alternative: what it draws, and where its figures are in words."""
        if not self.trend:
            return ""
        kind = "Bar" if self.measure.unit == "count" else "Line"
        first, last = self.trend[0]["month"], self.trend[-1]["month"]
        return (f"{kind} chart of {self.measure.label.lower()} by month, {first:%B %Y} to {last:%B %Y}. The table"
                f" beside it gives the same figures.")


@dataclass
class Section:
    title: str
    cards: list[Card]

    @property
    def slug(self) -> str:
        return self.title.lower().replace(" ", "-").replace("'", "")


def _figure_view(figure: Figure, *, key: str, query: QueryDict, name: str, hours_of: str = "Median") -> FigureView:
    """A figure, or a row of its breakdown: an agency's (``figure.agency_id``) or a group's (``figure.group``)
    links to its own records."""
    base = reverse("dashboard-records", args=[key])

    def href(part: Part) -> str:
        params = query.copy()
        params["part"] = part
        if figure.agency_id is not None:
            params["breakdown_agency"] = str(figure.agency_id)
        if figure.group:
            params["group"] = figure.group
        return f"{base}?{params.urlencode()}"

    context = figure.label if not name or name == figure.label else f"{figure.label}, {name}"
    links: list[Link] = []
    counts = ""
    if figure.unit == "percent" and figure.denominator is not None and figure.numerator is not None:
        counts = f"{figure.numerator} of {figure.denominator}"
        missed = figure.denominator - figure.numerator
        # An empty list is not linked to: "0 met" says all there is.
        links = [Link(f"{figure.numerator} met", href("met") if figure.numerator else "", context),
                 Link(f"{missed} not met", href("missed") if missed else "", context)] if figure.denominator else []
    elif figure.unit == "hours" and figure.denominator is not None:
        counts = f"{hours_of} of {figure.denominator} record{'' if figure.denominator == 1 else 's'}"
        if figure.denominator:
            links = [Link(f"{figure.denominator} record{'' if figure.denominator == 1 else 's'}", href("all"),
                          context)]
    elif figure.numerator is not None:
        if figure.numerator:
            links = [Link(f"{figure.numerator} record{'' if figure.numerator == 1 else 's'}", href("all"), context)]
    return FigureView(figure=figure, name=name, value=value_text(figure.unit, figure.value), counts=counts,
                      links=links)


def _trend_rows(measure: Measure, points: list[TrendPoint]) -> list[dict[str, Any]]:
    return [{"month": point.month,
             "value": TREND_NONE if point.value is None else value_text(measure.unit, point.value),
             "numerator": point.numerator, "denominator": point.denominator} for point in points]


def _chart(measure: Measure, points: list[TrendPoint], target: float | None) -> dict[str, Any]:
    """What the chart script draws: the months, the values, the unit and the target where set."""
    return {
        "label": measure.label,
        "unit": measure.unit,
        "kind": "bar" if measure.unit == "count" else "line",
        "months": [f"{point.month:%b %Y}" for point in points],
        "values": [None if point.value is None else round(point.value, 1) for point in points],
        "target": target,
    }


def dashboard_cards(*, snapshot: Snapshot, scope: Scope, access: DashboardAccess) -> list[Section]:
    """Every measure's figure (with its breakdown) and, where a trend matters, its last 12 months, in sections,
    from the scope's snapshot (``audits.snapshots``)."""
    query = scope_query(scope, access)
    sections: dict[str, Section] = {}
    for measure in measures():
        figure = snapshot.figures[measure.key]
        main = _figure_view(figure, key=measure.key, query=query, name="", hours_of=measure.hours_of)
        breakdown = [
            _figure_view(row, key=measure.key, query=query, name=access.agency_name(row.agency_id) or row.label,
                         hours_of=measure.hours_of)
            for row in figure.breakdown
        ]
        points = snapshot.trends.get(measure.key, []) if measure.trend_drawn else []
        target = value_text(measure.unit, figure.target) if figure.target is not None else ""
        card = Card(measure=measure, main=main, breakdown=breakdown, target=target,
                    trend=_trend_rows(measure, points),
                    chart=_chart(measure, points, figure.target) if points else None)
        sections.setdefault(measure.section, Section(measure.section, [])).cards.append(card)
    return list(sections.values())


def _today() -> date:
    return timezone.localdate()


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Queries: the session and user, the agencies and teams the viewer may choose, and the scope's snapshot
    (each measure's own queries when it must be computed); none per record."""
    user = _user(request)
    access = dashboard_access_for(user)
    form = DashboardFilterForm(request.GET or None, access=access, today=_today())
    scope = form.scope() if access.has_team else None
    snapshot = snapshot_for(scope) if scope is not None else None
    sections = (dashboard_cards(snapshot=snapshot, scope=scope, access=access)
                if scope is not None and snapshot is not None else [])
    return render(request, "audits/dashboard/page.html", {
        "access": access,
        "form": form,
        "scope": scope,
        "period": period_text(scope) if scope is not None else "",
        "agency_name": access.agency_name(scope.agency_id) if scope is not None else "",
        "team_name": access.team_name(scope.team_id) if scope is not None else "",
        "sections": sections,
        "computed_at": snapshot.computed_at if snapshot is not None else None,
        "refresh_minutes": settings.DASHBOARD_SNAPSHOT_EVERY_SECONDS // 60,
        "charts": [card for section in sections for card in section.cards if card.chart is not None],
    })


def drill_heading(measure: Measure, part: str, scope: Scope, agency_name: str) -> str:
    """Says exactly what the list is: "Referral decisions within 1 working day: not met, North Health Visiting,
    1 April 2026 to 31 March 2027"."""
    words = getattr(measure, f"{part}_label", "") or f"{measure.label}: {PART_WORDS[part]}"
    if agency_name:
        words = f"{words}, {agency_name}"
    return f"{words}, {period_text(scope)}"


def cell_text(value: Any) -> str:
    """A drill-down cell: times in the partnership's local time, days as days, nothing as a dash."""
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return f"{local.day} {local:%b %Y, %H:%M}"
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _visible_columns(columns: tuple[Column, ...], scope: Scope) -> list[Column]:
    """A partnership lead's lists show no personal data: only reference numbers, times and the like."""
    return [column for column in columns if not (scope.aggregates_only and column.personal)]


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


@login_required
@require_GET
def dashboard_records(request: HttpRequest, key: str) -> HttpResponse:
    """The records behind one figure, or one agency's row of it: met, not met, or all. Queries: the session and
    user, the agencies and teams the viewer may choose, the count and one page of records, and (when names are
    shown) the access-log row."""
    user = _user(request)
    access = dashboard_access_for(user)
    measure = measure_get(key)
    form = DashboardFilterForm(request.GET, access=access, today=_today())
    drill_form = DrillForm(request.GET, access=access)
    scope = form.scope() if access.has_team else None
    drill_valid = drill_form.is_valid()
    part: str = (drill_form.cleaned_data.get("part") or "all") if drill_valid else "all"
    breakdown_agency: int | None = drill_form.cleaned_data.get("breakdown_agency") if drill_valid else None
    group: str = (drill_form.cleaned_data.get("group") or "") if drill_valid else ""
    context: dict[str, Any] = {"access": access, "measure": measure, "form": form, "drill_form": drill_form,
                               "part": part, "breakdown_agency": breakdown_agency, "group": group,
                               "scope": scope}
    back = reverse("dashboard")
    if scope is not None:
        back = f"{back}?{scope_query(scope, access).urlencode()}"
    context["back"] = back
    if scope is None or not drill_valid:
        context["list_heading"] = f"{measure.label}: records"
        return render(request, "audits/dashboard/records.html", context)

    drill = measure.records(scope, part, agency_id=breakdown_agency, group=group)  # type: ignore[arg-type]
    columns = _visible_columns(drill.columns, scope)
    page = Paginator(drill.rows, DRILL_PAGE_SIZE).get_page(_page_number(request))
    # Each row links to its record from its reference (the id column), or from a column of its own.
    linked = any(column.key == drill.id_key for column in columns)
    rows = []
    for row in page.object_list:
        # A partnership lead's or partner agency's list is not a way into the records: reference numbers only.
        href = "" if scope.aggregates_only else reverse(drill.url_name, args=[row[drill.id_key]])
        cells = [{"label": column.label, "text": cell_text(row.get(column.key)),
                  "href": href if column.key == drill.id_key else ""} for column in columns]
        if not linked:
            cells.insert(0, {"label": "Record", "text": f"Record {row[drill.id_key]}", "href": href})
        rows.append(cells)
    if rows and any(column.personal for column in columns):
        access_record(user=user, action="search", record_type="dashboard", record_id=None,
                      partnership_id=scope.partnership_id,
                      fields={"measure": measure.key, "part": part, "from": scope.start.isoformat(),
                              "to": scope.end.isoformat(), "agency": scope.agency_id, "team": scope.team_id,
                              "breakdown_agency": breakdown_agency, "group": group, "page": page.number})
    query = request.GET.copy()
    query.pop("page", None)
    context.update({
        "list_heading": drill_heading(measure, part, scope,
                                      access.agency_name(breakdown_agency) or measure.group_label(group)),
        "columns": columns if linked else [Column("record", "Record"), *columns],
        "rows": rows,
        "page": page,
        "page_numbers": list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)),
        "query": query.urlencode(),
        "first": page.start_index(),
        "last": page.end_index(),
        "total": page.paginator.count,
    })
    return render(request, "audits/dashboard/records.html", context)
