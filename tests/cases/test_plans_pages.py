"""The plan pages: a plan made (with its repeatable actions), a plan's page, a plan changed (a stale save refused
with nothing lost), a version distributed and an action closed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Household, HouseholdMember, Person, Plan, PlanAction, PlanDistribution, PlanVersion
from cases.services import plans as services
from tests.cases.test_plans_helpers import (
    for_agency,
    in_days,
    make_plan,
    perpetrator_action,
    plan_family,
    text,
    victim_action,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: Any) -> dict[str, Any]:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def create_body(**rows: dict[str, Any]) -> dict[str, Any]:
    """A new plan's form: rows given as action_<n>=dict of the row's fields."""
    body: dict[str, Any] = {"kind": "written_agreement", "what_must_change": "Tobi must live free of violence.",
                            **_date("starts_on", timezone.localdate()), "rows": 3}
    for key, fields in rows.items():
        for name, value in fields.items():
            if name == "due_by":
                body |= _date(f"{key}_due_by", value)
            else:
                body[f"{key}_{name}"] = value
    return body


def victim_row(family: Any) -> dict[str, Any]:
    return {"description": "Ngozi will not let Dean into the house.", "party": "parent_or_carer",
            "family_member": family.mother.pk, "due_by": in_days(7)}


# -- Making a plan -------------------------------------------------------------------------------------------


def test_a_written_agreement_with_actions_only_for_the_victim_is_refused_with_a_clear_message(world, client_for):
    family = plan_family(world)
    response = client_for(world.sw).post(f"/cases/{family.case.pk}/plans/new/",
                                         create_body(action_0=victim_row(family)))
    assert response.status_code == 200
    page = text(response)
    assert page.startswith("Error: ")
    assert ("A written agreement must say what the person posing risk will do. An agreement that only asks the"
            " victim to keep the children safe leaves her to police him.") in page
    assert 'href="#id_action_0_party"' in response.content.decode()
    assert "Ngozi will not let Dean into the house." in page  # what was typed stays
    assert not Plan.objects.exists()


def test_a_written_agreement_naming_the_person_posing_risk_is_made_and_shown(world, client_for):
    family = plan_family(world)
    client = client_for(world.sw)
    response = client.post(f"/cases/{family.case.pk}/plans/new/", create_body(
        action_0=victim_row(family),
        action_2={"description": "Dean will attend the perpetrator programme weekly.", "party": "person_posing_risk",
                  "family_member": family.partner.pk, "due_by": in_days(14)},
    ))
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    page = text(client.get(response["Location"]))
    assert "Written agreement made for Tobi Okafor, with 2 actions." in page
    assert "Dean Marsh (the person posing risk)" in page and "Ngozi Okafor (parent or carer)" in page


def test_the_form_offers_three_rows_and_add_another_keeps_what_was_typed(world, client_for):
    family = plan_family(world)
    client = client_for(world.sw)
    page = client.get(f"/cases/{family.case.pk}/plans/new/").content.decode()
    assert page.count("<h3 class=\"govuk-heading-m\" id=\"action-") == 3
    assert "Dean Marsh (step-parent, poses a risk to the child)" in page
    response = client.post(f"/cases/{family.case.pk}/plans/new/",
                           {**create_body(action_0=victim_row(family)), "add_action": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<h3 class=\"govuk-heading-m\" id=\"action-") == 4
    assert "There is a problem" not in html and "Ngozi will not let Dean into the house." in html
    assert 'name="rows" value="4"' in html
    assert not Plan.objects.exists()
    # The fourth row is read when the plan is saved.
    saved = client.post(f"/cases/{family.case.pk}/plans/new/", create_body(
        action_0=victim_row(family),
        action_3={"description": "Dean will attend the perpetrator programme weekly.", "party": "person_posing_risk",
                  "family_member": family.partner.pk, "due_by": in_days(14)},
    ) | {"rows": 4})
    assert saved.status_code == 302 and PlanAction.objects.filter(party="person_posing_risk").exists()


def test_a_row_half_filled_is_refused_field_by_field(world, client_for):
    family = plan_family(world)
    response = client_for(world.sw).post(f"/cases/{family.case.pk}/plans/new/", create_body(
        action_0={"description": "Check police records.", "party": "agency", "agency": world.police.pk,
                  "due_by": in_days(7)},
        action_1={"description": "Dean will stay away.", "party": "person_posing_risk",
                  "family_member": family.partner.pk},
    ))
    page = text(response)
    assert "Action 2: enter the date the action is due by" in page
    assert 'href="#id_action_1_due_by"' in response.content.decode()
    assert not Plan.objects.exists()


def test_the_create_page_query_count_does_not_grow_with_the_family_or_the_agencies(
        world, client_for, django_assert_num_queries):
    family = plan_family(world)
    client = client_for(world.sw)
    url = f"/cases/{family.case.pk}/plans/new/"
    client.get(url)
    with django_assert_num_queries(CREATE_QUERIES):
        client.get(url)
    household = Household.objects.get(pk=family.household.pk)
    for n in range(4):
        cousin = Person.objects.create(partnership=world.north, given_name=f"Cousin{n}", family_name="Okafor")
        HouseholdMember.objects.create(partnership=world.north, household=household, person=cousin)
        UserFactory.create(agency=world.health_visiting, partnership=world.north)
    with django_assert_num_queries(CREATE_QUERIES):
        page = client.get(url).content.decode()
    assert "Cousin3 Okafor" in page


# session; user with membership and agency; the audit actor; savepoint; the case (with its child, through the
# visible cases and people); the access-log row; the user's draft of this form (none); the agencies serving the
# partnership; whom to name at them; the child's family; the unread badge; release savepoint.
CREATE_QUERIES = 12


# -- A plan's page -------------------------------------------------------------------------------------------


def test_the_plan_page_shows_actions_overdue_versions_and_who_has_not_the_latest(world, client_for):
    family = plan_family(world)
    plan = make_plan(world, family, kind="written_agreement",
                     actions=[perpetrator_action(family), victim_action(family), for_agency(world.police)])
    services.plan_distribute(plan=plan, by=world.sw, parties=[world.police, family.mother], method="post")
    Plan.objects.filter(pk=plan.pk).update(starts_on=timezone.localdate() - timedelta(days=10))
    PlanAction.objects.filter(plan=plan, party="agency").update(due_by=timezone.localdate() - timedelta(days=1))
    plan.refresh_from_db()
    actions = list(PlanAction.objects.filter(plan=plan).order_by("pk"))
    services.plan_update(
        plan=plan, by=world.sw, version=plan.version, what_must_change="Tobi must be safe at home and at nursery.",
        review_by=None, change_note="Nursery added.",
        actions=[services.ActionDraft(a.description, a.party, a.due_by, a.agency_id, a.owner_id,
                                      a.family_member_id, a.pk) for a in actions],
    )
    response = client_for(world.po).get(f"/plans/{plan.pk}/")
    page = text(response)
    assert "Written agreement for Tobi Okafor" in page and "Overdue" in page
    assert "Version 2 (latest)" in page and "Nursery added." in page
    assert "What version 1 said What must change: Tobi must live free of violence at home." in page
    assert "Who was given version 1 Party How When Shire Police In this system" in page
    assert "Ngozi Okafor Post" in page
    not_received = page[page.index("Not yet given version 2"):page.index("Versions")]
    for party in ("Shire Police", "North Health Visiting", "Ngozi Okafor", "Dean Marsh"):
        assert party in not_received
    # The police may close their own action but not change the plan.
    police_action = PlanAction.objects.get(plan=plan, party="agency")
    assert "Change the plan" not in page
    html = response.content.decode()
    assert f"/plans/{plan.pk}/actions/{police_action.pk}/close/" in html
    assert html.count("/close/") == 1


def test_the_plan_page_query_count_does_not_grow_with_actions_versions_or_distributions(
        world, client_for, django_assert_num_queries):
    family = plan_family(world)
    plan = make_plan(world, family)
    client = client_for(world.sw)
    url = f"/plans/{plan.pk}/"
    client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)
    for n in range(3):
        plan.refresh_from_db()
        kept = [services.ActionDraft(a.description, a.party, a.due_by, a.agency_id, a.owner_id, a.family_member_id,
                                     a.pk) for a in PlanAction.objects.filter(plan=plan, status="open")]
        services.plan_update(plan=plan, by=world.sw, version=plan.version, what_must_change=f"Change {n}.",
                             review_by=None, change_note=f"Change {n}.",
                             actions=[*kept, for_agency(world.school, f"School action {n}"), victim_action(family)])
        services.plan_distribute(plan=plan, by=world.sw, parties=[world.police, world.school, family.mother],
                                 method="in_person")
    assert PlanVersion.objects.filter(plan=plan).count() == 4 and PlanDistribution.objects.count() == 9
    with django_assert_num_queries(DETAIL_QUERIES):
        page = text(client.get(url))
    assert "School action 2" in page and "Version 4 (latest)" in page


# session; user with membership and agency; the audit actor; savepoint; the plan (with its case and child, through
# the visible plans and people); the access-log row; the actions; the versions; the distributions; the agencies
# involved in the case; which restricted people named the user may not open; whether the user may open the case
# (the way back); the unread badge; release savepoint.
DETAIL_QUERIES = 14


# -- Changing a plan -----------------------------------------------------------------------------------------


def edit_body(plan: Plan, **changes: Any) -> dict[str, Any]:
    actions = list(PlanAction.objects.filter(plan=plan, status="open").order_by("pk"))
    body: dict[str, Any] = {"what_must_change": plan.what_must_change, "version": plan.version,
                            "change_note": "Reworded.", "rows": len(actions) + 1}
    for n, action in enumerate(actions):
        body |= {f"action_{n}_id": action.pk, f"action_{n}_description": action.description,
                 f"action_{n}_party": action.party, f"action_{n}_agency": action.agency_id or "",
                 f"action_{n}_owner": action.owner_id or "", f"action_{n}_family_member": action.family_member_id or "",
                 **_date(f"action_{n}_due_by", action.due_by)}
    return body | changes


def test_a_change_saved_makes_the_next_version(world, client_for):
    plan = make_plan(world)
    client = client_for(world.sw)
    page = text(client.get(f"/plans/{plan.pk}/edit/"))
    assert "Saving makes version 2" in page
    response = client.post(f"/plans/{plan.pk}/edit/", edit_body(plan, what_must_change="Tobi must be safe.",
                                                                  change_note="Shorter."))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.current_version, plan.what_must_change) == (2, "Tobi must be safe.")


def test_a_stale_change_is_refused_and_nothing_typed_is_lost(world, client_for):
    plan = make_plan(world)
    client = client_for(world.sw)
    typed = edit_body(plan, what_must_change="What the social worker typed.", change_note="My reasons.")
    services.plan_update(plan=plan, by=world.tm, version=plan.version, what_must_change="What the manager saved.",
                         review_by=None, change_note="Manager's change.",
                         actions=[for_agency(world.police, action_id=PlanAction.objects.get(plan=plan).pk)])
    response = client.post(f"/plans/{plan.pk}/edit/", typed)
    assert response.status_code == 200
    page = text(response)
    assert "Someone else changed this plan since you opened it" in page
    assert "What the social worker typed." in page and "My reasons." in page
    assert "The plan as it is now (version 2)" in page and "What the manager saved." in page
    plan.refresh_from_db()
    assert plan.what_must_change == "What the manager saved."
    assert f'name="version" value="{plan.version}"' in response.content.decode()
    # Saving again, deliberately, over the manager's version.
    again = client.post(f"/plans/{plan.pk}/edit/", edit_body(plan, what_must_change="What the social worker typed."))
    assert again.status_code == 302
    plan.refresh_from_db()
    assert (plan.what_must_change, plan.current_version) == ("What the social worker typed.", 3)


def test_an_action_taken_off_on_the_page(world, client_for):
    plan = make_plan(world, actions=[for_agency(world.police, "Keep."), for_agency(world.police, "Take off.")])
    response = client_for(world.sw).post(f"/plans/{plan.pk}/edit/", edit_body(plan, action_1_remove="on"))
    assert response.status_code == 302
    assert list(PlanAction.objects.filter(plan=plan).values_list("description", flat=True)) == ["Keep."]


# -- Distributing and closing --------------------------------------------------------------------------------


def test_distributing_offers_the_parties_and_records_each(world, client_for):
    family = plan_family(world)
    plan = make_plan(world, family, kind="written_agreement",
                     actions=[perpetrator_action(family), victim_action(family), for_agency(world.police)])
    client = client_for(world.sw)
    html = client.get(f"/plans/{plan.pk}/distribute/").content.decode()
    assert "Shire Police" in html and "North Health Visiting" in html and "Northgate" not in html
    assert f'value="{family.partner.pk}" checked' in html and f'value="{family.mother.pk}" checked' in html
    missing_method = client.post(f"/plans/{plan.pk}/distribute/", {"family_members": family.mother.pk})
    assert "Choose how the plan was given to the family" in text(missing_method)
    response = client.post(f"/plans/{plan.pk}/distribute/", {
        "agencies": [world.police.pk, world.health_visiting.pk], "family_members": [family.mother.pk],
        "method": "secure_email"})
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/#distribution"
    assert PlanDistribution.objects.filter(plan=plan, version_number=1).count() == 3
    page = text(client.get(f"/plans/{plan.pk}/"))
    assert "Version 1 distributed to 3 parties." in page
    assert "Not yet given version 1: Dean Marsh" in page


def test_the_owning_agency_closes_its_action_from_the_plan_page(world, client_for):
    plan = make_plan(world)
    action = PlanAction.objects.get(plan=plan)
    client = client_for(world.po)
    assert client.get(f"/plans/{plan.pk}/actions/{action.pk}/close/").status_code == 405
    response = client.post(f"/plans/{plan.pk}/actions/{action.pk}/close/", {"status": "done"})
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/#actions"
    page = text(client.get(f"/plans/{plan.pk}/"))
    assert "Action recorded as done." in page
    again = client.post(f"/plans/{plan.pk}/actions/{action.pk}/close/", {"status": "done"})
    assert "This action was closed as done on" in text(client.get(again["Location"]))


def test_an_action_of_another_plan_is_not_found_through_this_one(world, client_for):
    plan, other = make_plan(world), make_plan(world)
    action = PlanAction.objects.get(plan=other)
    response = client_for(world.sw).post(f"/plans/{plan.pk}/actions/{action.pk}/close/", {"status": "done"})
    assert response.status_code == 404
