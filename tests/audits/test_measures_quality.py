"""Quality and workforce measures: escalations by stage and outcome, completeness of children's records,
training compliance against the partnership's target."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from agencies.models import Team, TrainingRecord
from audits.measures import measure_get
from cases.models import Case, Person
from cases.rules.people import data_quality
from referrals import services
from referrals.models import Escalation
from tests.audits.test_measures_helpers import assert_count, assert_rate, at, drill_ids, scope_of
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_escalations_by_stage_and_outcome(world):
    w = world
    child = Person.objects.create(partnership=w.north, given_name="Mia", family_name="Cole",
                                  date_of_birth=date(2018, 1, 1), search_name="mia cole")
    referral = services.referral_create(by=w.mw, received_at=at(2026, 9, 1), referrer_agency=w.school,
                                        children=[child], concerns="Bruising.", consent="given")
    services.referral_decide(referral=referral, by=w.mm, outcome="no_further_action", rationale="Explained.",
                             decided_at=at(2026, 9, 1, 15))

    def escalation(raised_at, stage: int, status: str, agency=None) -> Escalation:
        return Escalation.objects.create(
            partnership=w.north, referral=referral, raised_by=w.te, raised_by_agency=agency or w.school,
            raised_at=raised_at, reason="We disagree.", stage=stage, status=status,
            closed_at=None if status == "open" else raised_at + timedelta(days=3))

    open_one = escalation(at(2026, 9, 2), 1, "open")
    resolved = [escalation(at(2026, 9, 3), 2, "resolved"), escalation(at(2026, 10, 3), 2, "resolved", w.police)]
    escalation(at(2025, 9, 3), 4, "concluded")
    figure = assert_count("escalations", scope_of(w.north.pk), records=[open_one.pk, *(e.pk for e in resolved)],
                          trend={date(2026, 9, 1): 2, date(2026, 10, 1): 1})
    assert [(row.label, row.numerator) for row in figure.breakdown] == [
        ("Stage 1 (practitioner): open", 1), ("Stage 2 (line manager): resolved", 2)]
    # Each row of the breakdown lists its own records; a key naming no stage and outcome lists none.
    measure = measure_get("escalations")
    for row in figure.breakdown:
        assert len(drill_ids("escalations", scope_of(w.north.pk), "all", group=row.group)) == row.numerator
        assert measure.group_label(row.group) == row.label
    assert drill_ids("escalations", scope_of(w.north.pk), "all", group="2:resolved") == sorted(e.pk for e in resolved)
    for nonsense in ("2", "x:resolved", "2:nonsense", "2:resolved:1"):
        assert drill_ids("escalations", scope_of(w.north.pk), "all", group=nonsense) == []
    assert_count("escalations", scope_of(w.north.pk, agency_id=w.police.pk), records=[resolved[1].pk])
    assert_count("escalations", scope_of(w.south.pk), records=[])


def test_completeness_of_children_s_records(world):
    w = world
    today = timezone.localdate()

    def person(given: str, **fields) -> Person:
        values = {"date_of_birth": today - timedelta(days=365 * 8), "ethnicity": "WBRI", "first_language": "English",
                  "interpreter_needed": False, "nhs_number": "9434765919", "sex": "female", "school": w.school}
        values.update(fields)
        return Person.objects.create(partnership=w.north, given_name=given, family_name="Hart",
                                     search_name=given.lower(), **values)

    complete = person("Ann")
    toddler = person("Bo", date_of_birth=today - timedelta(days=365 * 2), school=None)
    unborn = person("Baby", date_of_birth=None, expected_date_of_birth=today + timedelta(days=60), first_language="",
                    interpreter_needed=None, nhs_number="", sex="unknown", school=None)
    no_nhs = person("Cy", nhs_number="")
    no_school = person("Di", school=None)
    estimated = person("Ed", date_of_birth_estimated=True)
    blank_language = person("Flo", first_language="  ")
    person("Adult", date_of_birth=date(1980, 1, 1), nhs_number="")
    Person.objects.create(partnership=w.south, given_name="Gil", family_name="Hart", date_of_birth=date(2015, 1, 1),
                          search_name="gil")
    complete_ids = [complete.pk, toddler.pk, unborn.pk]
    gaps_ids = [no_nhs.pk, no_school.pk, estimated.pk, blank_language.pk]
    for p in Person.objects.filter(pk__in=complete_ids + gaps_ids):
        score = data_quality(date_of_birth=p.date_of_birth, date_of_birth_estimated=p.date_of_birth_estimated,
                             expected_date_of_birth=p.expected_date_of_birth, sex=p.sex, ethnicity=p.ethnicity,
                             first_language=p.first_language, interpreter_needed=p.interpreter_needed,
                             nhs_number=p.nhs_number, has_school=p.school_id is not None, today=today).score
        assert (score == 100) == (p.pk in complete_ids), p.given_name
    old_period = scope_of(w.north.pk, start=date(2020, 1, 1), end=date(2020, 1, 31))
    assert_rate("data_quality", old_period, met=complete_ids, missed=gaps_ids)
    assert_rate("data_quality", scope_of(w.north.pk, start=date(2020, 1, 1), end=date(2020, 1, 31),
                                         agency_id=w.school.pk), met=[complete.pk], missed=[no_nhs.pk, estimated.pk,
                                                                                           blank_language.pk])
    team = Team.objects.create(agency=w.csc, name="Assessment")
    Case.objects.create(partnership=w.north, child=no_nhs, opened_on=today, allocated_team=team)
    assert_rate("data_quality", scope_of(w.north.pk, team_id=team.pk), met=[], missed=[no_nhs.pk])
    point = measure_get("data_quality").trend(scope_of(w.north.pk, start=today, end=today))[-1]
    assert (point.numerator, point.denominator) == (3, 7)


def _train(user, course: str, completed_on: date, expires_on: date) -> None:
    TrainingRecord.objects.create(user=user, course=course, completed_on=completed_on, expires_on=expires_on)


def test_training_compliance_against_the_target(world: World):
    w = world
    today = timezone.localdate()
    _train(w.sw, "safeguarding_l3", today - timedelta(days=100), today + timedelta(days=900))
    _train(w.po, "safeguarding_l2", today - timedelta(days=40), today + timedelta(days=900))
    _train(w.po, "dash", today - timedelta(days=40), today + timedelta(days=900))
    _train(w.hv, "safeguarding_l2", today - timedelta(days=1200), today - timedelta(days=1))
    _train(w.mh, "safeguarding_l1", today - timedelta(days=10), today + timedelta(days=900))
    _train(w.ad, "safeguarding_l3", today - timedelta(days=10), today + timedelta(days=900))
    _train(w.out, "safeguarding_l3", today - timedelta(days=10), today + timedelta(days=900))
    scope = scope_of(w.north.pk, start=today - timedelta(days=364), end=today)
    north_staff = [w.mw, w.mm, w.sw, w.tm, w.sm, w.au, w.po, w.hv, w.mh, w.te]
    figure = assert_rate("training_compliance", scope, met=[w.sw.pk, w.po.pk],
                         missed=[u.pk for u in north_staff if u not in (w.sw, w.po)])
    assert figure.target == 90.0
    assert {(row.label, row.numerator, row.denominator) for row in figure.breakdown} == {
        ("North Children's Services", 1, 6), ("Shire Police", 1, 1), ("North Health Visiting", 0, 1),
        ("North Adult Mental Health", 0, 1), ("Northgate Primary School", 0, 1)}
    assert drill_ids("training_compliance", scope, "met", agency_id=w.police.pk) == [w.po.pk]
    points = measure_get("training_compliance").trend(scope)
    assert (points[-1].numerator, points[-1].denominator) == (2, 10)
    # Eleven months ago the health visitor's level 2 was still in date, and nobody else was trained yet.
    assert (points[0].numerator, points[0].denominator) == (1, 10)
    w.north.training_target_percent = 80
    w.north.save()
    assert measure_get("training_compliance").figure(scope).target == 80.0
    team = Team.objects.create(agency=w.csc, name="Assessment")
    w.sw.membership.teams.add(team)
    assert_rate("training_compliance", scope_of(w.north.pk, team_id=team.pk), met=[w.sw.pk], missed=[])
    south = measure_get("training_compliance").figure(scope_of(w.south.pk))
    assert (south.numerator, south.denominator) == (1, 1)
