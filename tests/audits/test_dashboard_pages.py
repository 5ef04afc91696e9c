"""The dashboard (SPEC 4) and the records behind its figures: who sees which dashboard, every figure shown with
links to its records, the records adding up to the figure, no child's name on a partnership lead's pages,
the filters, and a fixed number of queries whatever the number of records.

The helpers at the top build front-door records with known children's names; the API and browser tests use
them too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Role, Team, User
from audits.dashboard import period_default
from audits.measures import measure_get, measures
from audits.measures_base import Scope
from audits.models import AccessLogEntry
from cases.models import Person
from cases.permissions import record_share_with
from referrals.models import AgencyCheck, Referral
from referrals.services import (
    agency_check_answer,
    agency_check_request,
    referral_allocate,
    referral_create,
    referral_decide,
    referral_feedback_record,
)
from tests.conftest import World
from tests.factories import UserFactory

# Names no page shows unless a record with them is on it.
CHILD_NAMES = ("Zebedee", "Quartermain", "Perpetua", "Fairweather")
# Received this long ago, a referral is past its 1-working-day deadline whatever the day of the week.
LATE_HOURS = 24 * 10


def child(world: World, given: str, family: str) -> Person:
    """A child known to health visiting and the police, who refer about them."""
    born = timezone.localdate() - timedelta(days=365 * 6)
    made = Person.objects.create(partnership=world.north, given_name=given, family_name=family,
                                 date_of_birth=born, search_name=f"{given} {family}".lower())
    for agency in (world.health_visiting, world.police):
        record_share_with(record=made, agency=agency, what="Known to the agency", by=None)
    return made


def refer(world: World, children: list[Person], *, by: User | None = None, hours_ago: int = 2) -> Referral:
    by = by or world.hv
    return referral_create(by=by, received_at=timezone.now() - timedelta(hours=hours_ago),
                           referrer_agency=by.membership.agency, children=children,
                           concerns="Bruising on the arm.", consent="given")


def decide(world: World, referral: Referral) -> None:
    referral_decide(referral=referral, by=world.mm, outcome="no_further_action",
                    rationale="Partners' information shows no current risk.")


def feed_back(world: World, referral: Referral) -> None:
    referral_feedback_record(referral=referral, by=world.mm, method="secure_email")


@dataclass
class FrontDoor:
    """Referrals about Zebedee Quartermain and Perpetua Fairweather: ``in_time`` decided within 1 working day
    (and fed back), ``late`` decided after it, ``waiting`` past its deadline with no decision."""

    in_time: list[Referral]
    late: list[Referral]
    waiting: list[Referral]


def front_door(world: World, *, n: int = 1, by: User | None = None) -> FrontDoor:
    zebedee = child(world, "Zebedee", "Quartermain")
    perpetua = child(world, "Perpetua", "Fairweather")
    made = FrontDoor([], [], [])
    for _ in range(n):
        quick = refer(world, [zebedee], by=by)
        decide(world, quick)
        feed_back(world, quick)
        made.in_time.append(quick)
        slow = refer(world, [perpetua], by=by, hours_ago=LATE_HOURS)
        decide(world, slow)
        made.late.append(slow)
        made.waiting.append(refer(world, [zebedee, perpetua], by=by, hours_ago=LATE_HOURS))
    return made


def team_managed(world: World, *members: User, name: str = "MASH team A") -> Team:
    """A team of children's social care with the given members, managed by the team manager."""
    team = Team.objects.create(agency=world.csc, name=name)
    for member in members:
        member.membership.teams.add(team)
    world.tm.membership.teams.add(team)
    return team


def allocate(world: World, referral: Referral, to: User) -> None:
    referral_allocate(referral=referral, by=world.mm, to=to)


def police_manager(world: World) -> User:
    return UserFactory.create(username="police.manager", agency=world.police, role=Role.TEAM_MANAGER,
                              partnership=world.north)


def south_mash_manager(world: World) -> User:
    return UserFactory.create(username="south.mm", agency=world.south_csc, role=Role.MASH_MANAGER)


def filters(start: Any, end: Any, **extra: Any) -> dict[str, Any]:
    """The dashboard form's query for a period (dates, or (day, month, year) as typed)."""
    query: dict[str, Any] = {}
    for name, day in (("start", start), ("end", end)):
        parts = (day.day, day.month, day.year) if hasattr(day, "day") else day
        query |= {f"{name}_day": parts[0], f"{name}_month": parts[1], f"{name}_year": parts[2]}
    return query | extra



# -- Who sees which dashboard --------------------------------------------------------------------------------

DASHBOARD = "/dashboard/"
DECISIONS = "decisions_in_time"
CHECKS = "checks_on_time"


def page(client: Any, path: str = DASHBOARD, query: dict[str, Any] | None = None) -> str:
    response = client.get(path, query or {})
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def default_scope(world: World, **extra: Any) -> Scope:
    start, end = period_default(timezone.localdate())
    return Scope(partnership_id=world.north.pk, start=start, end=end, **extra)


def records_total(client: Any, key: str, part: str, query: dict[str, Any] | None = None) -> int:
    """How many records the drill-down page lists ("Showing 1 to 5 of 12 records"), 0 when it is empty."""
    html = page(client, f"/dashboard/{key}/", {"part": part, **(query or {})})
    found = re.search(r"Showing \d+ to \d+ of (\d+) records?", html)
    if found is None:
        assert "There are no records in this list" in html
        return 0
    return int(found.group(1))


@pytest.mark.parametrize(("code", "title"), [("MM", "MASH dashboard"), ("SM", "Partnership dashboard"),
                                             ("AD", "Partnership dashboard"), ("TM", "Team dashboard")])
def test_each_manager_sees_their_own_dashboard(world, client_for, code, title):
    html = page(client_for(world.persona(code)))
    assert f'<h1 class="govuk-heading-l">{title}</h1>' in html


@pytest.mark.parametrize("code", ["MW", "SW", "PO", "HV", "MH", "TE", "AU", "OUT"])
def test_practitioners_auditors_and_social_workers_have_no_dashboard(world, client_for, code):
    client = client_for(world.persona(code))
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(f"/dashboard/{DECISIONS}/").status_code == 403


def test_an_unknown_measure_is_not_found(world, client_for):
    assert client_for(world.mm).get("/dashboard/no_such_measure/").status_code == 404


def test_every_measure_is_shown_with_links_to_its_records(world, client_for):
    front_door(world)
    html = page(client_for(world.mm))
    for measure in measures():
        assert f'id="measure-{measure.key}"' in html
        assert f">{measure.label}</h3>" in unescape(html)
        if measure.explanation:
            assert measure.explanation in unescape(html)
    card = html.split(f'id="measure-{DECISIONS}"')[1].split("</article>")[0]
    # One decided in time of three: one decided late, one still waiting past its deadline.
    assert '<p class="app-dashboard-card__value" data-figure-value>33%</p>' in card
    assert "1 of 3" in card
    assert re.search(rf'href="/dashboard/{DECISIONS}/\?[^"]*part=met[^"]*">1 met', card)
    assert re.search(rf'href="/dashboard/{DECISIONS}/\?[^"]*part=missed[^"]*">2 not met', card)


def test_the_records_behind_each_figure_add_up_to_it(world, client_for):
    front_door(world, n=2)
    client = client_for(world.mm)
    scope = default_scope(world)
    for measure in measures():
        figure = measure.figure(scope)
        if figure.unit == "percent":
            assert records_total(client, measure.key, "met") == figure.numerator, measure.key
            assert records_total(client, measure.key, "missed") == \
                (figure.denominator or 0) - (figure.numerator or 0), measure.key
            assert records_total(client, measure.key, "all") == figure.denominator, measure.key
        elif figure.unit == "hours":
            assert records_total(client, measure.key, "all") == (figure.denominator or 0), measure.key
        else:
            assert records_total(client, measure.key, "all") == (figure.numerator or 0), measure.key


def checks_asked(world: World, made: FrontDoor) -> None:
    """For each referral waiting: a check the police answered in time, and one the school has let go past its
    due time (asked a week ago)."""
    for referral in made.waiting:
        answered = agency_check_request(referral=referral, by=world.mw, agency=world.police, question="Known?")
        agency_check_answer(check=answered, by=world.po, information="One call-out last year.")
        late = agency_check_request(referral=referral, by=world.mw, agency=world.school, question="Attending?")
        week_ago = timezone.now() - timedelta(days=7)
        AgencyCheck.objects.filter(pk=late.pk).update(requested_at=week_ago, due_at=week_ago + timedelta(days=1))


def test_a_breakdown_row_lists_only_its_agency_s_records(world, client_for):
    checks_asked(world, front_door(world, n=2))
    client = client_for(world.mm)
    card = page(client).split(f'id="measure-{CHECKS}"')[1].split("</article>")[0]
    assert f"{measure_get(CHECKS).label}, by agency</caption>" in card
    assert re.search(rf'breakdown_agency={world.school.pk}[^"]*">2 not met', card)
    assert re.search(rf'breakdown_agency={world.police.pk}[^"]*">2 met', card)
    assert records_total(client, CHECKS, "missed", {"breakdown_agency": world.school.pk}) == 2
    assert records_total(client, CHECKS, "met", {"breakdown_agency": world.school.pk}) == 0
    assert records_total(client, CHECKS, "all") == 4
    school = page(client, f"/dashboard/{CHECKS}/", {"part": "missed", "breakdown_agency": world.school.pk})
    assert f": not met, {world.school.name}, " in school


def test_the_records_page_says_exactly_what_it_lists(world, client_for):
    front_door(world)
    start, end = date(2025, 12, 1), timezone.localdate()
    html = page(client_for(world.mm), f"/dashboard/{DECISIONS}/", {"part": "missed", **filters(start, end)})
    heading = re.search(r'<h1 class="govuk-heading-l">(.*?)</h1>', html)
    assert heading is not None
    assert heading.group(1) == (f"{measure_get(DECISIONS).label}: not met, 1 December 2025 to"
                                f" {end.day} {end:%B %Y}")
    assert f'href="/referrals/{front_door_late_id(html)}/"' in html


def front_door_late_id(html: str) -> int:
    found = re.search(r'href="/referrals/(\d+)/"', html)
    assert found is not None
    return int(found.group(1))


# -- Personal data ------------------------------------------------------------------------------------------


def test_the_mash_manager_s_records_name_the_children_and_are_logged(world, client_for):
    made = front_door(world)
    client = client_for(world.mm)
    html = page(client, f"/dashboard/{DECISIONS}/", {"part": "missed"})
    assert "Perpetua Fairweather" in html
    assert f'href="/referrals/{made.late[0].pk}/"' in html
    entry = AccessLogEntry.objects.filter(user=world.mm, record_type="dashboard").get()
    assert entry.action == "search" and entry.fields["measure"] == DECISIONS and entry.fields["part"] == "missed"


@pytest.mark.parametrize("code", ["SM", "AD"])
def test_a_partnership_lead_sees_no_child_s_name_anywhere(world, client_for, code):
    made = front_door(world, n=2)
    client = client_for(world.persona(code))
    pages = [page(client)]
    for measure in measures():
        for part in ("met", "missed", "all"):
            pages.append(page(client, f"/dashboard/{measure.key}/", {"part": part}))
    pages.append(client.get("/api/v1/dashboard/").content.decode())
    for html in pages:
        for name in CHILD_NAMES:
            assert name not in html
    # The records are still there, by reference only: a partnership lead's list is not a way into them.
    missed = page(client, f"/dashboard/{DECISIONS}/", {"part": "missed"})
    assert f">{made.late[0].pk}<" in missed and f'href="/referrals/{made.late[0].pk}/"' not in missed
    assert "This list shows no child's name" in missed
    assert not AccessLogEntry.objects.filter(user=world.persona(code), record_type="dashboard").exists()


def test_a_partner_agency_s_manager_sees_their_agency_s_figures_without_names(world, client_for):
    front_door(world)  # referred by health visiting
    front_door(world, by=world.po, n=2)
    manager = police_manager(world)
    client = client_for(manager)
    html = page(client)
    assert '<h1 class="govuk-heading-l">Agency dashboard</h1>' in html
    assert 'name="agency"' not in html
    card = html.split(f'id="measure-{DECISIONS}"')[1].split("</article>")[0]
    assert "2 of 6" in card
    missed = page(client, f"/dashboard/{DECISIONS}/", {"part": "missed"})
    for name in CHILD_NAMES:
        assert name not in missed
    # Another agency's figures are not theirs to choose.
    response = client.get("/api/v1/dashboard/", {"agency": world.health_visiting.pk})
    assert response.status_code == 400 and "agency" in response.json()


def test_each_partnership_sees_only_its_own_records(world, client_for):
    front_door(world)
    html = page(client_for(south_mash_manager(world)))
    card = html.split(f'id="measure-{DECISIONS}"')[1].split("</article>")[0]
    assert "No records" in card
    assert world.health_visiting.name not in html


# -- Team managers -----------------------------------------------------------------------------------------


def test_a_team_manager_sees_their_team_s_work_only(world, client_for):
    made = front_door(world, n=2)
    team = team_managed(world, world.mw)
    other = Team.objects.create(agency=world.csc, name="MASH team B")
    allocate(world, made.waiting[0], world.mw)
    html = page(client_for(world.tm))
    assert "MASH team A" in html and "MASH team B" not in html
    card = html.split(f'id="measure-{DECISIONS}"')[1].split("</article>")[0]
    assert "0 of 1" in card
    assert 'name="team"' not in html  # their only team: nothing to choose
    response = client_for(world.tm).get("/api/v1/dashboard/", {"team": other.pk})
    assert response.status_code == 400 and "team" in response.json()
    assert client_for(world.tm).get("/api/v1/dashboard/").json()["team"] == team.pk


def test_a_team_manager_follows_a_breakdown_row_to_its_records(world, client_for):
    made = front_door(world, n=2)
    checks_asked(world, made)
    team_managed(world, world.mw)
    allocate(world, made.waiting[0], world.mw)
    client = client_for(world.tm)
    card = page(client).split(f'id="measure-{CHECKS}"')[1].split("</article>")[0]
    assert re.search(rf'breakdown_agency={world.school.pk}[^"]*">1 not met', card)
    html = page(client, f"/dashboard/{CHECKS}/", {"part": "missed", "breakdown_agency": world.school.pk})
    assert f": not met, {world.school.name}, " in html
    assert "Showing 1 to 1 of 1 record." in html
    assert "Perpetua Fairweather" in html  # their own team's child


def test_a_team_manager_with_two_teams_chooses_between_them(world, client_for):
    team_managed(world, world.mw, name="MASH team A")
    second = team_managed(world, name="MASH team B")
    html = page(client_for(world.tm), query=filters(*period_default(timezone.localdate()), team=second.pk))
    assert f'<option value="{second.pk}" selected>MASH team B</option>' in html
    assert "All teams" not in html


def test_a_team_manager_with_no_team_yet_is_told_so(world, client_for):
    html = page(client_for(world.tm))
    assert "You do not manage a team yet." in html
    assert 'class="app-dashboard-card"' not in html


# -- Filters -----------------------------------------------------------------------------------------------


def test_the_dashboard_opens_on_the_last_12_months(world, client_for):
    start, end = period_default(timezone.localdate())
    html = page(client_for(world.mm))
    assert f'name="start_day" type="text" inputmode="numeric" spellcheck="false" value="{start.day}"' in html
    assert f'name="end_year" type="text" inputmode="numeric" spellcheck="false" value="{end.year}"' in html
    assert f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}" in html


def test_the_agency_and_period_filters_are_applied(world, client_for):
    front_door(world)
    front_door(world, by=world.po)
    client = client_for(world.mm)
    start, end = period_default(timezone.localdate())
    police = page(client, query=filters(start, end, agency=world.police.pk))
    card = police.split(f'id="measure-{DECISIONS}"')[1].split("</article>")[0]
    assert "1 of 3" in card
    # The links keep the filters, so the records listed are the police's only.
    assert f"agency={world.police.pk}" in card
    assert records_total(client, DECISIONS, "all", filters(start, end, agency=world.police.pk)) == 3
    long_ago = page(client, query=filters(date(2020, 1, 1), date(2020, 12, 31)))
    card = long_ago.split(f'id="measure-{DECISIONS}"')[1].split("</article>")[0]
    assert "No records" in card


@pytest.mark.parametrize(("query", "message"), [
    ({"start_day": 31, "start_month": 2, "start_year": 2026, "end_day": 1, "end_month": 3, "end_year": 2026},
     "From must be a real date"),
    ({"start_day": 1, "start_month": 3, "start_year": 2026, "end_day": 1, "end_month": 2, "end_year": 2026},
     "The end of the period must be the same as or after its start"),
    ({"start_day": 1, "start_month": 3, "end_day": 1, "end_month": 4, "end_year": 2026},
     "From must include a year"),
    ({"agency": 999999}, "Choose an agency from the list"),
    ({"team": 999999}, "Choose a team from the list"),
])
def test_bad_filters_are_shown_on_their_fields(world, client_for, query, message):
    Team.objects.create(agency=world.csc, name="Assessment team")
    client = client_for(world.mm)
    for path in (DASHBOARD, f"/dashboard/{DECISIONS}/"):
        html = page(client, path, query)
        assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
        assert message in html
        assert html.count(message) == 2  # in the summary and on the field
        assert 'class="app-dashboard-card"' not in html and "Showing 1 to" not in html


def test_a_wrong_part_is_shown_as_an_error(world, client_for):
    html = page(client_for(world.mm), f"/dashboard/{DECISIONS}/", {"part": "some"})
    assert "Choose met, missed or all records" in html


# -- Charts --------------------------------------------------------------------------------------------------


def test_trends_are_drawn_from_data_with_the_same_figures_in_a_table(world, client_for):
    front_door(world)
    html = page(client_for(world.mm))
    assert 'src="/static/dist/chart.js/chart.umd.min.js"' in html
    assert 'src="/static/dist/dashboard-charts.js"' in html
    drawn = [measure for measure in measures() if measure.trend_drawn]
    assert drawn
    for measure in drawn:
        assert f'<canvas id="chart-{measure.key}" data-dashboard-chart="{measure.key}" role="img"' in html
        assert f'<script id="trend-{measure.key}" type="application/json">' in html
        assert f"{measure.label} by month</caption>" in html
    # Never an inline script (the Content-Security-Policy forbids them): data only.
    for script in re.findall(r"<script(?![^>]*(?:src=|application/json|nonce=))[^>]*>", html):
        raise AssertionError(f"inline script: {script}")


def test_charts_are_not_loaded_elsewhere(world, client_for):
    assert "chart.umd.min.js" not in page(client_for(world.mm), "/")


# -- Query counts --------------------------------------------------------------------------------------------


def test_the_dashboard_s_queries_do_not_grow_with_records(world, client_for, django_assert_num_queries):
    front_door(world)
    client = client_for(world.mm)
    page(client)
    # The session and user, the agencies and teams the manager may choose, and each measure's own queries (its
    # figure and breakdown, and its trend where drawn), whatever the number of records.
    with CaptureQueriesContext(connection) as few:
        page(client)
    for _ in range(3):
        front_door(world, by=world.po)
    with django_assert_num_queries(len(few.captured_queries)):
        page(client)


def test_the_records_page_s_queries_do_not_grow_with_records(world, client_for, django_assert_num_queries):
    front_door(world)
    client = client_for(world.mm)
    path = f"/dashboard/{DECISIONS}/"
    page(client, path, {"part": "missed"})
    # session; user; SAVEPOINT; the actor's set_config; the agencies; the teams; the count of records; the page
    # of records; the access-log row (names shown); the header badge; RELEASE SAVEPOINT.
    with django_assert_num_queries(11):
        page(client, path, {"part": "missed"})
    for _ in range(30):
        front_door(world, by=world.po)
    with django_assert_num_queries(11):
        html = page(client, path, {"part": "missed", "page": 2})
    assert "Showing 51 to 62 of 62 records" in html


# -- Home --------------------------------------------------------------------------------------------------


def test_the_mash_manager_s_home_leads_to_their_dashboard_with_headline_figures(world, client_for):
    front_door(world)
    html = page(client_for(world.mm), "/")
    panel = html.split('id="section-your-dashboard"')[1].split("</section>")[0]
    assert 'href="/dashboard/">Go to your dashboard</a>' in panel
    label = measure_get(DECISIONS).label
    assert f'<dt class="govuk-summary-list__key">{label}</dt>' in panel
    assert "<strong>33%</strong> (1 of 3)" in panel


def test_the_senior_manager_s_home_shows_the_partnership_s_performance(world, client_for):
    front_door(world)
    html = page(client_for(world.sm), "/")
    section = html.split('id="section-partnership-performance"')[1].split("</section>")[0]
    assert f'<dt class="govuk-summary-list__key">{measure_get(DECISIONS).label}</dt>' in section
    assert '<dd class="govuk-summary-list__value">33% (1 of 3)</dd>' in section
    assert 'href="/dashboard/">Go to the partnership dashboard</a>' in section
    assert "There are no performance figures yet" not in html
    assert "section-your-dashboard" not in html
    for name in CHILD_NAMES:
        assert name not in html


def test_a_team_manager_s_home_shows_their_team_s_figures(world, client_for):
    made = front_door(world)
    assert "Go to your dashboard" in page(client_for(world.tm), "/")  # no team yet: the link alone
    team_managed(world, world.mw)
    allocate(world, made.waiting[0], world.mw)
    panel = page(client_for(world.tm), "/").split('id="section-your-dashboard"')[1].split("</section>")[0]
    assert "<strong>0%</strong> (0 of 1)" in panel


@pytest.mark.parametrize("code", ["MW", "SW", "HV", "AU", "AD"])
def test_others_homes_have_no_dashboard_panel(world, client_for, code):
    assert "section-your-dashboard" not in page(client_for(world.persona(code)), "/")
