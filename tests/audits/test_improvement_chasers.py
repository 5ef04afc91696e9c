"""SPEC 5 for improvement plans: an action still open after its due date is chased from the next working day,
to its owner (or, with no one named, the owning agency's most senior manager), then their line manager a working
day later; once per level, and no more once it is done."""

from __future__ import annotations

from datetime import date

import pytest

from agencies.chasers import chase_rules
from agencies.models import Notification, Role
from audits.services_improvement import improvement_action_done
from tests.audits.test_improvement_helpers import add_action, make_plan
from tests.chase_helpers import chased, london, sweep
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RULE = "improvement_action_overdue"
# The plan starts on Friday 3 January 2025: a 3-month action is due on Thursday 3 April, overdue from 09:00 on
# Friday 4 April, and escalated at 09:00 on Monday 7 April.
STARTS = date(2025, 1, 3)


def test_the_rule_is_registered():
    assert (RULE, "improvement_action", 2) in {(rule.name, rule.subject_type, rule.levels) for rule in chase_rules()}


def test_the_owner_is_reminded_the_next_working_day_then_their_line_manager_once_each(world):
    plan = make_plan(world, starts_on=STARTS)
    action = add_action(world, plan, owner=world.tm)
    assert action.due_on == date(2025, 4, 3)
    sweep(RULE, london(2025, 4, 4, 8, 59))
    assert chased(RULE) == []
    for _ in range(2):
        result = sweep(RULE, london(2025, 4, 4, 9))
    assert (result.reminders, chased(RULE)) == (0, [(1, "tm")])
    note = Notification.objects.get(kind=RULE)
    assert (note.subject_type, note.subject_id) == ("improvement_action", action.pk)
    assert note.link == f"/improvement-plans/{plan.pk}/#action-{action.pk}"
    assert note.message == (
        "Reminder: the action for North Children's Services in the improvement plan \u201cPriority action plan\u201d,"
        " due on 3 April 2025, is still open: Hold every strategy meeting within 24 hours of the threshold being"
        " met. Please complete it and mark it done, or record this quarter's progress with its evidence."
    )
    sweep(RULE, london(2025, 4, 4, 17))
    assert chased(RULE) == [(1, "tm")]
    for _ in range(2):
        sweep(RULE, london(2025, 4, 7, 9))
    assert chased(RULE) == [(1, "tm"), (2, "sm")]
    assert Notification.objects.get(kind=RULE, level=2).message.startswith("Escalation (level 2 of 2): the action")


def test_with_no_owner_the_agencys_most_senior_manager_is_reminded(world):
    police_tm = UserFactory.create(username="police.tm", agency=world.police, role=Role.TEAM_MANAGER,
                                   partnership=world.north)
    police_sm = UserFactory.create(username="police.sm", agency=world.police, role=Role.SENIOR_MANAGER,
                                   partnership=world.north)
    UserFactory.create(username="south.police.sm", agency=world.police, role=Role.SENIOR_MANAGER,
                       partnership=world.south)
    police_tm.membership.line_manager = police_sm
    police_tm.membership.save()
    plan = make_plan(world, starts_on=STARTS)
    add_action(world, plan, agency=world.police)
    sweep(RULE, london(2025, 4, 7, 9))
    # Level 2 is the senior manager's line manager: none is recorded, so the partnership's administrator is told.
    assert chased(RULE) == [(1, police_sm.username), (2, "ad")]
    assert "comes to you as an administrator of the partnership" in Notification.objects.get(kind=RULE, level=2).message


def test_an_action_done_is_not_chased_further(world):
    plan = make_plan(world, starts_on=STARTS)
    action = add_action(world, plan, owner=world.mm)
    sweep(RULE, london(2025, 4, 4, 9))
    improvement_action_done(user=world.mm, action=action)
    sweep(RULE, london(2025, 4, 8, 9))
    assert chased(RULE) == [(1, "mm")]


def test_an_action_not_yet_due_or_of_a_closed_plan_is_not_chased(world):
    plan = make_plan(world, starts_on=STARTS)
    add_action(world, plan, months=6, owner=world.tm)
    closed = make_plan(world, starts_on=STARTS, title="Last year's plan")
    add_action(world, closed, owner=world.tm)
    closed.status = closed.Status.CLOSED
    closed.save(update_fields=["status"])
    sweep(RULE, london(2025, 4, 10, 9))
    assert chased(RULE) == []
