"""Front door measures: decisions within 1 working day, median hours, the queue now, feedback, agency checks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from audits.measures import measure_get
from cases.models import Person
from referrals import services
from referrals.models import AgencyCheck, Referral
from tests.audits.test_measures_helpers import assert_count, assert_rate, at, drill_ids, scope_of
from tests.conftest import World

pytestmark = pytest.mark.django_db


def child(w: World, given: str, partnership=None) -> Person:
    partnership = partnership or w.north
    return Person.objects.create(partnership=partnership, given_name=given, family_name="Ashdown",
                                 date_of_birth=date(2018, 1, 1), search_name=f"{given} ashdown".lower())


def refer(w: World, person: Person, received_at: datetime, *, by=None, agency=None) -> Referral:
    return services.referral_create(
        by=by or w.mw, received_at=received_at, referrer_agency=agency or w.police, children=[person],
        concerns="Police attended a domestic-abuse incident; the children were present.", consent="given")


@pytest.fixture
def front_door(world):
    """Three referrals in North and one in South:
    - on time across the bank holiday: received Friday 28 August 2026 16:00, due Tuesday 1 September 16:00
      (Monday 31 August is a bank holiday), decided Tuesday 15:00 (95 hours) and fed back 2 hours later;
    - late: received Tuesday 8 September 10:00, decided Wednesday 12:00 (26 hours), not fed back;
    - never decided: received Thursday 10 September 10:00, still waiting.
    """
    w = world
    on_time = refer(w, child(w, "Mia"), at(2026, 8, 28, 16))
    services.referral_decide(referral=on_time, by=w.mm, outcome="early_help", rationale="Support.",
                             decided_at=at(2026, 9, 1, 15))
    services.referral_feedback_record(referral=on_time, by=w.mm, method="phone", shared_at=at(2026, 9, 1, 17))
    late = refer(w, child(w, "Leo"), at(2026, 9, 8, 10), agency=w.health_visiting)
    police_check = services.agency_check_request(referral=late, by=w.mw, agency=w.police)
    services.agency_check_answer(check=police_check, by=w.po, information="Two call-outs this year.")
    services.agency_check_request(referral=late, by=w.mw, agency=w.health_visiting)
    AgencyCheck.objects.filter(referral=late).update(requested_at=at(2026, 9, 8, 11), due_at=at(2026, 9, 9, 17))
    AgencyCheck.objects.filter(pk=police_check.pk).update(answered_at=at(2026, 9, 9, 10))
    services.referral_decide(referral=late, by=w.mm, outcome="no_further_action", rationale="No concerns.",
                             decided_at=at(2026, 9, 9, 12))
    waiting = refer(w, child(w, "Amy"), at(2026, 9, 10, 10))
    elsewhere = refer(w, child(w, "Sam", w.south), at(2026, 9, 8, 10), by=w.out, agency=w.south_csc)
    return w, on_time, late, waiting, elsewhere


def test_the_decision_deadline_counts_working_days_across_the_bank_holiday(front_door):
    w, on_time, late, waiting, _ = front_door
    assert on_time.decision_due_at == at(2026, 9, 1, 16)
    assert_rate("decisions_in_time", scope_of(w.north.pk), met=[on_time.pk], missed=[late.pk, waiting.pk],
                trend={date(2026, 8, 1): (1, 1), date(2026, 9, 1): (0, 2)})


def test_a_referral_not_yet_due_and_undecided_is_not_counted_yet(front_door):
    w, *_ = front_door
    fresh = refer(w, child(w, "Zac"), timezone.now() - timedelta(minutes=5))
    today = timezone.localdate()
    scope = scope_of(w.north.pk, start=today, end=today)
    assert measure_get("decisions_in_time").figure(scope).denominator == 0
    assert fresh.pk in drill_ids("queue_now", scope, "all")


def test_the_median_hours_to_decision(front_door):
    w, on_time, late, *_ = front_door
    figure = measure_get("decision_median_hours").figure(scope_of(w.north.pk))
    assert (figure.value, figure.numerator, figure.denominator) == ((95 + 26) / 2, None, 2)
    assert drill_ids("decision_median_hours", scope_of(w.north.pk), "all") == sorted([on_time.pk, late.pk])
    points = {p.month: (p.value, p.denominator) for p in measure_get("decision_median_hours").trend(
        scope_of(w.north.pk))}
    assert points[date(2026, 8, 1)] == (95.0, 1)
    assert points[date(2026, 9, 1)] == (26.0, 1)
    assert points[date(2026, 7, 1)] == (None, 0)


def test_the_queue_now_and_its_oldest_item_whatever_the_period(front_door):
    w, on_time, late, waiting, _ = front_door
    old_period = scope_of(w.north.pk, start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert_count("queue_now", old_period, records=[waiting.pk])
    oldest = measure_get("queue_oldest_hours").figure(old_period)
    expected = (timezone.now() - waiting.received_at).total_seconds() / 3600
    assert oldest.denominator == 1 and oldest.value is not None and abs(oldest.value - expected) < 0.2
    # At the end of each month: August ends with the Friday referral still waiting, September with the third.
    points = {p.month: p.numerator for p in measure_get("queue_now").trend(scope_of(w.north.pk))}
    assert points[date(2026, 7, 1)] == 0
    assert points[date(2026, 8, 1)] == 1
    assert points[date(2026, 9, 1)] == 1
    oldest_points = {p.month: p.value for p in measure_get("queue_oldest_hours").trend(scope_of(w.north.pk))}
    assert oldest_points[date(2026, 7, 1)] is None
    # 28 August 16:00 to 1 September 00:00, British Summer Time throughout.
    assert oldest_points[date(2026, 8, 1)] == 80.0


def test_feedback_to_the_referrer(front_door):
    w, on_time, late, *_ = front_door
    assert_rate("feedback_given", scope_of(w.north.pk), met=[on_time.pk], missed=[late.pk],
                trend={date(2026, 9, 1): (1, 2)})
    figure = measure_get("feedback_median_hours").figure(scope_of(w.north.pk))
    assert (figure.value, figure.denominator) == (2.0, 1)
    assert_count("unshared_now", scope_of(w.north.pk, start=date(2020, 1, 1), end=date(2020, 1, 31)),
                 records=[late.pk])


def test_feedback_after_its_working_day_is_late_and_the_bank_holiday_is_not_a_working_day(front_door):
    w, on_time, late, *_ = front_door
    # Decided Friday 28 August 15:00: its working day ends Tuesday 1 September 15:00 (Monday is a bank holiday).
    over_the_holiday = refer(w, child(w, "Ida"), at(2026, 8, 28, 9))
    services.referral_decide(referral=over_the_holiday, by=w.mm, outcome="early_help", rationale="Support.",
                             decided_at=at(2026, 8, 28, 15))
    services.referral_feedback_record(referral=over_the_holiday, by=w.mm, method="phone",
                                      shared_at=at(2026, 9, 1, 14))
    # Decided Thursday 10 September 11:00, fed back the Monday after: a working day late.
    fed_back_late = refer(w, child(w, "Noah"), at(2026, 9, 10, 9))
    services.referral_decide(referral=fed_back_late, by=w.mm, outcome="no_further_action", rationale="None.",
                             decided_at=at(2026, 9, 10, 11))
    services.referral_feedback_record(referral=fed_back_late, by=w.mm, method="letter",
                                      shared_at=at(2026, 9, 14, 9))
    assert_rate("feedback_given", scope_of(w.north.pk), met=[on_time.pk, over_the_holiday.pk],
                missed=[late.pk, fed_back_late.pk], trend={date(2026, 8, 1): (1, 1), date(2026, 9, 1): (1, 3)})


def test_agency_checks_on_time_per_agency(front_door):
    w, _, late, *_ = front_door
    figure = assert_rate("checks_on_time", scope_of(w.north.pk), met=[late.pk], missed=[late.pk],
                         trend={date(2026, 9, 1): (1, 2)})
    assert {(row.label, row.numerator, row.denominator) for row in figure.breakdown} == {
        ("Shire Police", 1, 1), ("North Health Visiting", 0, 1)}
    assert drill_ids("checks_on_time", scope_of(w.north.pk), "all", agency_id=w.police.pk) == [late.pk]
    assert drill_ids("checks_on_time", scope_of(w.north.pk), "missed", agency_id=w.police.pk) == []
    only_police = scope_of(w.north.pk, agency_id=w.police.pk)
    assert measure_get("checks_on_time").figure(only_police).denominator == 1


def test_the_agency_and_team_filters(front_door):
    w, on_time, late, waiting, _ = front_door
    assert_rate("decisions_in_time", scope_of(w.north.pk, agency_id=w.health_visiting.pk), met=[],
                missed=[late.pk])
    from agencies.models import Team

    team = Team.objects.create(agency=w.csc, name="MASH")
    w.mw.membership.teams.add(team)
    services.referral_allocate(referral=waiting, by=w.mm, to=w.mw)
    assert_rate("decisions_in_time", scope_of(w.north.pk, team_id=team.pk), met=[], missed=[waiting.pk])


def test_another_partnership_s_records_never_count(front_door):
    w, *_, elsewhere = front_door
    south = scope_of(w.south.pk)
    assert_rate("decisions_in_time", south, met=[], missed=[elsewhere.pk])
    assert_count("queue_now", south, records=[elsewhere.pk])
    assert measure_get("checks_on_time").figure(south).denominator == 0
