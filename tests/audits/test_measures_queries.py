"""The measures are computed in the database: a fixed number of queries whatever the number of records, and
working-day deadlines in SQL that agree with the partnership's calendar across bank holidays, closures and
the clocks changing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import DateTimeField, Value
from django.test.utils import CaptureQueriesContext

from agencies.models import ClosureDay, Partnership, TrainingRecord
from agencies.rules import WorkingCalendar
from audits.measures import measure_get, measures
from audits.measures_base import Scope
from audits.measures_sql import NthWorkingDayAfter, OneWorkingDayAfter
from cases.models import Case, ChildVoice, EncompassNotice, Incident, MaracReferral, Person, PersonFlag
from referrals.models import AgencyCheck, Decision, Escalation, Feedback, Referral, ReferralChild
from strategy_meetings.models import Contribution, Invitation, StrategyMeeting, StrategyMeetingChild
from tests.audits.test_measures_helpers import at, scope_of
from tests.conftest import World

pytestmark = pytest.mark.django_db


def records_add(w: World, n: int, offset: int) -> None:
    """``n`` of every kind of record a measure reads, spread over the period, met and missed alike."""
    for i in range(offset, offset + n):
        when = at(2026, 1 + i % 10, 1 + i % 27, 9 + i % 8)
        child = Person.objects.create(partnership=w.north, given_name=f"Child{i}", family_name="Test",
                                      date_of_birth=date(2022 - i % 10, 1, 1), search_name=f"child{i}",
                                      nhs_number="9434765919" if i % 2 else "")
        referral = Referral.objects.create(partnership=w.north, received_at=when, referrer_agency=w.police,
                                           concerns="Concern.", consent="given",
                                           decision_due_at=when + timedelta(days=1), allocated_to=w.mw)
        ReferralChild.objects.create(partnership=w.north, referral=referral, child=child)
        if i % 3:
            Decision.objects.create(partnership=w.north, referral=referral, outcome="early_help", rationale="R.",
                                    decided_by=w.mm, decided_at=when + timedelta(hours=6 + 20 * (i % 2)))
            if i % 2:
                Feedback.objects.create(partnership=w.north, referral=referral, method="phone", shared_by=w.mm,
                                        shared_at=when + timedelta(hours=30))
            Escalation.objects.create(partnership=w.north, referral=referral, raised_by=w.te,
                                      raised_by_agency=w.school, raised_at=when + timedelta(days=2),
                                      reason="Disagree.", stage=1 + i % 4, status="open")
        AgencyCheck.objects.create(partnership=w.north, referral=referral, agency=[w.police, w.school][i % 2],
                                   requested_at=when, due_at=when + timedelta(hours=8),
                                   answered_at=when + timedelta(hours=4 + 6 * (i % 2)) if i % 3 else None,
                                   information="Known." if i % 3 else "", answered_by=w.po if i % 3 else None)
        meeting = StrategyMeeting.objects.create(
            partnership=w.north, reason="Injury.", threshold_met_at=when, due_by=when + timedelta(hours=24),
            status="held", held_at=when + timedelta(hours=20 + 10 * (i % 2)), outcome="section_47_joint",
            chair=w.mm, icpc_due_by=(when + timedelta(days=21)).date(), minutes="Minutes.",
            minutes_distributed_at=when + timedelta(hours=30 + 20 * (i % 2)),
            icpc_at=when + timedelta(days=14 + 14 * (i % 2)))
        StrategyMeetingChild.objects.create(partnership=w.north, meeting=meeting, child=child)
        for agency in (w.csc, w.police):
            Invitation.objects.create(partnership=w.north, meeting=meeting, agency=agency, invited_at=when,
                                      response="attended" if i % 2 else "")
        Contribution.objects.create(partnership=w.north, meeting=meeting, agency=w.police, information="Known.",
                                    by=w.po, at=when)
        StrategyMeeting.objects.create(partnership=w.north, reason="Injury.", threshold_met_at=when,
                                       due_by=when + timedelta(hours=24), status="considered_not_held",
                                       not_held_rationale="Already known.")
        Case.objects.create(partnership=w.north, child=child, opened_on=when.date(), status="assessment",
                            allocated_team=None, lead_professional=w.sw, assessment_started_on=when.date(),
                            assessment_completed_on=(when + timedelta(days=40 + 40 * (i % 2))).date())
        ChildVoice.objects.create(partnership=w.north, child=child, recorded_at=when, practitioner=w.sw,
                                  agency=w.csc, method="play", observations="Played.")
        PersonFlag.objects.create(partnership=w.north, person=child, kind="escalating", raised_at=when)
        incident = Incident.objects.create(partnership=w.north, occurred_at=when, reported_by=w.police)
        MaracReferral.objects.create(partnership=w.north, victim=child, incident=incident, repeat=bool(i % 2))
        EncompassNotice.objects.create(partnership=w.north, incident=incident, child=child, school=w.school,
                                       occurred_at=when, present=True, spoken_to=False,
                                       due_by=when + timedelta(hours=12),
                                       sent_at=when + timedelta(hours=6 + 10 * (i % 2)))
        TrainingRecord.objects.create(user=[w.sw, w.po, w.hv, w.te][i % 4], course="safeguarding_l2",
                                      completed_on=when.date(), expires_on=when.date() + timedelta(days=700))


def queries_of(scope: Scope) -> dict[str, tuple[int, int]]:
    """For each measure, the queries its figure takes and the number of records behind it."""
    counts = {}
    for measure in measures():
        with CaptureQueriesContext(connection) as figure_queries:
            figure = measure.figure(scope)
        with CaptureQueriesContext(connection) as trend_queries:
            assert len(measure.trend(scope)) == 12
        assert len(trend_queries) == 1, measure.key
        with CaptureQueriesContext(connection) as drill_queries:
            rows = list(measure.records(scope, "all").rows)
        assert len(drill_queries) == 1, measure.key
        counts[measure.key] = (len(figure_queries), len(rows))
        assert figure.denominator is not None or figure.numerator is not None, measure.key
    return counts


def test_every_figure_takes_the_same_few_queries_with_2_and_with_20_records(world):
    scope = scope_of(world.north.pk)
    records_add(world, 2, 0)
    few = queries_of(scope)
    records_add(world, 18, 2)
    many = queries_of(scope)
    for key, (queries, _) in few.items():
        assert queries == many[key][0], key
        # One aggregate, and one more for a breakdown (and the partnership's target for training).
        assert queries <= 3, key
    grew = [key for key in few if many[key][1] > few[key][1]]
    assert len(grew) >= 18, "most measures should see the extra records"


def test_a_measure_not_known_is_a_404():
    from django.http import Http404

    with pytest.raises(Http404):
        measure_get("nonsense")
    assert [m.key for m in measures()] == [
        "decisions_in_time", "decision_median_hours", "queue_now", "queue_oldest_hours", "feedback_given",
        "feedback_median_hours", "unshared_now", "checks_on_time",
        "meetings_in_time", "meeting_attendance", "minutes_in_time", "meetings_not_held",
        "conferences_in_time", "assessments_in_time",
        "voice_recent", "voice_under_fives_by_method",
        "repeat_referrals", "children_escalating", "repeat_marac", "encompass_in_time",
        "escalations", "data_quality", "training_compliance",
    ]
    assert [m.section for m in measures()] == (
        ["Front door"] * 8 + ["Strategy meetings"] * 4 + ["Child protection"] * 2 + ["Child's voice"] * 2
        + ["Patterns of harm"] * 4 + ["Quality and workforce"] * 3)


def _instants() -> list[datetime]:
    """Moments around Christmas, Easter, the summer bank holiday and both clock changes, at awkward hours."""
    days = [date(2025, 12, 22) + timedelta(days=i) for i in range(16)]
    days += [date(2026, 3, 26) + timedelta(days=i) for i in range(14)]  # clocks go forward 29 March; Easter
    days += [date(2026, 8, 27) + timedelta(days=i) for i in range(6)]
    days += [date(2026, 10, 22) + timedelta(days=i) for i in range(6)]  # clocks go back 25 October
    hours = [(0, 30), (8, 59), (9, 0), (12, 15), (16, 59), (17, 0), (23, 30)]
    return [at(d.year, d.month, d.day, h, m) for d in days for h, m in hours]


def test_one_working_day_after_in_sql_agrees_with_the_calendar(world):
    ClosureDay.objects.create(partnership=world.north, date=date(2025, 12, 29), reason="Christmas closure")
    calendar = WorkingCalendar(closures=frozenset({date(2025, 12, 29)}))
    instants = _instants()
    annotations = {
        f"d{i}": OneWorkingDayAfter(Value(moment, output_field=DateTimeField()), partnership_id=world.north.pk,
                                    years=(2025, 2027))
        for i, moment in enumerate(instants)
    }
    row: dict[str, object] = dict(Partnership.objects.filter(pk=world.north.pk).values(**annotations).get())
    for i, moment in enumerate(instants):
        assert row[f"d{i}"] == calendar.add_working_days(moment, 1), moment


def test_the_45th_working_day_in_sql_agrees_with_the_calendar(world):
    ClosureDay.objects.create(partnership=world.north, date=date(2025, 12, 29), reason="Christmas closure")
    calendar = WorkingCalendar(closures=frozenset({date(2025, 12, 29)}))
    starts = [date(2025, 10, 1) + timedelta(days=7 * i + i % 7) for i in range(52)]
    annotations = {
        f"d{i}": NthWorkingDayAfter(Value(start), 45, partnership_id=world.north.pk, years=(2025, 2027))
        for i, start in enumerate(starts)
    }
    row: dict[str, object] = dict(Partnership.objects.filter(pk=world.north.pk).values(**annotations).get())
    for i, start in enumerate(starts):
        expected = start
        for _ in range(45):
            expected = calendar.next_working_day(expected)
        assert row[f"d{i}"] == expected, start
