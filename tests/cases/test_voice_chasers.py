"""SPEC 5: a child on an open case not heard for six weeks (child_voice_overdue): the allocated worker, then a
working day later their line manager; stops once the child's voice is recorded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.chasers import chase_rules, chase_run
from agencies.models import Notification
from agencies.selectors import calendars_for
from cases.models import Case, ChildVoice, Person
from cases.rules.voice import case_opened_at, voice_due_by
from cases.services.voice import voice_record
from tests.cases.lived import LivedFamily, lived_family

pytestmark = pytest.mark.django_db

RULE = "child_voice_overdue"
OPENED_DAYS_AGO = 100


def sweep(now: datetime):
    (result,) = chase_run(now=now, rules=[RULE])
    return result


def chased(subject_id: int | None = None) -> list[tuple[int, str]]:
    notes = Notification.objects.filter(kind=RULE)
    if subject_id is not None:
        notes = notes.filter(subject_id=subject_id)
    return [(n.level, n.recipient.username) for n in notes.select_related("recipient").order_by("level", "pk")]


def heard(child: Person, by: Any, at: datetime) -> ChildVoice:
    return voice_record(child=child, by=by, recorded_at=at, method="direct_conversation", seen_alone=True,
                        childs_words="I'm all right.")


def opened_family(world, family_name: str = "Okafor") -> LivedFamily:
    """The Okafor children's cases, all opened 100 days ago; no one heard yet."""
    family = lived_family(world, family_name)
    Case.objects.filter(pk__in=[case.pk for case in family.cases.values()]).update(
        opened_on=timezone.localdate() - timedelta(days=OPENED_DAYS_AGO))
    for case in family.cases.values():
        case.refresh_from_db()
    return family


def levels(world, case: Case, heard_at: datetime | None = None) -> tuple[datetime, datetime]:
    """When level 1 and level 2 fall due: six weeks on (at the next working moment), then a working day."""
    calendar = calendars_for()[world.north.pk]
    due = voice_due_by(heard_at=heard_at, opened_at=case_opened_at(case.opened_on, calendar.tz))
    first = calendar.add_working_days(due, 0)
    return first, calendar.add_working_days(first, 1)


def the_rule():
    return next(rule for rule in chase_rules() if rule.name == RULE)


def test_the_rule_is_registered():
    rule = the_rule()
    assert (rule.subject_type, rule.levels) == ("case", 2)


def test_reminds_the_worker_once_then_the_manager_a_working_day_later(world):
    family = opened_family(world)
    case = family.case_of(family.eldest)
    first, second = levels(world, case)
    # The younger two were heard a month after the case opened: not yet due.
    opened = case_opened_at(case.opened_on, calendars_for()[world.north.pk].tz)
    for child in (family.middle, family.baby):
        heard(child, world.hv, opened + timedelta(days=30))

    assert sweep(first - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        sweep(first)
    assert chased() == [(1, "sw")]
    note = Notification.objects.get(kind=RULE)
    assert (note.subject_type, note.subject_id, note.link, note.due_at) == (
        "case", case.pk, f"/people/{family.eldest.pk}/voice/", first)
    assert note.message == (
        f"Reminder: Chidi Okafor (case {case.pk}) has not been heard for six weeks: their voice has not been recorded"
        f" since the case opened on {case.opened_on.day} {case.opened_on:%B %Y}. Please see Chidi Okafor and record"
        " their voice: their own words, or for a child too young to talk, what you observed of them."
    )

    assert sweep(second - timedelta(minutes=1)).escalations == 0
    for _ in range(2):
        sweep(second)
    assert chased() == [(1, "sw"), (2, "tm")]
    assert Notification.objects.get(kind=RULE, level=2).message.startswith(
        f"Escalation (level 2 of 2): Chidi Okafor (case {case.pk}) has not been heard for six weeks")


def test_stops_once_the_childs_voice_is_recorded(world):
    family = opened_family(world)
    case = family.case_of(family.baby)
    first, second = levels(world, case)
    sweep(first)
    assert chased(case.pk) == [(1, "sw")]
    voice_record(child=family.baby, by=world.hv, recorded_at=first + timedelta(hours=1), method="observation",
                 not_spoken_reason="too_young", observations="Smiled and reached for his sister.")
    # His brother and sister, still unheard, climb to the manager; he does not.
    assert sweep(second).escalations == 2
    assert chased(case.pk) == [(1, "sw")]


def test_six_weeks_from_the_last_record_names_when_it_was(world):
    family = opened_family(world)
    case = family.case_of(family.middle)
    last = case_opened_at(case.opened_on, calendars_for()[world.north.pk].tz) + timedelta(days=3, hours=10)
    heard(family.middle, world.po, last)
    first, _ = levels(world, case, heard_at=last)
    assert sweep(first - timedelta(minutes=1)).reminders == 2  # the other two, unheard since opening
    assert chased(case.pk) == []
    sweep(first)
    note = Notification.objects.get(kind=RULE, subject_id=case.pk)
    assert "Adaeze Okafor" in note.message and "their voice was last recorded on" in note.message


def test_a_closed_case_or_one_opened_under_six_weeks_ago_is_not_chased(world):
    family = opened_family(world)
    Case.objects.filter(pk=family.case_of(family.eldest).pk).update(status=Case.Status.CLOSED,
                                                                      closed_on=timezone.localdate())
    Case.objects.filter(pk=family.case_of(family.middle).pk).update(
        opened_on=timezone.localdate() - timedelta(days=20))
    first, _ = levels(world, family.case_of(family.baby))
    sweep(first + timedelta(days=60))
    assert {n.subject_id for n in Notification.objects.filter(kind=RULE)} == {family.case_of(family.baby).pk}


def test_a_restricted_child_is_not_named(world):
    family = opened_family(world)
    Person.objects.filter(pk=family.eldest.pk).update(restricted=True)
    first, _ = levels(world, family.case_of(family.eldest))
    sweep(first)
    note = Notification.objects.get(kind=RULE, subject_id=family.case_of(family.eldest).pk)
    assert "Chidi" not in note.message and "a child whose record is restricted" in note.message


def test_the_rule_finds_its_overdue_work_in_one_query(world, django_assert_num_queries):
    family = opened_family(world)
    first, _ = levels(world, family.case_of(family.eldest))
    calendars = calendars_for()
    with django_assert_num_queries(1):
        items = list(the_rule().overdue(first, calendars))
    assert len(items) == 3 and all(item.overdue_at == first for item in items)


def test_a_sweep_takes_as_many_queries_for_many_children_as_for_one(world):
    def counted(now: datetime) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            result = sweep(now)
        return result.reminders, len(queries)

    one = opened_family(world)
    Case.objects.filter(pk__in=[one.case_of(one.middle).pk, one.case_of(one.baby).pk]).update(
        status=Case.Status.CLOSED, closed_on=timezone.localdate())
    first, _ = levels(world, one.case_of(one.eldest))
    single = counted(first)
    for name in ("Adeyemi", "Bello", "Chukwu"):
        opened_family(world, name)
    many = counted(first)
    assert (single[0], many[0]) == (1, 9)
    assert many[1] == single[1]
