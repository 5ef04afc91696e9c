"""Who sees which dashboard (SPEC 4, SPEC 6, ACCESS.md "dashboard"), and the filters they chose resolved into
the ``Scope`` every measure is computed over. The dashboard page, its drill-down pages and
``GET /api/v1/dashboard/`` all go through ``dashboard_access_for`` (403 for a user with no dashboard) and
``DashboardAccess.scope`` (field-level errors for an agency or team the user may not choose).

- The MASH manager: the MASH view, the whole partnership's front door, with the records behind each figure.
- A team manager of children's social care: their own team(s) only.
- The senior manager of children's social care and administrators: the partnership view, aggregates only (no
  child's name or other personal data anywhere on it).
- A manager of any other agency: their own agency's view, aggregates only, because a record is shared with a
  partner agency one by one (SPEC 6) and a figure's records are not all shared with it.
- Everyone else: 403. Each user sees only their own partnership.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from agencies.models import Agency, Role, Team, User
from agencies.selectors import membership_of
from audits.measures_base import Scope
from config.errors import ErrorDict, error_add, errors_raise

View = Literal["mash", "team", "partnership", "agency"]

MANAGER_ROLES = frozenset({Role.MASH_MANAGER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER})
# The longest period a dashboard is computed over: ten years, the history SPEC 7.1 plans for; a mistyped year
# is refused rather than computed over every record there is.
PERIOD_LONGEST_DAYS = 366 * 10

VIEW_TITLES: dict[View, str] = {
    "mash": "MASH dashboard",
    "team": "Team dashboard",
    "partnership": "Partnership dashboard",
    "agency": "Agency dashboard",
}

NOT_ALLOWED = "Dashboards are for managers: ask your manager for the figures you need."
AGENCY_NOT_ALLOWED = "Choose an agency from the list"
TEAM_NOT_ALLOWED = "Choose a team from the list"


@dataclass(frozen=True)
class DashboardAccess:
    """The dashboard a user may see: over which partnership, which agencies and teams they may choose between
    (an agency fixed for them is the only choice; a team manager's figures are their team's, whatever agency
    the records come from), and whether personal data may be shown."""

    view: View
    partnership_id: int
    partnership_name: str
    agencies: tuple[tuple[int, str], ...]
    teams: tuple[tuple[int, str], ...]
    aggregates_only: bool
    # The agency every figure is fixed to (a partner agency's manager), or None.
    agency_fixed: int | None = None
    # Every agency serving the partnership: a figure's breakdown by agency may name any of them.
    partnership_agencies: tuple[tuple[int, str], ...] = ()
    # A team manager sees their own teams only: one of them is always chosen.
    team_required: bool = False

    @property
    def title(self) -> str:
        return VIEW_TITLES[self.view]

    @property
    def agency_choosable(self) -> bool:
        return self.agency_fixed is None and len(self.agencies) > 1

    @property
    def team_choosable(self) -> bool:
        return bool(self.teams) and not (self.team_required and len(self.teams) == 1)

    @property
    def has_team(self) -> bool:
        """False for a team manager with no team yet: there is nothing of theirs to show."""
        return not self.team_required or bool(self.teams)

    def agency_name(self, agency_id: int | None) -> str:
        return dict(self.partnership_agencies).get(agency_id, "") if agency_id is not None else ""

    def team_name(self, team_id: int | None) -> str:
        return dict(self.teams).get(team_id, "") if team_id is not None else ""

    def scope(self, *, start: date, end: date, agency_id: int | None = None, team_id: int | None = None) -> Scope:
        """The scope for the filters chosen; ValidationError with field-level messages for an agency or team the
        user may not choose, or a period that ends before it starts."""
        errors: ErrorDict = {}
        period_errors(errors, start=start, end=end)
        if self.agency_fixed is not None:
            if agency_id is not None and agency_id != self.agency_fixed:
                error_add(errors, "agency", AGENCY_NOT_ALLOWED)
            agency_id = self.agency_fixed
        elif agency_id is not None and agency_id not in dict(self.agencies):
            error_add(errors, "agency", AGENCY_NOT_ALLOWED)
        if team_id is not None and team_id not in dict(self.teams):
            error_add(errors, "team", TEAM_NOT_ALLOWED)
        if team_id is None and self.team_required and self.teams:
            team_id = self.teams[0][0]
        errors_raise(errors)
        return Scope(partnership_id=self.partnership_id, start=start, end=end, agency_id=agency_id,
                     team_id=team_id, aggregates_only=self.aggregates_only)


def period_errors(errors: ErrorDict, *, start: date, end: date) -> None:
    if end < start:
        error_add(errors, "end", "The end of the period must be the same as or after its start")
    elif (end - start).days > PERIOD_LONGEST_DAYS:
        error_add(errors, "end", "The period must be 10 years or shorter")


def period_default(today: date) -> tuple[date, date]:
    """The 12 months ending on a day (today, unless the user chose another end)."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today


def _partnership_agencies(partnership_id: int) -> tuple[tuple[int, str], ...]:
    rows = Agency.objects.filter(partnerships=partnership_id).order_by("name").values_list("pk", "name")
    return tuple((pk, name) for pk, name in rows)


def _team_names(teams: QuerySet[Team], *, with_agency: bool) -> tuple[tuple[int, str], ...]:
    rows = teams.values_list("pk", "name", "agency__name")
    return tuple((pk, f"{name} ({agency})" if with_agency else name) for pk, name, agency in rows)


def dashboard_access_for(user: User) -> DashboardAccess:
    """The dashboard the user may see, or PermissionDenied (ACCESS.md "dashboard"). Two queries: the agencies
    serving the partnership, and the teams the user may choose between."""
    view = _view_of(user)
    membership = membership_of(user)
    if view is None or membership is None:
        raise PermissionDenied(NOT_ALLOWED)
    agency, partnership = membership.agency, membership.partnership
    agencies = _partnership_agencies(partnership.pk)
    if view in ("mash", "partnership"):
        teams = Team.objects.filter(agency__partnerships=partnership).distinct().order_by("agency__name", "name")
        return DashboardAccess(
            view=view, partnership_id=partnership.pk, partnership_name=partnership.name,
            agencies=agencies, teams=_team_names(teams, with_agency=True),
            aggregates_only=view == "partnership", partnership_agencies=agencies,
        )
    if view == "team":
        own = membership.teams.order_by("name")
        return DashboardAccess(
            view="team", partnership_id=partnership.pk, partnership_name=partnership.name,
            agencies=(), teams=_team_names(own, with_agency=False), aggregates_only=False, team_required=True,
            partnership_agencies=agencies,
        )
    teams = agency.teams.order_by("name")
    return DashboardAccess(
        view="agency", partnership_id=partnership.pk, partnership_name=partnership.name,
        agencies=((agency.pk, agency.name),), teams=_team_names(teams, with_agency=False),
        aggregates_only=True, agency_fixed=agency.pk, partnership_agencies=agencies,
    )


def _view_of(user: User) -> View | None:
    """Which dashboard the user has, if any, from their membership alone."""
    membership = membership_of(user)
    if membership is None:
        return None
    role, csc = membership.role, membership.agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE
    if role == Role.ADMIN or (csc and role == Role.SENIOR_MANAGER):
        return "partnership"
    if csc and role == Role.MASH_MANAGER:
        return "mash"
    if csc and role == Role.TEAM_MANAGER:
        return "team"
    if not csc and role in MANAGER_ROLES:
        return "agency"
    return None


def dashboard_has(user: User) -> bool:
    """Whether the user has a dashboard at all (no query)."""
    return _view_of(user) is not None


def dashboard_headline_scope(user: User, *, today: date) -> Scope | None:
    """The scope of the user's dashboard with its default filters (the last 12 months), for the figures the
    home page shows; None when the user has no dashboard, or is a team manager with no team yet. No query,
    but one for a team manager's first team."""
    view = _view_of(user)
    membership = membership_of(user)
    if view is None or membership is None:
        return None
    start, end = period_default(today)
    team_id: int | None = None
    if view == "team":
        team_id = membership.teams.order_by("name").values_list("pk", flat=True).first()
        if team_id is None:
            return None
    return Scope(partnership_id=membership.partnership_id, start=start, end=end,
                 agency_id=membership.agency_id if view == "agency" else None, team_id=team_id,
                 aggregates_only=view in ("partnership", "agency"))


def value_text(unit: str, value: float | None) -> str:
    """A figure's value in words: "62%", "14.5 hours", "12"; "No records" when there is nothing to measure."""
    if value is None:
        return "No records"
    if unit == "percent":
        return f"{value:.0f}%"
    if unit == "hours":
        return f"{value:.1f} hour{'' if value == 1 else 's'}"
    return f"{value:.0f}"
