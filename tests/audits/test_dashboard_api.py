"""``GET /api/v1/dashboard/`` (API.md "Oversight"): every SPEC 4 figure of the caller's dashboard as
``{value, numerator, denominator}``, the same numbers as the page, with field-level 400s for bad filters."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Team
from audits.dashboard import period_default
from audits.measures import measures
from tests.audits.test_dashboard_pages import (
    CHILD_NAMES,
    DECISIONS,
    allocate,
    front_door,
    police_manager,
    south_mash_manager,
    team_managed,
)
from tests.conftest import World

API = "/api/v1/dashboard/"
FIGURE_FIELDS = {"label", "unit", "value", "numerator", "denominator", "target", "breakdown"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_figure_is_given_with_its_numerator_and_denominator(world: World):
    front_door(world)
    response = api(world.mm).get(API)
    assert response.status_code == 200
    body = response.json()
    start, end = period_default(timezone.localdate())
    assert (body["from"], body["to"]) == (start.isoformat(), end.isoformat())
    assert set(body) == {"from", "to", "agency", "team", "figures"}
    assert (body["agency"], body["team"]) == (None, None)
    assert list(body["figures"]) == [measure.key for measure in measures()]
    for key, figure in body["figures"].items():
        assert set(figure) == FIGURE_FIELDS, key
    decisions = body["figures"][DECISIONS]
    assert (decisions["unit"], decisions["numerator"], decisions["denominator"]) == ("percent", 1, 3)
    assert decisions["value"] == pytest.approx(33.3)


def test_the_numbers_are_the_page_s(world: World, client_for):
    front_door(world, n=2)
    front_door(world, by=world.po)
    figures = api(world.mm).get(API).json()["figures"]
    page = client_for(world.mm).get("/dashboard/")
    cards = [card for section in page.context["sections"] for card in section.cards]
    assert [card.measure.key for card in cards] == list(figures)
    for card in cards:
        shown, given = card.main.figure, figures[card.measure.key]
        assert (shown.value, shown.numerator, shown.denominator) == \
            (given["value"], given["numerator"], given["denominator"]), card.measure.key
        assert [(row.agency_id, row.numerator, row.denominator) for row in shown.breakdown] == \
            [(row["agency"], row["numerator"], row["denominator"]) for row in given["breakdown"]]


def test_the_filters_are_applied(world: World):
    front_door(world)
    front_door(world, by=world.po)
    body = api(world.mm).get(API, {"from": "2025-12-01", "to": timezone.localdate().isoformat(),
                                   "agency": str(world.police.pk)}).json()
    assert (body["from"], body["agency"]) == ("2025-12-01", world.police.pk)
    assert body["figures"][DECISIONS]["denominator"] == 3
    empty = api(world.mm).get(API, {"from": "2020-01-01", "to": "2020-12-31"}).json()
    assert empty["figures"][DECISIONS] | {"label": ""} == {
        "label": "", "unit": "percent", "value": None, "numerator": 0, "denominator": 0, "target": None,
        "breakdown": []}


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "2026-02-31"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
    ({"from": "2000-01-01", "to": "2026-02-01"}, "to"),
    ({"agency": "police"}, "agency"),
    ({"agency": 999999}, "agency"),
    ({"team": 999999}, "team"),
])
def test_bad_filters_are_refused_field_by_field(world: World, query, field):
    response = api(world.mm).get(API, query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_team_of_another_partnership_is_refused(world: World):
    south_team = Team.objects.create(agency=world.south_csc, name="South MASH")
    response = api(world.mm).get(API, {"team": south_team.pk})
    assert response.status_code == 400 and "team" in response.json()


def test_a_partnership_lead_s_figures_name_no_child(world: World):
    front_door(world)
    text = api(world.sm).get(API).content.decode()
    assert not [name for name in CHILD_NAMES if name in text]


def test_a_partner_agency_s_manager_gets_their_agency_s_figures(world: World):
    front_door(world)
    front_door(world, by=world.po, n=2)
    body = api(police_manager(world)).get(API).json()
    assert body["agency"] == world.police.pk
    assert body["figures"][DECISIONS]["denominator"] == 6


def test_a_team_manager_gets_their_team_s_figures_and_none_without_a_team(world: World):
    made = front_door(world)
    assert api(world.tm).get(API).json()["figures"] == {}
    team = team_managed(world, world.mw)
    allocate(world, made.waiting[0], world.mw)
    body = api(world.tm).get(API).json()
    assert body["team"] == team.pk
    assert (body["figures"][DECISIONS]["numerator"], body["figures"][DECISIONS]["denominator"]) == (0, 1)


def test_each_partnership_gets_only_its_own_figures(world: World):
    front_door(world)
    body = api(south_mash_manager(world)).get(API).json()
    assert body["figures"][DECISIONS]["denominator"] == 0


@pytest.mark.parametrize("code", ["MW", "SW", "PO", "HV", "MH", "TE", "AU", "OUT"])
def test_users_with_no_dashboard_are_refused(world: World, code):
    assert api(world.persona(code)).get(API, {"from": "not a date"}).status_code == 403


def test_signed_out_callers_are_challenged(db):
    assert APIClient().get(API).status_code == 401


def test_the_endpoint_is_in_the_schema(world: World):
    schema = api(world.ad).get("/api/v1/schema/", {"format": "json"}).content.decode()
    assert "/api/v1/dashboard/" in schema
