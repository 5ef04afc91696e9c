"""Reads of plans: a case's plans, the open actions a user or their agency owns, the family a plan's form offers,
a plan's history check, a restricted member of the family unnamed, and the API's plan."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import Person, PlanAction, RestrictedAccess
from cases.selectors.plans import (
    RESTRICTED_PERSON,
    plan_actions_owned,
    plan_family,
    plan_history_check,
    plans_of_case,
)
from cases.services.plans import plan_action_close, plan_end
from tests.cases.test_plans_helpers import (
    for_agency,
    for_family,
    make_plan,
    perpetrator_action,
    text,
    victim_action,
)
from tests.cases.test_plans_helpers import plan_family as family_of

pytestmark = pytest.mark.django_db


def test_a_cases_plans_come_with_their_actions_in_two_queries_and_only_those_the_user_may_see(world):
    family = family_of(world)
    with_police = make_plan(world, family, actions=[for_agency(world.police), for_agency(world.school)])
    make_plan(world, family, kind="written_agreement", actions=[perpetrator_action(family), victim_action(family)])
    ended = make_plan(world, family, actions=[for_agency(world.health_visiting)])
    plan_end(plan=ended, by=world.sw)
    with CaptureQueriesContext(connection) as queries:
        plans = plans_of_case(user=world.sw, case=family.case)
        names = [[action.agency.name if action.agency else action.family_member.full_name  # type: ignore[union-attr]
                  for action in plan.actions.all()] for plan in plans]
    assert len(queries) == 2
    assert [plan.status for plan in plans] == ["active", "active", "ended"]
    assert ["Dean Marsh", "Ngozi Okafor"] in [sorted(n) for n in names]
    assert [plan.pk for plan in plans_of_case(user=world.po, case=family.case)] == [with_police.pk]


def test_the_actions_a_user_owns_are_theirs_their_agencys_unnamed_and_the_familys_for_the_lead_professional(world):
    family = family_of(world)
    plan = make_plan(world, family, kind="written_agreement", actions=[
        for_agency(world.police, "Named to the officer.", owner=world.po),
        for_agency(world.police, "For anyone at the police.", days=3),
        for_agency(world.health_visiting, "For health visiting."),
        perpetrator_action(family, days=5),
    ])
    plan_action_close(action=PlanAction.objects.get(plan=plan, description="For health visiting."), by=world.hv,
                      status="done")
    ended = make_plan(world, family, actions=[for_agency(world.police, "On an ended plan.")])
    plan_end(plan=ended, by=world.sw)
    # Warm: the user's membership and agency come with the signed-in user, the content types from the process's cache.
    list(plan_actions_owned(user=world.po))
    with CaptureQueriesContext(connection) as queries:
        police = [(a.description, a.plan.case.child.full_name) for a in plan_actions_owned(user=world.po)]
    assert len(queries) == 1
    assert police == [("For anyone at the police.", "Tobi Okafor"), ("Named to the officer.", "Tobi Okafor")]
    assert list(plan_actions_owned(user=world.hv)) == []
    assert [a.family_member.full_name for a in plan_actions_owned(user=world.sw)] == [  # type: ignore[union-attr]
        "Dean Marsh"]
    assert list(plan_actions_owned(user=world.ad)) == []


def test_the_family_offered_is_the_household_and_relations_in_one_query(world):
    family = family_of(world)
    with CaptureQueriesContext(connection) as queries:
        options = plan_family(user=world.sw, case=family.case)
    assert len(queries) == 1
    labels = [option.label for option in options]
    assert labels[0] == "Dean Marsh (step-parent, poses a risk to the child)"
    assert "Ngozi Okafor (parent)" in labels and "Chidi Okafor (lives with the child)" in labels
    assert labels[-1] == "Tobi Okafor (the child)"


def test_a_plans_history_is_for_managers_who_may_see_it(world):
    plan = make_plan(world)
    assert plan_history_check(world.tm, plan.pk) == "Child in need plan for Tobi Okafor"
    with pytest.raises(PermissionDenied):
        plan_history_check(world.sw, plan.pk)
    with pytest.raises(Http404):
        plan_history_check(world.mh, plan.pk)


def test_a_restricted_member_of_the_family_is_not_named_to_those_who_may_not_open_them(world, client_for):
    family = family_of(world)
    Person.objects.filter(pk=family.partner.pk).update(restricted=True)
    RestrictedAccess.objects.create(partnership=world.north, person=family.partner, user=world.sw)
    plan = make_plan(world, family, kind="written_agreement", actions=[
        for_family(family.partner, "person_posing_risk", "Attend the perpetrator programme weekly."),
        for_agency(world.police)])
    own = text(client_for(world.sw).get(f"/plans/{plan.pk}/"))
    assert "Dean Marsh (the person posing risk)" in own
    police = text(client_for(world.po).get(f"/plans/{plan.pk}/"))
    assert f"{RESTRICTED_PERSON} (the person posing risk)" in police and "Dean" not in police
    # The case page's plans say the same.
    (listed,) = plans_of_case(user=world.po, case=family.case)
    assert {a.party: a.family_member_hidden for a in listed.actions.all()} == {  # type: ignore[attr-defined]
        "person_posing_risk": True, "agency": False}
    (own_listed, *_) = plans_of_case(user=world.sw, case=family.case)
    assert not any(a.family_member_hidden for a in own_listed.actions.all())  # type: ignore[attr-defined]


def test_the_api_gives_the_plan_with_its_etag_to_those_who_may_see_it(world):
    family = family_of(world)
    plan = make_plan(world, family, kind="written_agreement",
                     actions=[perpetrator_action(family), for_agency(world.police)])
    client = APIClient()
    client.force_login(world.hv)
    response = client.get(f"/api/v1/plans/{plan.pk}/")
    assert response.status_code == 200 and response["ETag"] == f'W/"plan-{plan.pk}-v{plan.version}"'
    body = response.json()
    assert (body["kind"], body["current_version"], body["child"]["name"]) == ("written_agreement", 1, "Tobi Okafor")
    assert [a["who"] for a in body["actions"]] == ["Dean Marsh (the person posing risk)", "Shire Police"]
    assert body["versions"][0]["number"] == 1
    assert sorted(body["not_received_latest"]) == ["Dean Marsh", "North Health Visiting", "Shire Police"]
    client.force_login(world.mh)
    assert client.get(f"/api/v1/plans/{plan.pk}/").status_code == 404
