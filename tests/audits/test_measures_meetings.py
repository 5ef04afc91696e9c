"""Strategy meeting and child protection measures: meetings in time, attendance, minutes within 1 working day,
meetings considered and not held, conferences within 15 working days, assessments within 45 working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from agencies.models import ClosureDay
from agencies.rules import WorkingCalendar
from audits.measures import measure_get
from cases.models import Case, Person
from strategy_meetings import services
from strategy_meetings.models import Invitation, StrategyMeeting
from tests.audits.test_measures_helpers import assert_count, assert_rate, at, drill_ids, scope_of
from tests.conftest import World

pytestmark = pytest.mark.django_db


def child(w: World, given: str, partnership=None) -> Person:
    return Person.objects.create(partnership=partnership or w.north, given_name=given, family_name="Okafor",
                                 date_of_birth=date(2017, 3, 3), search_name=f"{given} okafor".lower())


def convene(w: World, given: str, threshold_met_at: datetime, partnership=None) -> StrategyMeeting:
    return services.meeting_convene(partnership=partnership or w.north, by=w.mm,
                                    children=[child(w, given, partnership)], threshold_met_at=threshold_met_at,
                                    reason="Injury to a baby.")


def hold(w: World, meeting: StrategyMeeting, held_at: datetime, *, outcome: str = "section_47_joint",
         attendance: dict[int, str] | None = None) -> StrategyMeeting:
    responses = {i.agency_id: "attended" for i in Invitation.objects.filter(meeting=meeting)}
    responses.update(attendance or {})
    return services.meeting_hold(meeting=meeting, by=w.mm, held_at=held_at, attendance=responses, outcome=outcome,
                                 missing_agency_reason="Police were at another incident.")


@pytest.fixture
def meetings(world):
    """In North:
    - early: threshold Thursday 27 August 2026 12:00, held Friday 10:00 (22 hours), minutes out Tuesday
      1 September 09:00 (in time: Monday is a bank holiday), conference booked on its due date;
    - late: threshold Thursday 3 September 10:00, held Friday 12:00 (26 hours), the police sent apologies
      after sending what they know, minutes out Tuesday (due Monday 12:00), conference a day late;
    - overdue: threshold Monday 7 September, never held;
    - not held: considered and not needed.
    """
    w = world
    early = convene(w, "Ada", at(2026, 8, 27, 12))
    early = hold(w, early, at(2026, 8, 28, 10))
    services.meeting_minutes_distribute(meeting=early, by=w.mm, minutes="Section 47 joint.")
    StrategyMeeting.objects.filter(pk=early.pk).update(minutes_distributed_at=at(2026, 9, 1, 9))
    late = convene(w, "Ben", at(2026, 9, 3, 10))
    services.meeting_contribute(meeting=late, by=w.po, information="Two call-outs.", at=at(2026, 9, 3, 12))
    late = hold(w, late, at(2026, 9, 4, 12), attendance={w.police.pk: "apologies"})
    services.meeting_minutes_distribute(meeting=late, by=w.mm, minutes="Section 47 joint.")
    StrategyMeeting.objects.filter(pk=late.pk).update(minutes_distributed_at=at(2026, 9, 8, 9))
    overdue = convene(w, "Cal", at(2026, 9, 7, 10))
    not_held = convene(w, "Dee", at(2026, 9, 8, 10))
    services.meeting_not_held(meeting=not_held, by=w.mm, rationale="Already on a plan.")
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.icpc_due_by is not None and late.icpc_due_by is not None
    for meeting, day in ((early, early.icpc_due_by), (late, late.icpc_due_by + timedelta(days=1))):
        services.meeting_conference_book(meeting=meeting, by=w.mm, conference_at=at(day.year, day.month, day.day))
    elsewhere = convene(w, "Eve", at(2026, 9, 7, 10), w.south)
    return w, early, late, overdue, not_held, elsewhere


def test_meetings_held_within_24_hours_of_the_threshold(meetings):
    w, early, late, overdue, not_held, _ = meetings
    assert_rate("meetings_in_time", scope_of(w.north.pk), met=[early.pk], missed=[late.pk, overdue.pk],
                trend={date(2026, 8, 1): (1, 1), date(2026, 9, 1): (0, 2)})


def test_each_meeting_is_measured_against_its_own_due_time_as_the_chase_is(meetings):
    """A meeting convened under a 48-hour setting is due 48 hours on; a later change of the setting does not
    move the due time of meetings already convened (the not-held chase reads the same ``due_by``)."""
    w, early, late, overdue, *_ = meetings
    w.north.strategy_meeting_due_hours = 48
    w.north.save()
    assert_rate("meetings_in_time", scope_of(w.north.pk), met=[early.pk], missed=[late.pk, overdue.pk])
    StrategyMeeting.objects.filter(pk=late.pk).update(due_by=late.threshold_met_at + timedelta(hours=48))
    assert_rate("meetings_in_time", scope_of(w.north.pk), met=[early.pk, late.pk], missed=[overdue.pk])


def test_invited_agencies_that_attended_or_contributed(meetings):
    w, early, late, *_ = meetings
    invitations = list(Invitation.objects.filter(meeting__in=[early, late]))
    assert Invitation.objects.get(meeting=late, agency=w.police).response == "apologies"
    heard = {i.agency_id for i in invitations if i.response in ("attended", "sent_information")}
    figure = measure_get("meeting_attendance").figure(scope_of(w.north.pk))
    # The police sent apologies to the late meeting but contributed before it: they count as heard.
    assert (figure.numerator, figure.denominator) == (len(invitations), len(invitations))
    assert {row.agency_id for row in figure.breakdown} == heard | {w.police.pk}
    police = next(row for row in figure.breakdown if row.agency_id == w.police.pk)
    assert (police.numerator, police.denominator) == (2, 2)
    assert drill_ids("meeting_attendance", scope_of(w.north.pk), "all", agency_id=w.police.pk) == sorted(
        [early.pk, late.pk])
    assert drill_ids("meeting_attendance", scope_of(w.north.pk), "missed") == []


def test_an_agency_that_neither_attended_nor_contributed_is_missed(world):
    w = world
    meeting = convene(w, "Fay", at(2026, 9, 14, 10))
    hold(w, meeting, at(2026, 9, 14, 15), attendance={w.police.pk: "no_response"})
    figure = measure_get("meeting_attendance").figure(scope_of(w.north.pk))
    police = next(row for row in figure.breakdown if row.agency_id == w.police.pk)
    assert (police.numerator, police.denominator) == (0, 1)
    assert figure.denominator is not None and figure.numerator == figure.denominator - 1
    assert drill_ids("meeting_attendance", scope_of(w.north.pk), "missed") == [meeting.pk]


def test_minutes_within_one_working_day_across_the_bank_holiday(meetings):
    w, early, late, *_ = meetings
    figure = assert_rate("minutes_in_time", scope_of(w.north.pk), met=[early.pk], missed=[late.pk],
                         trend={date(2026, 8, 1): (1, 1), date(2026, 9, 1): (0, 1)})
    rows = {row["id"]: row for row in measure_get("minutes_in_time").records(scope_of(w.north.pk), "all").rows}
    assert rows[early.pk]["minutes_due_at"] == at(2026, 9, 1, 10)
    assert rows[late.pk]["minutes_due_at"] == at(2026, 9, 7, 12)
    assert figure.value == 50.0


def test_a_partnership_closure_day_moves_the_minutes_deadline(meetings):
    w, early, late, *_ = meetings
    ClosureDay.objects.create(partnership=w.north, date=date(2026, 9, 7), reason="Office move")
    assert_rate("minutes_in_time", scope_of(w.north.pk), met=[early.pk, late.pk], missed=[])


def test_meetings_considered_and_not_held(meetings):
    w, *_, not_held, _ = meetings
    assert_count("meetings_not_held", scope_of(w.north.pk), records=[not_held.pk], trend={date(2026, 9, 1): 1})
    columns = {c.key: c for c in measure_get("meetings_not_held").records(scope_of(w.north.pk), "all").columns}
    assert columns["not_held_rationale"].personal


def test_initial_conferences_within_15_working_days(meetings):
    w, early, late, *_ = meetings
    assert early.icpc_due_by == date(2026, 9, 21)  # 15 working days from Friday 28 August, skipping the holiday
    assert_rate("conferences_in_time", scope_of(w.north.pk), met=[early.pk], missed=[late.pk],
                trend={date(2026, 8, 1): (1, 1), date(2026, 9, 1): (0, 1)})


def test_another_partnership_s_meetings_never_count(meetings):
    w, *_, elsewhere = meetings
    assert_rate("meetings_in_time", scope_of(w.south.pk), met=[], missed=[elsewhere.pk])
    assert measure_get("meeting_attendance").figure(scope_of(w.south.pk)).denominator == 0


def _case(w: World, given: str, started: date, completed: date | None, partnership=None) -> Case:
    return Case.objects.create(partnership=partnership or w.north, child=child(w, given, partnership),
                               status="assessment", opened_on=started, assessment_started_on=started,
                               assessment_completed_on=completed, allocated_team=None)


def test_assessments_within_45_working_days_on_the_partnership_s_calendar(world):
    w = world
    started = date(2026, 7, 20)
    calendar = WorkingCalendar()
    due = started
    for _ in range(45):
        due = calendar.next_working_day(due)
    weekdays_only = started
    for _ in range(45):
        weekdays_only += timedelta(days=3 if weekdays_only.weekday() == 4 else 1)
    assert due == date(2026, 9, 22) and weekdays_only < due  # the bank holiday moves it a day
    on_time = _case(w, "Gil", started, due)
    late = _case(w, "Hal", started, due + timedelta(days=1))
    never = _case(w, "Ivy", date(2026, 1, 5), None)
    _case(w, "Jo", started, None, w.south)
    assert_rate("assessments_in_time", scope_of(w.north.pk), met=[on_time.pk], missed=[late.pk, never.pk],
                trend={date(2026, 7, 1): (1, 2), date(2026, 1, 1): (0, 1)})
    rows = {row["id"]: row for row in measure_get("assessments_in_time").records(scope_of(w.north.pk), "all").rows}
    assert rows[on_time.pk]["due_on"] == due


def test_an_assessment_still_within_45_working_days_is_not_counted_yet(world):
    from django.utils import timezone

    w = world
    today = timezone.localdate()
    _case(w, "Kit", today - timedelta(days=3), None)
    scope = scope_of(w.north.pk, start=today - timedelta(days=10), end=today)
    assert measure_get("assessments_in_time").figure(scope).denominator == 0


def test_meetings_by_invited_agency_and_by_the_chair_s_team(meetings):
    from agencies.models import Team

    w, early, late, overdue, *_ = meetings
    assert measure_get("meetings_in_time").figure(scope_of(w.north.pk, agency_id=w.school.pk)).denominator == 0
    assert_rate("meetings_in_time", scope_of(w.north.pk, agency_id=w.police.pk), met=[early.pk],
                missed=[late.pk, overdue.pk])
    team = Team.objects.create(agency=w.csc, name="MASH")
    w.mm.membership.teams.add(team)
    # The manager who held the first two chaired them; the overdue meeting has no chair yet.
    assert_rate("meetings_in_time", scope_of(w.north.pk, team_id=team.pk), met=[early.pk], missed=[late.pk])
    assert_rate("minutes_in_time", scope_of(w.north.pk, team_id=team.pk), met=[early.pk], missed=[late.pk])


def test_assessments_by_lead_professional_s_agency_and_allocated_team(world):
    from agencies.models import Team

    w = world
    team = Team.objects.create(agency=w.csc, name="Assessment")
    mine = _case(w, "Lou", date(2026, 1, 5), date(2026, 2, 2))
    Case.objects.filter(pk=mine.pk).update(allocated_team=team, lead_professional=w.sw)
    _case(w, "Max", date(2026, 1, 5), date(2026, 2, 2))
    assert_rate("assessments_in_time", scope_of(w.north.pk, team_id=team.pk), met=[mine.pk], missed=[])
    assert_rate("assessments_in_time", scope_of(w.north.pk, agency_id=w.csc.pk), met=[mine.pk], missed=[])
    assert measure_get("assessments_in_time").figure(scope_of(w.north.pk, agency_id=w.police.pk)).denominator == 0
