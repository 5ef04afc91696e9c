"""SPEC 5: the escalating-child-unreviewed and Operation Encompass chasers, on the chase engine; and the
follow-up services that stop them (a MASH review, a notice sent, a MARAC referral made)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.chasers import chase_rules
from agencies.models import Chase, Notification, Role
from agencies.selectors import calendars_for
from audits.models import AccessLogEntry
from cases.models import EncompassNotice, MaracReferral, PersonFlag
from cases.services.incidents import (
    ChildAtIncident,
    encompass_notice_send,
    escalating_review_record,
    marac_referral_record,
)
from tests.cases.test_incidents_helpers import ashdowns, london, record
from tests.chase_helpers import chased, sweep
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db






def the_rule(name: str):
    return next(rule for rule in chase_rules() if rule.name == name)


# -- escalating child unreviewed ------------------------------------------------------------------------------

RAISED = london(2026, 3, 4, 22)  # Wednesday night: the clock starts Thursday 09:00
ESC_LEVEL_1 = london(2026, 3, 6, 9)  # one working day later, Friday 09:00
ESC_LEVEL_2 = london(2026, 3, 9, 9)  # the next working day, Monday 09:00


def escalating_flag(world) -> PersonFlag:
    family = ashdowns(world)
    only_ellie = (ChildAtIncident(family.ellie, present=True),)
    for month in (1, 2, 3):
        record(world, family, london(2026, month, 1, 22), children=only_ellie)
    flag = PersonFlag.objects.get(kind="escalating")
    PersonFlag.objects.filter(pk=flag.pk).update(raised_at=RAISED)
    flag.refresh_from_db()
    return flag


def test_escalating_rule_is_registered():
    rule = the_rule("escalating_child_unreviewed")
    assert (rule.subject_type, rule.levels) == ("person_flag", 2)


def test_an_unreviewed_escalating_child_goes_to_the_mash_manager_then_the_senior_manager(world):
    flag = escalating_flag(world)
    assert sweep("escalating_child_unreviewed", ESC_LEVEL_1 - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        sweep("escalating_child_unreviewed", ESC_LEVEL_1)
    assert chased("escalating_child_unreviewed") == [(1, "mm")]
    note = Notification.objects.get(kind="escalating_child_unreviewed")
    assert note.subject_type == "person_flag" and note.subject_id == flag.pk
    assert note.link == f"/people/{flag.person_id}/"
    assert "Ellie Ashdown was flagged escalating (3 domestic-abuse incidents in 12 months)" in note.message
    assert sweep("escalating_child_unreviewed", ESC_LEVEL_2 - timedelta(minutes=1)).escalations == 0
    for _ in range(2):
        sweep("escalating_child_unreviewed", ESC_LEVEL_2)
    assert chased("escalating_child_unreviewed") == [(1, "mm"), (2, "sm")]
    assert Chase.objects.filter(rule="escalating_child_unreviewed").count() == 2


def test_a_review_stops_the_chase_and_is_logged(world):
    flag = escalating_flag(world)
    sweep("escalating_child_unreviewed", ESC_LEVEL_1)
    with pytest.raises(PermissionDenied):
        escalating_review_record(flag=flag, by=world.sw, note="Seen")
    with pytest.raises(PermissionDenied):
        escalating_review_record(flag=flag, by=world.po, note="Seen")
    with pytest.raises(ValidationError):
        escalating_review_record(flag=flag, by=world.mm, note="  ")
    reviewed = escalating_review_record(flag=flag, by=world.mm, note="Strategy discussion convened with police.")
    assert reviewed.reviewed_by == world.mm and reviewed.reviewed_at is not None and reviewed.version == 2
    entry = AccessLogEntry.objects.get(user=world.mm, record_type="person", record_id=flag.person_id,
                                       fields__has_key="escalating_review")
    assert entry.fields["escalating_review"] == [None, "Strategy discussion convened with police."]
    assert sweep("escalating_child_unreviewed", ESC_LEVEL_2).escalations == 0
    assert chased("escalating_child_unreviewed") == [(1, "mm")]


def test_escalating_rule_is_one_query(world, django_assert_num_queries):
    escalating_flag(world)
    rule, calendars = the_rule("escalating_child_unreviewed"), calendars_for()
    with django_assert_num_queries(1):
        items = list(rule.overdue(ESC_LEVEL_2, calendars))
    assert [item.overdue_at for item in items] == [ESC_LEVEL_1]


# -- Operation Encompass ----------------------------------------------------------------------------------

INCIDENT = london(2026, 3, 4, 22, 15)  # Wednesday night
DUE = london(2026, 3, 5, 8, 30)  # 08:30 on Thursday, the next school day
ENC_LEVEL_2 = DUE + timedelta(hours=4)


def unsent_notice(world, by) -> EncompassNotice:
    family = ashdowns(world)
    family.ellie.school = None
    family.ellie.save()
    record(world, family, INCIDENT, by=by, children=(ChildAtIncident(family.ellie, present=True),))
    return EncompassNotice.objects.get()


def test_encompass_rule_is_registered():
    rule = the_rule("operation_encompass")
    assert (rule.subject_type, rule.levels) == ("encompass_notice", 2)


def test_an_unsent_notice_goes_to_the_officer_then_their_line_manager_four_hours_on(world):
    sergeant = UserFactory.create(username="sergeant", agency=world.police, role=Role.TEAM_MANAGER,
                                  partnership=world.north)
    officer = UserFactory.create(username="pc", agency=world.police, partnership=world.north, line_manager=sergeant)
    notice = unsent_notice(world, officer)
    assert notice.due_by == DUE
    assert sweep("operation_encompass", DUE - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        sweep("operation_encompass", DUE)
    assert chased("operation_encompass") == [(1, "pc")]
    message = Notification.objects.get(kind="operation_encompass").message
    assert "Operation Encompass notice for Ellie Ashdown" in message and "record the child's school" in message
    assert sweep("operation_encompass", ENC_LEVEL_2 - timedelta(minutes=1)).escalations == 0
    for _ in range(2):
        sweep("operation_encompass", ENC_LEVEL_2)
    assert chased("operation_encompass") == [(1, "pc"), (2, "sergeant")]


def test_without_a_line_manager_the_police_agencys_manager_is_told(world):
    inspector = UserFactory.create(username="inspector", agency=world.police, role=Role.SENIOR_MANAGER,
                            partnership=world.north)
    unsent_notice(world, world.po)
    sweep("operation_encompass", ENC_LEVEL_2)
    assert chased("operation_encompass") == [(1, "po"), (2, inspector.username)]


def test_sending_the_notice_stops_the_chase(world):
    notice = unsent_notice(world, world.po)
    sweep("operation_encompass", DUE)
    encompass_notice_send(notice=notice, school=world.school, by=world.po)
    assert sweep("operation_encompass", ENC_LEVEL_2).escalations == 0
    assert chased("operation_encompass") == [(1, "po")]


def test_a_notice_sent_at_once_is_never_chased(world):
    family = ashdowns(world)
    record(world, family, INCIDENT)
    assert EncompassNotice.objects.get().sent_at is not None
    assert sweep("operation_encompass", ENC_LEVEL_2).reminders == 0


def test_encompass_rule_is_one_query(world, django_assert_num_queries):
    unsent_notice(world, world.po)
    rule, calendars = the_rule("operation_encompass"), calendars_for()
    with django_assert_num_queries(1):
        items = list(rule.overdue(ENC_LEVEL_2, calendars))
    assert [(item.overdue_at, item.user_id) for item in items] == [(DUE, world.po.pk)]


# -- MARAC ---------------------------------------------------------------------------------------------------


def test_recording_the_marac_referral(world):
    family = ashdowns(world)
    incident = record(world, family, INCIDENT, yes=16)
    referral = MaracReferral.objects.get()
    with pytest.raises(PermissionDenied):
        marac_referral_record(referral=referral, by=world.te, referred_at=INCIDENT + timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        marac_referral_record(referral=referral, by=world.po, referred_at=INCIDENT - timedelta(days=1))
    assert refused.value.message_dict == {"referred_at": ["The referral cannot be before the incident."]}
    made = marac_referral_record(referral=referral, by=world.po, referred_at=INCIDENT + timedelta(days=1))
    assert made.referred_at == INCIDENT + timedelta(days=1) and made.version == 2
    with pytest.raises(ValidationError):
        marac_referral_record(referral=referral, by=world.sw, referred_at=INCIDENT + timedelta(days=2))
    assert incident.marac_referrals.count() == 1
