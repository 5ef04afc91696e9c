"""Recording the child's voice (cases.services.voice) and each child's latest record (cases.selectors.voice)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Case, ChildVoice, Person, RestrictedAccess
from cases.rules.voice import TOO_YOUNG_ALONE
from cases.selectors.voice import VOICE_STALE_AFTER, voice_latest_per_child
from cases.services.voice import voice_record
from tests.cases.lived import lived_family, years_ago
from tests.cases.test_incidents_helpers import person

pytestmark = pytest.mark.django_db


def record(child: Person, by: Any, **given: Any) -> ChildVoice:
    fields: dict[str, Any] = {"recorded_at": timezone.now() - timedelta(hours=1), "method": "direct_conversation",
                              "seen_alone": True}
    fields.update(given)
    return voice_record(child=child, by=by, **fields)


def refused(child: Person, by: Any, **given: Any) -> dict[str, list[str]]:
    before = ChildVoice.objects.count()
    with pytest.raises(ValidationError) as refusal:
        record(child, by, **given)
    assert ChildVoice.objects.count() == before
    return refusal.value.message_dict


# -- The must-shows -----------------------------------------------------------------------------------


def test_too_young_alone_is_refused_with_a_message_asking_for_an_observation(world):
    baby = lived_family(world).baby
    problems = refused(baby, world.hv, method="direct_conversation", not_spoken_reason="too_young")
    assert problems == {"observations": [TOO_YOUNG_ALONE]}
    assert "record what you observed of them instead of 'too young'" in problems["observations"][0]


def test_an_observation_of_a_one_year_old_is_accepted(world):
    family = lived_family(world)
    voice = record(family.baby, world.hv, method="observation", not_spoken_reason="too_young",
                   observations="Tobi crawled to his mother and babbled; he froze when Dean came into the room.",
                   analysis="Tobi is wary of Dean; his world is calmer when Dean is out.")
    voice.refresh_from_db()
    assert (voice.method, voice.not_spoken_reason, voice.child_id) == ("observation", "too_young", family.baby.pk)
    # The practitioner's agency and the child's open case are named on the record.
    assert (voice.practitioner_id, voice.agency_id, voice.case_id, voice.partnership_id) == (
        world.hv.pk, world.health_visiting.pk, family.case_of(family.baby).pk, world.north.pk)


def test_a_sibling_group_of_three_shows_each_childs_last_record_separately(world, django_assert_num_queries):
    family = lived_family(world)
    now = timezone.now()
    record(family.eldest, world.sw, recorded_at=now - timedelta(days=40), childs_words="Older words.")
    eldest_latest = record(family.eldest, world.sw, recorded_at=now - timedelta(days=3),
                           childs_words="I don't like it when Dean shouts.")
    middle_latest = record(family.middle, world.po, recorded_at=now - timedelta(days=10),
                           childs_words="I hide in my room.")
    # The baby has not been heard: the others do not stand for him.
    with django_assert_num_queries(1):
        latest = voice_latest_per_child(user=world.sw, children=family.children)
    assert latest == {family.eldest.pk: eldest_latest, family.middle.pk: middle_latest, family.baby.pk: None}
    eldest, middle = latest[family.eldest.pk], latest[family.middle.pk]
    assert eldest is not None and middle is not None
    with django_assert_num_queries(0):
        assert (eldest.practitioner.username, middle.agency.name) == ("sw", "Shire Police")


# -- Further rules -----------------------------------------------------------------------------------------------


def test_neither_words_nor_observations_needs_a_reason(world):
    child = lived_family(world).eldest
    assert set(refused(child, world.sw)) == {"not_spoken_reason"}
    voice = record(child, world.sw, not_spoken_reason="declined", not_spoken_detail="He wanted to play football.")
    assert voice.not_spoken_reason == "declined"


def test_an_observation_needs_what_was_observed(world):
    child = lived_family(world).middle
    assert set(refused(child, world.sw, method="observation", childs_words="Hi")) == {"observations"}


def test_a_structured_tool_needs_its_name_and_keeps_it(world):
    child = lived_family(world).middle
    assert set(refused(child, world.sw, method="structured_tool", childs_words="My worries: the shouting")) == {
        "tool"}
    voice = record(child, world.sw, method="structured_tool", tool="Three houses",
                   childs_words="House of worries: the shouting")
    assert voice.tool == "Three houses"


def test_a_tool_is_not_kept_for_another_method_nor_who_with_for_a_child_seen_alone(world):
    voice = record(lived_family(world).eldest, world.sw, method="play", tool="Three houses", seen_alone=True,
                   seen_with="Mum", childs_words="Vroom")
    assert (voice.tool, voice.seen_with) == ("", "")


def test_a_child_not_seen_alone_says_who_with(world):
    child = lived_family(world).eldest
    assert set(refused(child, world.sw, seen_alone=False, childs_words="Hello")) == {"seen_with"}
    voice = record(child, world.sw, seen_alone=False, seen_with="Ngozi Okafor, mother", childs_words="Hello")
    assert voice.seen_with == "Ngozi Okafor, mother"


def test_not_in_the_future_nor_before_birth(world):
    family = lived_family(world)
    assert refused(family.eldest, world.sw, childs_words="Hi", recorded_at=timezone.now() + timedelta(hours=2)) == {
        "recorded_at": ["The time you saw the child must not be in the future."]}
    born = family.baby.date_of_birth
    assert born is not None
    before_birth = timezone.make_aware(datetime.combine(born - timedelta(days=3), datetime.min.time()))
    assert set(refused(family.baby, world.hv, method="observation", observations="x",
                       recorded_at=before_birth)) == {"recorded_at"}


def test_an_adult_is_refused_and_an_unborn_child_accepted(world):
    family = lived_family(world)
    problems = refused(family.mother, world.sw, childs_words="I'm fine.")
    assert problems == {"child": [problems["child"][0]]} and "was not a child (under 18 or unborn)" in problems[
        "child"][0]
    unborn = person(world.north, "Baby", "Okafor", None, expected_date_of_birth=timezone.localdate() + timedelta(
        days=60))
    voice = record(unborn, world.sw, method="observation", not_spoken_reason="not_present",
                   observations="Ngozi spoke warmly of the baby; the nursery is ready.")
    assert voice.case_id is None


def test_a_child_the_user_may_not_open_is_refused_unnamed(world):
    family = lived_family(world)
    problems = refused(family.eldest, world.te, childs_words="Hi")  # not shared with the school
    assert problems == {"child": ["Choose a child whose record you may open"]}
    Person.objects.filter(pk=family.middle.pk).update(restricted=True)
    family.middle.refresh_from_db()
    assert "Adaeze" not in refused(family.middle, world.mw, childs_words="Hi")["child"][0]
    RestrictedAccess.objects.create(partnership=world.north, person=family.middle, user=world.mw)
    assert record(family.middle, world.mw, childs_words="Hi").child_id == family.middle.pk


@pytest.mark.parametrize("code", ["au", "ad"])
def test_auditors_and_administrators_do_not_record(world, code):
    child = lived_family(world).eldest
    with pytest.raises(PermissionDenied):
        record(child, getattr(world, code), childs_words="Hi")
    assert not ChildVoice.objects.exists()


def test_a_closed_case_is_not_linked(world):
    family = lived_family(world)
    Case.objects.filter(pk=family.case_of(family.eldest).pk).update(status=Case.Status.CLOSED,
                                                                      closed_on=timezone.localdate())
    assert record(family.eldest, world.sw, childs_words="Bye").case_id is None


def test_each_problem_is_on_its_field_at_once(world):
    problems = refused(lived_family(world).eldest, world.sw, method="structured_tool", seen_alone=False,
                       recorded_at=timezone.now() + timedelta(days=1))
    assert set(problems) == {"recorded_at", "tool", "seen_with", "not_spoken_reason"}


def test_the_latest_record_is_only_what_the_user_may_see(world):
    family = lived_family(world)
    record(family.eldest, world.sw, childs_words="Hello")
    seen = voice_latest_per_child(user=world.te, children=family.children)
    assert seen == dict.fromkeys((c.pk for c in family.children), None)
    assert voice_latest_per_child(user=world.sw, children=[]) == {}
    assert VOICE_STALE_AFTER == timedelta(weeks=6)


def test_a_young_person_is_judged_on_the_day_they_were_seen(world):
    # Eighteen ten days ago: a visit 100 days ago was a child's; one today is not.
    young = person(world.north, "Kemi", "Okafor", years_ago(18, days=10))
    voice = record(young, world.sw, recorded_at=timezone.now() - timedelta(days=100),
                   childs_words="I want to live with my nan.")
    assert voice.pk is not None
    assert set(refused(young, world.sw, childs_words="I live with my nan now.")) == {"child"}
