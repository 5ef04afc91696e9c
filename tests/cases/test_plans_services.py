"""SPEC 3.2 "Plan and Plan action": plans made, changed (versioned), closed, ended and distributed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import Notification
from cases.models import InformationShare, PlanAction, PlanDistribution, PlanVersion
from cases.permissions import plan_get_for
from cases.services import plans as services
from tests.cases.test_plans_helpers import (
    for_agency,
    for_family,
    make_plan,
    perpetrator_action,
    plan_family,
    victim_action,
)

pytestmark = pytest.mark.django_db


def test_a_written_agreement_with_actions_only_for_the_victim_is_refused_and_nothing_is_saved(world):
    family = plan_family(world)
    with pytest.raises(ValidationError) as refused:
        make_plan(world, family, kind="written_agreement", actions=[victim_action(family), for_agency(world.police)])
    assert refused.value.message_dict == {"actions": [
        "A written agreement must say what the person posing risk will do. An agreement that only asks the victim"
        " to keep the children safe leaves her to police him."]}
    assert not PlanAction.objects.exists() and not PlanVersion.objects.exists()


def test_a_written_agreement_naming_the_person_posing_risk_is_made_as_version_1(world):
    family = plan_family(world)
    plan = make_plan(world, family, kind="written_agreement",
                     actions=[victim_action(family), perpetrator_action(family)])
    version = PlanVersion.objects.get(plan=plan)
    assert (plan.current_version, version.number) == (1, 1)
    assert [(a["party"], a["family_member_name"]) for a in version.content["actions"]] == [
        ("parent_or_carer", "Ngozi Okafor"), ("person_posing_risk", "Dean Marsh")]


def test_only_someone_recorded_posing_risk_is_the_person_posing_risk(world):
    family = plan_family(world)
    with pytest.raises(ValidationError) as refused:
        make_plan(world, family, kind="written_agreement",
                  actions=[for_family(family.mother, "person_posing_risk", "Keep him out.")])
    assert "actions.0.family_member" in refused.value.message_dict


def test_only_childrens_social_care_casework_staff_make_plans(world):
    family = plan_family(world)
    for user in (world.hv, world.po, world.ad):
        with pytest.raises(PermissionDenied):
            make_plan(world, family, by=user)


def test_an_agency_given_an_action_is_told_and_may_then_see_the_plan_and_its_child(world):
    family = plan_family(world)
    plan = make_plan(world, family, actions=[for_agency(world.school, "Tell the social worker of any absence.")])
    note = Notification.objects.get(recipient=world.te, kind="plan_action")
    assert note.link == f"/plans/{plan.pk}/" and "Northgate Primary School" in note.message
    assert InformationShare.objects.filter(agency=world.school, record_id=family.child.pk).exists()
    assert plan_get_for(world.te, plan.pk).pk == plan.pk


def test_an_action_named_to_a_person_tells_them_alone(world):
    plan = make_plan(world, actions=[for_agency(world.police, owner=world.po)])
    assert list(Notification.objects.filter(kind="plan_action").values_list("recipient__username", flat=True)) == [
        "po"]
    assert PlanAction.objects.get(plan=plan).owner == world.po


def test_a_change_makes_a_new_version_and_keeps_the_old_versions_content(world):
    family = plan_family(world)
    plan = make_plan(world, family)
    first = PlanAction.objects.get(plan=plan)
    services.plan_update(
        plan=plan, by=world.sw, version=plan.version, what_must_change="Tobi must be safe and seen weekly.",
        review_by=plan.review_by, change_note="Police check moved; school added.",
        actions=[for_agency(world.police, "Check police records every fortnight.", action_id=first.pk),
                 for_agency(world.school, "Report any absence the same day.")],
    )
    plan.refresh_from_db()
    assert plan.current_version == 2
    old, new = PlanVersion.objects.filter(plan=plan).order_by("number")
    assert old.content["what_must_change"] == "Tobi must live free of violence at home."
    assert [a["description"] for a in old.content["actions"]] == ["Check police records every month."]
    assert new.content["what_must_change"] == "Tobi must be safe and seen weekly."
    assert [a["agency_name"] for a in new.content["actions"]] == ["Shire Police", "Northgate Primary School"]
    assert new.change_note == "Police check moved; school added."
    assert PlanAction.objects.get(pk=first.pk).description == "Check police records every fortnight."


def test_an_open_action_left_out_is_taken_off_and_a_closed_one_stays(world):
    family = plan_family(world)
    plan = make_plan(world, family, actions=[for_agency(world.police), for_agency(world.school)])
    police, school = PlanAction.objects.filter(plan=plan).order_by("pk")
    services.plan_action_close(action=police, by=world.sw, status="done")
    plan.refresh_from_db()
    services.plan_update(plan=plan, by=world.sw, version=plan.version, what_must_change=plan.what_must_change,
                         review_by=plan.review_by, change_note="School action no longer needed.",
                         actions=[for_family(family.mother, "parent_or_carer", "Take Tobi to nursery.")])
    assert set(PlanAction.objects.filter(plan=plan).values_list("description", "status")) == {
        ("Visit the family at home weekly.", "done"), ("Take Tobi to nursery.", "open")}
    assert not PlanAction.objects.filter(pk=school.pk).exists()


def test_a_stale_change_is_refused_and_nothing_of_it_is_saved(world):
    plan = make_plan(world)
    read = plan.version
    services.plan_update(plan=plan, by=world.tm, version=read, what_must_change="Changed by the team manager.",
                         review_by=None, change_note="Review date dropped.",
                         actions=[for_agency(world.police, action_id=PlanAction.objects.get(plan=plan).pk)])
    with pytest.raises(services.StalePlan):
        services.plan_update(plan=plan, by=world.sw, version=read, what_must_change="Changed by the social worker.",
                             review_by=None, change_note="Mine.", actions=[for_agency(world.school)])
    plan.refresh_from_db()
    assert (plan.what_must_change, plan.current_version) == ("Changed by the team manager.", 2)
    assert PlanVersion.objects.filter(plan=plan).count() == 2


def test_a_change_that_changes_nothing_is_refused(world):
    plan = make_plan(world)
    action = PlanAction.objects.get(plan=plan)
    with pytest.raises(ValidationError) as refused:
        services.plan_update(plan=plan, by=world.sw, version=plan.version, what_must_change=plan.what_must_change,
                             review_by=plan.review_by, change_note="Nothing.",
                             actions=[for_agency(world.police, "Check police records every month.",
                                                 action_id=action.pk)])
    assert "Nothing in the plan has changed" in refused.value.messages[0]


def test_an_action_is_closed_by_its_agency_or_childrens_social_care_only_once(world):
    plan = make_plan(world, actions=[for_agency(world.police), for_agency(world.police)])
    first, second = PlanAction.objects.filter(plan=plan).order_by("pk")
    with pytest.raises(PermissionDenied):
        services.plan_action_close(action=first, by=world.hv, status="done")
    closed = services.plan_action_close(action=first, by=world.po, status="not_done")
    assert closed.status == "not_done" and closed.done_at is not None
    with pytest.raises(ValidationError):
        services.plan_action_close(action=first, by=world.sw, status="done")
    with pytest.raises(ValidationError) as refused:
        services.plan_action_close(action=second, by=world.sw, status="open")
    assert refused.value.message_dict == {"status": ["Choose whether the action was done or not done."]}


def test_an_ended_plan_is_not_changed_or_distributed(world):
    plan = make_plan(world)
    services.plan_end(plan=plan, by=world.sw)
    plan.refresh_from_db()
    assert plan.status == "ended"
    with pytest.raises(ValidationError):
        services.plan_update(plan=plan, by=world.sw, version=plan.version, what_must_change="x", review_by=None,
                             actions=[for_agency(world.police)], change_note="x")
    with pytest.raises(ValidationError):
        services.plan_distribute(plan=plan, by=world.sw, parties=[world.police])


def test_distribution_is_recorded_per_party_for_the_latest_version_and_agencies_are_told(world):
    family = plan_family(world)
    plan = make_plan(world, family, kind="written_agreement",
                     actions=[victim_action(family), perpetrator_action(family), for_agency(world.police)])
    sent = services.plan_distribute(plan=plan, by=world.sw,
                                    parties=[world.police, world.health_visiting, family.mother, family.partner],
                                    method="in_person")
    assert {(d.version_number, d.agency_id, d.family_member_id, d.method) for d in sent} == {
        (1, world.police.pk, None, "in_system"), (1, world.health_visiting.pk, None, "in_system"),
        (1, None, family.mother.pk, "in_person"), (1, None, family.partner.pk, "in_person")}
    told = set(Notification.objects.filter(kind="plan_distributed").values_list("recipient__username", flat=True))
    assert told == {"po", "hv"}
    # Sending again gives no one a second copy.
    with pytest.raises(ValidationError) as refused:
        services.plan_distribute(plan=plan, by=world.sw, parties=[world.police])
    assert refused.value.message_dict == {"parties": ["Everyone chosen already has version 1 of the plan"]}
    assert PlanDistribution.objects.filter(plan=plan).count() == 4


def test_distribution_refuses_an_uninvolved_agency_and_a_family_without_a_method(world):
    family = plan_family(world)
    plan = make_plan(world, family)
    with pytest.raises(ValidationError) as refused:
        services.plan_distribute(plan=plan, by=world.sw, parties=[world.mental_health, family.mother])
    assert set(refused.value.message_dict) == {"agencies", "method"}
    assert not PlanDistribution.objects.exists()
    with pytest.raises(PermissionDenied):
        services.plan_distribute(plan=plan, by=world.hv, parties=[world.police])


def test_a_version_changed_since_the_page_was_opened_is_not_recorded_as_distributed(world):
    family = plan_family(world)
    plan = make_plan(world, family)
    first = PlanAction.objects.get(plan=plan)
    services.plan_update(plan=plan, by=world.tm, version=plan.version, what_must_change="Tobi is seen weekly.",
                         review_by=plan.review_by, change_note="Weekly visits.",
                         actions=[for_agency(world.police, "Check police records every week.", action_id=first.pk)])
    with pytest.raises(ValidationError) as refused:
        services.plan_distribute(plan=plan, by=world.sw, parties=[world.police], version=1)
    assert "it is now version 2" in refused.value.messages[0]
    assert not PlanDistribution.objects.filter(plan=plan).exists()
    (sent,) = services.plan_distribute(plan=plan, by=world.sw, parties=[world.police], version=2)
    assert sent.version_number == 2
