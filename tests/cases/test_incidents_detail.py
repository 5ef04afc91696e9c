"""The incident page's reads (cases.selectors.incidents): what they hold, and a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audits.models import AccessLogEntry
from cases.selectors.incidents import (
    child_incident_counts,
    escalating_flags_unreviewed,
    incident_detail,
    incidents_for_person,
)
from cases.services.incidents import ChildAtIncident
from tests.cases.test_incidents_helpers import Family, ashdowns, london, person, record

pytestmark = pytest.mark.django_db


def test_the_detail_holds_everything_on_the_page(world):
    family = ashdowns(world)
    for month in (1, 2):
        record(world, family, london(2026, month, 10, 22))
    incident = record(world, family, london(2026, 3, 10, 22), yes=15)
    detail = incident_detail(user=world.sw, incident_id=incident.pk)
    assert detail.incident == incident and detail.incident.reported_by == world.police
    assert detail.victims == [family.mother] and detail.perpetrators == [family.father]
    assert [(row.person, row.incidents_last_12_months) for row in detail.children] == [
        (family.ellie, 3), (family.baby, 3)
    ]
    assert all(row.escalating is not None for row in detail.children)
    assert [(p.victim, p.perpetrator, p.incidents_last_12_months) for p in detail.pairs] == [
        (family.mother, family.father, 3)
    ]
    assert detail.dash_score == 15
    assert [group for group, _ in detail.dash_groups] == [
        "The current situation", "Children and dependants", "Domestic abuse history", "The abuser"
    ]
    assert detail.dash_groups[0][1][0].answer == "yes"
    assert [n.child for n in detail.notices] == [family.ellie]
    assert [r.victim for r in detail.marac_referrals] == [family.mother]
    assert detail.may_change is False
    assert incident_detail(user=world.po, incident_id=incident.pk).may_change is True
    assert AccessLogEntry.objects.filter(action="view", record_type="incident", record_id=incident.pk,
                                         user=world.sw).exists()


def test_the_detail_is_404_for_who_may_not_know(world):
    family = ashdowns(world)
    incident = record(world, family, london(2026, 3, 10, 22))
    for user in (world.te, world.mh, world.au, world.out):
        with pytest.raises(Http404):
            incident_detail(user=user, incident_id=incident.pk)


def test_child_counts_are_one_query_across_agencies(world, django_assert_num_queries):
    family = ashdowns(world)
    record(world, family, london(2025, 1, 15, 22))  # more than 12 months before
    record(world, family, london(2026, 1, 1, 22), by=world.hv)
    record(world, family, london(2026, 2, 1, 22), children=(ChildAtIncident(family.ellie),))
    with django_assert_num_queries(1):
        counts = child_incident_counts([family.ellie.pk, family.baby.pk, family.mother.pk], london(2026, 2, 2))
    assert counts == {family.ellie.pk: 2, family.baby.pk: 1, family.mother.pk: 0}
    assert child_incident_counts([], london(2026, 2, 2)) == {}


def test_incidents_for_a_person_are_those_the_user_may_see(world):
    family = ashdowns(world)
    police = record(world, family, london(2026, 1, 1, 22))
    health = record(world, family, london(2026, 2, 1, 22), by=world.hv)
    assert list(incidents_for_person(user=world.sw, person=family.ellie)) == [health, police]
    assert list(incidents_for_person(user=world.sw, person=family.father)) == [health, police]
    assert list(incidents_for_person(user=world.po, person=family.mother)) == [police]
    assert list(incidents_for_person(user=world.te, person=family.ellie)) == []


def test_the_mash_managers_list_of_children_to_review(world):
    family = ashdowns(world)
    for month in (1, 2, 3):
        record(world, family, london(2026, month, 1, 22))
    assert {f.person for f in escalating_flags_unreviewed(user=world.mm)} == {family.ellie, family.baby}
    assert not escalating_flags_unreviewed(user=world.po).exists()
    assert not escalating_flags_unreviewed(user=world.out).exists()


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# 1 the middleware names no actor yet; 2 the request's savepoint; 3 the token with its user, membership and
# agency; 4 the actor for the change log; 5 the incident (incidents_visible: children's social care's rule);
# 6 the access-log row; 7 victims and perpetrators with their people; 8 the children with their people;
# 9 the children's 12-month counts; 10 their escalating flags; 11 the victim-perpetrator pair counts;
# 12 the DASH; 13 the notices the user may see, with child and school; 14 MARAC referrals with victims;
# 15 the reporting agency; 16 the savepoint's release.
DETAIL_QUERIES = 16


def test_the_detail_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    small = ashdowns(world)
    one = record(world, small, london(2026, 3, 1, 22), yes=15)
    large = Family(mother=person(world.north, "Gina", "Bell", date(1990, 1, 1)),
                   father=person(world.north, "Ray", "Bell", date(1988, 1, 1)), ellie=small.ellie, baby=small.baby)
    many = tuple(
        ChildAtIncident(person(world.north, f"Child{i}", "Bell", date(2015, 1, 1 + i), school=world.school))
        for i in range(8)
    )
    other = record(world, large, london(2026, 3, 2, 22), yes=15, children=many)
    client = _token_client(world.sw)
    client.get(f"/api/v1/incidents/{one.pk}/")  # warm the content types cache
    for incident in (one, other):
        with django_assert_num_queries(DETAIL_QUERIES):
            response = client.get(f"/api/v1/incidents/{incident.pk}/")
        assert response.status_code == 200
        assert response["ETag"] == f'"{incident.pk}-1"'
