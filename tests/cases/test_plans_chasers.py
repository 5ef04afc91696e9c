"""SPEC 5 "plan or meeting action overdue" for plans: from the working day after its due date, the action's owner
(the agency's inbox when no one is named; the lead professional for a member of the family), then their manager."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.chasers import RESTRICTED_CHILD, chase_rules, chase_run
from agencies.models import Notification, Role
from agencies.rules import DEFAULT_TZ
from agencies.selectors import calendars_for
from cases.models import Person, Plan, PlanAction
from cases.rules.plans import ActionDraft
from cases.services.plans import plan_action_close, plan_create, plan_end
from tests.cases.test_plans_helpers import PlanFamily, plan_family
from tests.conftest import World
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RULE = "plan_action_overdue"
# Due on Tuesday 4 March 2025: overdue from 09:00 on Wednesday, escalated at 09:00 on Thursday.
DUE = date(2025, 3, 4)


def london(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=DEFAULT_TZ)


def chased() -> list[tuple[int, str]]:
    notes = Notification.objects.filter(kind=RULE).select_related("recipient").order_by("level", "pk")
    return [(n.level, n.recipient.username) for n in notes]


def sweep(now: datetime) -> None:
    chase_run(now=now, rules=[RULE])


def plan_with(w: World, family: PlanFamily, *actions: ActionDraft, kind: str = "child_in_need") -> Plan:
    return plan_create(case=family.case, by=w.sw, kind=kind, what_must_change="Tobi must live free of violence.",
                       starts_on=date(2025, 3, 3), review_by=None, actions=list(actions))


def test_the_rule_is_registered():
    assert (RULE, "plan_action", 2) in {(rule.name, rule.subject_type, rule.levels) for rule in chase_rules()}


def test_a_named_owner_is_reminded_the_next_working_day_then_their_agencys_manager(world):
    family = plan_family(world)
    manager = UserFactory.create(username="police.tm", agency=world.police, role=Role.TEAM_MANAGER,
                                 partnership=world.north)
    plan = plan_with(world, family, ActionDraft("Check police records for the household.", "agency", DUE,
                                                agency_id=world.police.pk, owner_id=world.po.pk))
    sweep(london(5, 8, 59))
    assert chased() == []
    for _ in range(2):
        sweep(london(5))
    assert chased() == [(1, "po")]
    note = Notification.objects.get(kind=RULE)
    action = PlanAction.objects.get(plan=plan)
    assert (note.subject_type, note.subject_id, note.link) == ("plan_action", action.pk, f"/plans/{plan.pk}/")
    assert note.message == (
        "Reminder: the action for Shire Police in the child in need plan for Tobi Okafor, due on 4 March 2025, is"
        " still open: Check police records for the household. Please complete it, or tell the lead professional"
        " why it cannot be done."
    )
    sweep(london(6))
    assert chased() == [(1, "po"), (2, manager.username)]


def test_an_action_with_no_one_named_goes_to_the_agencys_inbox(world):
    family = plan_family(world)
    plan_with(world, family, ActionDraft("Check police records.", "agency", DUE, agency_id=world.police.pk))
    sweep(london(5))
    assert chased() == [(1, "po")]


def test_a_family_members_action_is_chased_to_the_lead_professional_then_their_manager(world):
    family = plan_family(world)
    plan_with(world, family, ActionDraft("Dean will attend the perpetrator programme.", "person_posing_risk", DUE,
                                         family_member_id=family.partner.pk), kind="written_agreement")
    sweep(london(5))
    sweep(london(6))
    assert chased() == [(1, "sw"), (2, "tm")]
    assert Notification.objects.get(kind=RULE, level=1).message == (
        "Reminder: the action for Dean Marsh (the person posing risk) in the written agreement for Tobi Okafor, due"
        " on 4 March 2025, is still open: Dean will attend the perpetrator programme. Please check with the family"
        " whether it was done, and record it on the plan as done or not done."
    )


def test_a_closed_action_or_an_ended_plan_is_not_chased(world):
    family = plan_family(world)
    done = plan_with(world, family, ActionDraft("Done in time.", "agency", DUE, agency_id=world.police.pk))
    plan_action_close(action=PlanAction.objects.get(plan=done), by=world.po, status="done")
    ended = plan_with(world, family, ActionDraft("No longer needed.", "agency", DUE, agency_id=world.police.pk))
    plan_end(plan=ended, by=world.sw)
    sweep(london(7))
    assert chased() == []


def test_a_restricted_child_is_not_named(world):
    family = plan_family(world)
    Person.objects.filter(pk=family.child.pk).update(restricted=True)
    plan_with(world, family, ActionDraft("Check police records.", "agency", DUE, agency_id=world.police.pk))
    sweep(london(5))
    message = Notification.objects.get(kind=RULE).message
    assert RESTRICTED_CHILD in message and "Tobi" not in message


def test_the_rule_finds_what_is_overdue_in_one_query(world):
    family = plan_family(world)
    for n in range(3):
        plan_with(world, family, ActionDraft(f"Action {n}.", "agency", DUE, agency_id=world.police.pk),
                  ActionDraft(f"Dean {n}.", "person_posing_risk", DUE, family_member_id=family.partner.pk))
    rule = next(rule for rule in chase_rules() if rule.name == RULE)
    calendars = calendars_for()
    with CaptureQueriesContext(connection) as queries:
        found = list(rule.overdue(london(5), calendars))
    assert len(found) == 6 and len(queries) == 1
