"""SPEC 5 for training: a course a member of staff must hold, expiring within 30 days with no newer record, is
chased to them, then their line manager a week (five working days) later; it stops when renewed, and once the
record expires the training_expired rule takes over, never both for the same record at once."""

from __future__ import annotations

from datetime import date

import pytest

from agencies.chasers import WorkingDays, chase_rules
from agencies.models import Notification, TrainingRecord
from agencies.services import training_record_create
from tests.chase_helpers import chased, london, sweep

pytestmark = pytest.mark.django_db

RULE = "training_expiring"
# Expires on Thursday 10 July 2025: chased from 09:00 on Tuesday 10 June, the line manager at 09:00 on
# Tuesday 17 June.
EXPIRES = date(2025, 7, 10)
L3 = TrainingRecord.Course.SAFEGUARDING_L3


def hold(user, course: str = L3, expires_on: date = EXPIRES) -> TrainingRecord:
    return training_record_create(user=user, course=course, completed_on=expires_on.replace(year=expires_on.year - 3),
                                  expires_on=expires_on)


def test_the_rule_is_registered_with_a_slower_ladder():
    rule = next(rule for rule in chase_rules() if rule.name == RULE)
    assert (rule.subject_type, rule.levels, rule.interval) == ("training_record", 2, WorkingDays(5))


def test_the_member_of_staff_then_their_line_manager_a_week_later_once_each(world):
    record = hold(world.sw)
    sweep(RULE, london(2025, 6, 10, 8, 59))
    assert chased(RULE) == []
    for _ in range(2):
        sweep(RULE, london(2025, 6, 10, 9))
    assert chased(RULE) == [(1, "sw")]
    note = Notification.objects.get(kind=RULE)
    assert (note.subject_type, note.subject_id, note.link) == ("training_record", record.pk,
                                                               f"/training/staff/{world.sw.pk}/")
    assert note.message == ("Your Safeguarding children level 3 training expires on 10 July 2025. Please book a"
                            " refresher course before then.")
    sweep(RULE, london(2025, 6, 16, 17))
    assert chased(RULE) == [(1, "sw")]
    for _ in range(2):
        sweep(RULE, london(2025, 6, 17, 9))
    assert chased(RULE) == [(1, "sw"), (2, "tm")]
    assert world.sw.display_name in Notification.objects.get(kind=RULE, level=2).message


def test_a_renewed_course_is_not_chased_further(world):
    hold(world.sw)
    sweep(RULE, london(2025, 6, 10, 9))
    training_record_create(user=world.sw, course=L3, completed_on=date(2025, 6, 12), expires_on=date(2028, 6, 12))
    sweep(RULE, london(2025, 6, 18, 9))
    assert chased(RULE) == [(1, "sw")]


def test_a_course_the_role_does_not_need_is_not_chased(world):
    # A social worker holds level 3; DASH is not required of them, nor level 2 once level 3 is required.
    hold(world.sw, course=TrainingRecord.Course.DASH)
    hold(world.sw, course=TrainingRecord.Course.SAFEGUARDING_L2)
    sweep(RULE, london(2025, 6, 20, 9))
    assert chased(RULE) == []


def test_once_expired_only_the_expired_rule_chases_it(world):
    record = hold(world.sw)
    sweep(RULE, london(2025, 7, 11, 9))
    assert chased(RULE) == []
    sweep("training_expired", london(2025, 7, 11, 9))
    assert Notification.objects.filter(subject_id=record.pk).values_list("kind", flat=True).get() == (
        "training_expired")


def test_a_higher_level_counts_for_a_lower_one_whether_expiring_or_renewing(world):
    """The police officer must hold level 2: their expiring level 3 is what meets it, so it is chased; the health
    visitor's expiring level 2 is not, as they already hold a level 3 lasting longer."""
    officer_l3 = hold(world.po, TrainingRecord.Course.SAFEGUARDING_L3)
    hold(world.po, TrainingRecord.Course.DASH, date(2027, 1, 1))
    hold(world.hv, TrainingRecord.Course.SAFEGUARDING_L2)
    hold(world.hv, TrainingRecord.Course.SAFEGUARDING_L3, date(2027, 1, 1))
    sweep(RULE, london(2025, 6, 10, 9))
    assert chased(RULE) == [(1, "po")]
    assert Notification.objects.get(kind=RULE).subject_id == officer_l3.pk
