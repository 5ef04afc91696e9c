"""The child's voice and patterns of harm: voice in the last 6 weeks, under-fives by method, repeat referrals,
children flagged escalating, repeat MARAC cases, Operation Encompass notices before the next school day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from agencies.rules import WorkingCalendar
from audits.measures import measure_get
from cases.models import Case, ChildVoice, EncompassNotice, Incident, MaracReferral, Person, PersonFlag
from referrals import services
from referrals.models import Referral
from tests.audits.test_measures_helpers import assert_count, assert_rate, at, drill_ids, scope_of
from tests.conftest import World

pytestmark = pytest.mark.django_db


def person(w: World, given: str, born: date | None = date(2017, 3, 3), partnership=None) -> Person:
    return Person.objects.create(partnership=partnership or w.north, given_name=given, family_name="Brennan",
                                 date_of_birth=born, search_name=f"{given} brennan".lower())


def voice(w: World, child: Person, recorded_at: datetime, method: str = "direct_conversation",
          by=None) -> ChildVoice:
    by = by or w.sw
    return ChildVoice.objects.create(partnership=child.partnership, created_by=by, child=child,
                                     recorded_at=recorded_at, practitioner=by, agency=by.membership.agency,
                                     method=method, observations="Settled, smiled at her mother.")


def open_case(w: World, child: Person, opened_on: date, closed_on: date | None = None) -> Case:
    return Case.objects.create(partnership=child.partnership, child=child, opened_on=opened_on,
                               status="closed" if closed_on else "child_in_need", closed_on=closed_on)


def test_children_on_open_cases_heard_in_the_last_six_weeks(world):
    w = world
    now = timezone.now()
    heard, unheard, closed, no_case = (person(w, n) for n in ("Ann", "Bea", "Cat", "Dot"))
    for child in (heard, unheard):
        open_case(w, child, date(2025, 1, 1))
    open_case(w, closed, date(2025, 1, 1), closed_on=timezone.localdate() - timedelta(days=1))
    voice(w, heard, now - timedelta(weeks=2))
    voice(w, unheard, now - timedelta(weeks=8))
    voice(w, closed, now - timedelta(days=1))
    voice(w, no_case, now - timedelta(days=1))
    elsewhere = person(w, "Eve", partnership=w.south)
    open_case(w, elsewhere, date(2025, 1, 1))
    # "Now": whatever the period.
    old_period = scope_of(w.north.pk, start=date(2020, 1, 1), end=date(2020, 1, 31))
    assert_rate("voice_recent", old_period, met=[heard.pk], missed=[unheard.pk])
    rows = {r["id"]: r for r in measure_get("voice_recent").records(old_period, "all").rows}
    assert rows[unheard.pk]["last_voice_at"] is not None
    today = timezone.localdate()
    points = measure_get("voice_recent").trend(scope_of(w.north.pk, start=today, end=today))
    assert (points[-1].numerator, points[-1].denominator) == (1, 2)
    # A year ago all three cases were open and nobody had been heard yet.
    assert (points[0].numerator, points[0].denominator) == (0, 3)


def test_voice_records_of_under_fives_by_method(world):
    w = world
    baby, four, seven = person(w, "Fay", date(2026, 1, 10)), person(w, "Gus", date(2021, 9, 2)), person(w, "Hal")
    observed = voice(w, baby, at(2026, 9, 1), "observation", by=w.hv)
    played = voice(w, four, at(2026, 9, 1), "play")
    voice(w, four, at(2026, 9, 2), "play")  # his fifth birthday: no longer under five
    voice(w, seven, at(2026, 9, 1))
    voice(w, person(w, "Ivo", date(2025, 1, 1), w.south), at(2026, 9, 1), "observation", by=w.out)
    figure = assert_count("voice_under_fives_by_method", scope_of(w.north.pk), records=[observed.pk, played.pk],
                          trend={date(2026, 9, 1): 2})
    assert {(row.label, row.numerator) for row in figure.breakdown} == {
        (ChildVoice.Method.OBSERVATION.label, 1), (ChildVoice.Method.PLAY.label, 1)}
    assert drill_ids("voice_under_fives_by_method", scope_of(w.north.pk), "all", group="observation") == [
        observed.pk]
    assert drill_ids("voice_under_fives_by_method", scope_of(w.north.pk), "all", group="no_such_method") == []
    assert_count("voice_under_fives_by_method", scope_of(w.north.pk, agency_id=w.health_visiting.pk),
                 records=[observed.pk])


def refer(w: World, child: Person, received_at: datetime) -> Referral:
    return services.referral_create(by=w.mw, received_at=received_at, referrer_agency=w.police, children=[child],
                                    concerns="A domestic-abuse incident.", consent="given")


def test_repeat_referrals_within_twelve_months(world):
    w = world
    ann, bob = person(w, "Ann"), person(w, "Bob")
    refer(w, ann, at(2025, 10, 20))
    refer(w, bob, at(2025, 8, 1))  # 13 months before his next
    again = refer(w, ann, at(2026, 9, 15))
    first_in_a_while = refer(w, bob, at(2026, 9, 16))
    assert_rate("repeat_referrals", scope_of(w.north.pk, start=date(2026, 1, 1)), met=[again.pk],
                missed=[first_in_a_while.pk])
    # Referrals before the period are looked back to, but not counted themselves.
    assert_rate("repeat_referrals", scope_of(w.north.pk), met=[again.pk], missed=[first_in_a_while.pk],
                trend={date(2026, 9, 1): (1, 2)})


def test_children_flagged_escalating(world):
    w = world
    mia, leo, old = person(w, "Mia"), person(w, "Leo"), person(w, "Old")
    for child, raised in ((mia, at(2026, 9, 1)), (leo, at(2026, 10, 1)), (old, at(2025, 1, 1))):
        PersonFlag.objects.create(partnership=w.north, person=child, kind="escalating", raised_at=raised,
                                  incident_count=3)
    PersonFlag.objects.create(partnership=w.north, person=mia, kind="repeat_marac", raised_at=at(2026, 9, 1))
    other = person(w, "Oth", partnership=w.south)
    PersonFlag.objects.create(partnership=w.south, person=other, kind="escalating", raised_at=at(2026, 9, 1))
    assert_count("children_escalating", scope_of(w.north.pk), records=[mia.pk, leo.pk],
                 trend={date(2026, 9, 1): 1, date(2026, 10, 1): 1})
    assert_count("children_escalating", scope_of(w.south.pk), records=[other.pk])


def incident(w: World, occurred_at: datetime, partnership=None, reported_by=None) -> Incident:
    return Incident.objects.create(partnership=partnership or w.north, occurred_at=occurred_at,
                                   reported_by=reported_by or w.police)


def test_repeat_marac_cases(world):
    w = world
    victim = person(w, "Kerry", date(1990, 1, 1))
    repeat = incident(w, at(2026, 9, 1))
    first = incident(w, at(2026, 8, 1))
    before = incident(w, at(2025, 6, 1))
    MaracReferral.objects.create(partnership=w.north, victim=victim, incident=repeat, repeat=True,
                                 referred_at=at(2026, 9, 2))
    MaracReferral.objects.create(partnership=w.north, victim=victim, incident=first, repeat=False)
    MaracReferral.objects.create(partnership=w.north, victim=victim, incident=before, repeat=True)
    assert_count("repeat_marac", scope_of(w.north.pk), records=[repeat.pk], trend={date(2026, 9, 1): 1})
    assert_count("repeat_marac", scope_of(w.north.pk, agency_id=w.school.pk), records=[])


def test_operation_encompass_notices_before_the_next_school_day(world):
    w = world
    calendar = WorkingCalendar()
    pupil = person(w, "Pip")
    friday = at(2026, 8, 28, 20)
    due = calendar.next_school_day_start(friday)
    assert due == at(2026, 9, 1, 8, 30)  # Monday 31 August is a bank holiday

    def notice(occurred_at: datetime, sent_at: datetime | None, partnership=None) -> EncompassNotice:
        partnership = partnership or w.north
        child = pupil if partnership == w.north else person(w, "Sol", partnership=partnership)
        return EncompassNotice.objects.create(
            partnership=partnership, incident=incident(w, occurred_at, partnership), child=child, school=w.school,
            occurred_at=occurred_at, present=True, spoken_to=False, due_by=calendar.next_school_day_start(occurred_at),
            sent_at=sent_at)

    in_time = notice(friday, at(2026, 9, 1, 8))
    late = notice(at(2026, 9, 8, 20), at(2026, 9, 9, 10))
    unsent = notice(at(2026, 10, 5, 20), None)
    notice(timezone.now() - timedelta(minutes=10), None)  # not yet due: not counted
    notice(friday, None, w.south)
    assert_rate("encompass_in_time", scope_of(w.north.pk, end=timezone.localdate()),
                met=[in_time.pk], missed=[late.pk, unsent.pk])
    assert_rate("encompass_in_time", scope_of(w.north.pk), met=[in_time.pk], missed=[late.pk, unsent.pk],
                trend={date(2026, 8, 1): (1, 1), date(2026, 9, 1): (0, 1), date(2026, 10, 1): (0, 1)})
    assert drill_ids("encompass_in_time", scope_of(w.north.pk, agency_id=w.school.pk), "all") == sorted(
        [in_time.pk, late.pk, unsent.pk])
