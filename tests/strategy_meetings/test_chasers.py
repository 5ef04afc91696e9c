"""SPEC 5: strategy meetings' chasers on the chase engine: meeting not held (every 4 clock hours), invited agency
silent, minutes not distributed, meeting action overdue, conference date not set."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.chasers import chase_rules, chase_run
from agencies.models import Agency, Membership, Notification, Role
from agencies.selectors import calendars_for
from cases.models import Person
from strategy_meetings import services
from strategy_meetings.models import Action, Invitation, StrategyMeeting
from tests.chase_helpers import chased, london, message, sweep
from tests.conftest import World
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db










def the_rule(name: str):
    return next(rule for rule in chase_rules() if rule.name == name)


def child(w: World, given: str = "Mia", born: date = date(2018, 1, 1), **extra) -> Person:
    return Person.objects.create(partnership=w.north, given_name=given, family_name="Okafor", date_of_birth=born,
                                 search_name=f"{given} okafor".lower(), **extra)


# Threshold met at 09:00 on Monday 3 March 2025: the meeting is due by 09:00 on Tuesday (24 hours).
THRESHOLD = london(2025, 3, 3, 9)
DUE_BY = london(2025, 3, 4, 9)


def convene(w: World, *children: Person, threshold_met_at: datetime = THRESHOLD) -> StrategyMeeting:
    return services.meeting_convene(
        partnership=w.north, by=w.mm, children=list(children) or [child(w)], threshold_met_at=threshold_met_at,
        reason="Bruising seen by the school; the child says his stepfather hit him.",
    )


def hold(w: World, meeting: StrategyMeeting, held_at: datetime, **attendance: str) -> StrategyMeeting:
    """Held, with every invited agency attending unless ``attendance`` (by agency attribute) says otherwise."""
    invitations = Invitation.objects.filter(meeting=meeting)
    responses: dict[int, str] = {inv.agency_id: Invitation.Response.ATTENDED for inv in invitations}
    for agency, response in attendance.items():
        responses[getattr(w, agency).pk] = response
    return services.meeting_hold(meeting=meeting, by=w.mm, held_at=held_at, attendance=responses,
                                 outcome="section_47_joint", missing_agency_reason="Police sent nothing in time.")


def test_the_rules_are_registered():
    assert {(rule.name, rule.subject_type, rule.levels) for rule in chase_rules()} >= {
        ("strategy_meeting_not_held", "strategy_meeting", 3),
        ("invited_agency_silent", "strategy_meeting_invitation", 2),
        ("minutes_not_distributed", "strategy_meeting", 2),
        ("meeting_action_overdue", "strategy_meeting_action", 2),
        ("conference_date_not_set", "strategy_meeting", 2),
    }


# -- meeting not held ------------------------------------------------------------------------------------------


def test_a_meeting_not_held_25_hours_after_its_threshold_reminds_its_chair_then_climbs_every_4_hours(world):
    meeting = convene(world, child(world, "Mia", date(2018, 1, 1)), child(world, "Leo", date(2020, 6, 1)))
    services.meeting_schedule(meeting=meeting, by=world.mm, scheduled_for=london(2025, 3, 4, 15), chair=world.mw,
                              arranged_at=THRESHOLD)
    assert sweep("strategy_meeting_not_held", DUE_BY - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        chase_run(now=THRESHOLD + timedelta(hours=25))
    assert chased("strategy_meeting_not_held") == [(1, "mw")]
    note = Notification.objects.get(kind="strategy_meeting_not_held")
    assert (note.subject_type, note.subject_id, note.link, note.due_at) == (
        "strategy_meeting", meeting.pk, f"/strategy-meetings/{meeting.pk}/", DUE_BY)
    assert note.message == (
        "Reminder: the strategy meeting about Mia Okafor and Leo Okafor, whose threshold was reached on 3 March 2025"
        " at 09:00, was due to be held by 4 March 2025 at 09:00 and has not been; it is scheduled for 4 March 2025"
        " at 15:00. Please hold the meeting, or record why it is not needed and what was done instead."
    )
    # Four clock hours after level 1 was due (not a working day): 13:00.
    assert sweep("strategy_meeting_not_held", london(2025, 3, 4, 12, 59)).escalations == 0
    for _ in range(2):
        sweep("strategy_meeting_not_held", london(2025, 3, 4, 13))
    assert chased("strategy_meeting_not_held") == [(1, "mw"), (2, "mm")]
    assert message("strategy_meeting_not_held", 2).startswith(
        "Escalation (level 2 of 3): the strategy meeting about Mia Okafor and Leo Okafor"
    )

    hold(world, meeting, london(2025, 3, 4, 15))
    assert sweep("strategy_meeting_not_held", london(2025, 3, 5, 9)).escalations == 0
    assert chased("strategy_meeting_not_held") == [(1, "mw"), (2, "mm")]


def test_the_third_level_goes_to_the_senior_manager_and_nothing_follows(world):
    convene(world)
    for hours in (0, 4, 8, 12, 48):
        sweep("strategy_meeting_not_held", DUE_BY + timedelta(hours=hours))
    assert chased("strategy_meeting_not_held") == [(1, "mm"), (2, "sm"), (3, "sm")]


def test_without_a_chair_the_mash_manager_is_reminded_and_a_restricted_child_is_not_named(world):
    convene(world, child(world, "Mia"), child(world, "Kai", date(2019, 1, 1), restricted=True))
    sweep("strategy_meeting_not_held", DUE_BY)
    assert chased("strategy_meeting_not_held") == [(1, "mm")]
    text = message("strategy_meeting_not_held", 1)
    assert "about Mia Okafor and a child whose record is restricted," in text
    assert "Kai" not in text
    assert "has not been, and it is not scheduled." in text


def test_a_chair_without_a_line_manager_falls_through_to_the_senior_manager(world):
    meeting = convene(world)
    services.meeting_schedule(meeting=meeting, by=world.mm, scheduled_for=london(2025, 3, 4, 15), chair=world.tm,
                              arranged_at=THRESHOLD)
    Membership.objects.filter(user=world.tm).update(line_manager=None)
    sweep("strategy_meeting_not_held", DUE_BY + timedelta(hours=4))
    assert chased("strategy_meeting_not_held") == [(1, "tm"), (2, "sm")]
    assert message("strategy_meeting_not_held", 2).endswith(
        "No one is recorded as their line manager, so this comes to you as the senior manager of children's social"
        " care."
    )


def test_a_meeting_considered_and_not_needed_is_not_chased(world):
    meeting = convene(world)
    sweep("strategy_meeting_not_held", DUE_BY)
    services.meeting_not_held(meeting=meeting, by=world.mm, rationale="Police took immediate protective action.")
    assert sweep("strategy_meeting_not_held", DUE_BY + timedelta(hours=8)).escalations == 0
    assert chased("strategy_meeting_not_held") == [(1, "mm")]


# -- invited agency silent --------------------------------------------------------------------------------------

# Scheduled for 14:00 on Tuesday 4 March 2025: an agency not heard by 10:00 is chased, again at 14:00.
SCHEDULED_FOR = london(2025, 3, 4, 14)
SILENT_AT = london(2025, 3, 4, 10)


def scheduled(w: World, *, heard: tuple[str, ...] = ("mm", "hv")) -> StrategyMeeting:
    """A scheduled meeting where everyone but the police has sent what they know."""
    meeting = convene(w)
    services.meeting_schedule(meeting=meeting, by=w.mm, scheduled_for=SCHEDULED_FOR, chair=w.mw,
                              arranged_at=meeting.threshold_met_at)
    for code in heard:
        services.meeting_contribute(meeting=meeting, by=w.persona(code), information="Known; nothing recent.",
                                    at=london(2025, 3, 3, 12))
    return meeting


@pytest.fixture
def sergeant(world):
    return UserFactory.create(username="sergeant", agency=world.police, role=Role.TEAM_MANAGER,
                              partnership=world.north)


def test_a_silent_agency_is_reminded_4_hours_before_the_meeting_then_its_manager(world, sergeant):
    meeting = scheduled(world)
    police = Invitation.objects.get(meeting=meeting, agency=world.police)
    assert sweep("invited_agency_silent", SILENT_AT - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        sweep("invited_agency_silent", SILENT_AT)
    assert chased("invited_agency_silent") == [(1, "po")]
    note = Notification.objects.get(kind="invited_agency_silent")
    assert (note.subject_type, note.subject_id, note.link) == (
        "strategy_meeting_invitation", police.pk, f"/strategy-meetings/{meeting.pk}/")
    assert note.message == (
        "Reminder: Shire Police is invited to the strategy meeting about Mia Okafor, on 4 March 2025 at 14:00, and"
        " has not been heard. Please send what your agency knows, even if it holds nothing."
    )
    assert sweep("invited_agency_silent", SCHEDULED_FOR - timedelta(minutes=1)).escalations == 0
    for _ in range(2):
        sweep("invited_agency_silent", SCHEDULED_FOR)
    assert chased("invited_agency_silent") == [(1, "po"), (2, "sergeant")]
    assert message("invited_agency_silent", 2) == (
        "Escalation (level 2 of 2): Shire Police has neither sent what it knows nor said whether it will attend"
        " the strategy meeting about Mia Okafor, on 4 March 2025 at 14:00."
    )


def test_a_contribution_stops_the_chase(world, sergeant):
    meeting = scheduled(world)
    sweep("invited_agency_silent", SILENT_AT)
    services.meeting_contribute(meeting=meeting, by=world.po, information="Two call-outs this year.",
                                at=london(2025, 3, 4, 11))
    assert sweep("invited_agency_silent", SCHEDULED_FOR).escalations == 0
    assert chased("invited_agency_silent") == [(1, "po")]


def test_a_meeting_held_without_the_agency_chases_it_from_the_time_held(world, sergeant):
    meeting = convene(world)
    services.meeting_contribute(meeting=meeting, by=world.hv, information="Seen at 2-year review.",
                                at=london(2025, 3, 3, 10))
    hold(world, meeting, london(2025, 3, 3, 16), police="no_response", csc="attended", health_visiting="attended")
    assert sweep("invited_agency_silent", london(2025, 3, 3, 15, 59)).reminders == 0
    sweep("invited_agency_silent", london(2025, 3, 3, 16))
    assert chased("invited_agency_silent") == [(1, "po")]
    assert "about Mia Okafor, held on 3 March 2025 at 16:00, and has not been heard" in message(
        "invited_agency_silent", 1)
    sweep("invited_agency_silent", london(2025, 3, 3, 20))
    assert chased("invited_agency_silent") == [(1, "po"), (2, "sergeant")]


def test_apologies_or_attendance_are_an_answer(world):
    meeting = convene(world)
    hold(world, meeting, london(2025, 3, 3, 16), police="apologies")
    assert sweep("invited_agency_silent", london(2025, 3, 4, 16)).reminders == 0


def test_an_agency_with_no_practitioner_here_is_chased_through_its_manager(world):
    meeting = scheduled(world, heard=("hv",))
    sweep("invited_agency_silent", SILENT_AT)
    # Children's social care's own people here are MASH and social-work roles: its team manager hears first.
    csc = Invitation.objects.get(meeting=meeting, agency=world.csc)
    assert chased("invited_agency_silent", csc.pk) == [(1, "tm")]
    assert Notification.objects.get(kind="invited_agency_silent", subject_id=csc.pk).message.endswith(
        "No one is recorded as a practitioner of the agency, so this comes to you as the agency's manager."
    )


# -- minutes not distributed ----------------------------------------------------------------------------------

# Held at 14:00 on Monday 3 March 2025: minutes due Tuesday 14:00, the chair's manager told Wednesday 14:00.
HELD_AT = london(2025, 3, 3, 14)
MINUTES_DUE = london(2025, 3, 4, 14)
MINUTES_LEVEL_2 = london(2025, 3, 5, 14)


def held(w: World, *, chair=None) -> StrategyMeeting:
    meeting = convene(w)
    services.meeting_schedule(meeting=meeting, by=w.mm, scheduled_for=HELD_AT, chair=chair or w.mw,
                              arranged_at=meeting.threshold_met_at)
    return hold(w, meeting, HELD_AT)


def test_undistributed_minutes_remind_the_chair_then_their_line_manager_a_working_day_later(world):
    meeting = held(world)
    assert sweep("minutes_not_distributed", MINUTES_DUE - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        sweep("minutes_not_distributed", MINUTES_DUE)
    assert chased("minutes_not_distributed") == [(1, "mw")]
    note = Notification.objects.get(kind="minutes_not_distributed")
    assert (note.subject_type, note.subject_id, note.link) == ("strategy_meeting", meeting.pk,
                                                                 f"/strategy-meetings/{meeting.pk}/")
    assert note.message == (
        "Reminder: the minutes of the strategy meeting about Mia Okafor, held on 3 March 2025 at 14:00, have not"
        " been distributed to the agencies. Please distribute the minutes and actions to every invited agency."
    )
    assert sweep("minutes_not_distributed", MINUTES_LEVEL_2 - timedelta(minutes=1)).escalations == 0
    for _ in range(2):
        sweep("minutes_not_distributed", MINUTES_LEVEL_2)
    assert chased("minutes_not_distributed") == [(1, "mw"), (2, "mm")]


def test_a_friday_meeting_before_a_bank_holiday_is_chased_on_tuesday(world):
    meeting = convene(world, threshold_met_at=london(2025, 5, 22, 16))
    hold(world, meeting, london(2025, 5, 23, 11))  # Friday; Monday 26 May is the spring bank holiday
    assert sweep("minutes_not_distributed", london(2025, 5, 27, 10, 59)).reminders == 0
    assert sweep("minutes_not_distributed", london(2025, 5, 27, 11)).reminders == 1
    assert chased("minutes_not_distributed") == [(1, "mm")]  # held by the MASH manager: the chair


def test_distributing_the_minutes_stops_the_chase(world):
    meeting = held(world)
    sweep("minutes_not_distributed", MINUTES_DUE)
    services.meeting_minutes_distribute(meeting=meeting, by=world.mm, minutes="Section 47 enquiry agreed.")
    assert sweep("minutes_not_distributed", MINUTES_LEVEL_2).escalations == 0
    assert chased("minutes_not_distributed") == [(1, "mw")]


def test_a_chair_without_a_line_manager_falls_through_to_an_administrator(world):
    Membership.objects.filter(user=world.tm).update(line_manager=None)
    held(world, chair=world.tm)
    sweep("minutes_not_distributed", MINUTES_LEVEL_2)
    assert chased("minutes_not_distributed") == [(1, "tm"), (2, "ad")]


# -- meeting action overdue -------------------------------------------------------------------------------------

# Due on Thursday 17 April 2025; Good Friday and Easter Monday follow: overdue at 09:00 on Tuesday 22 April, and
# the owner's manager is told at 09:00 on Wednesday.
ACTION_DUE_ON = date(2025, 4, 17)
ACTION_OVERDUE = london(2025, 4, 22, 9)
ACTION_LEVEL_2 = london(2025, 4, 23, 9)


def action(w: World, *, owner=None, agency: Agency | None = None) -> Action:
    meeting = convene(w, threshold_met_at=london(2025, 4, 14, 9))
    hold(w, meeting, london(2025, 4, 14, 15))
    return services.meeting_action_add(meeting=meeting, by=w.mm, description="Visit the family with police",
                                       owner_agency=agency or w.police, owner=owner, due_by=ACTION_DUE_ON)


def test_an_overdue_action_reminds_its_owner_then_their_line_manager(world, sergeant):
    Membership.objects.filter(user=world.po).update(line_manager=sergeant)
    made = action(world, owner=world.po)
    assert sweep("meeting_action_overdue", ACTION_OVERDUE - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        sweep("meeting_action_overdue", ACTION_OVERDUE)
    assert chased("meeting_action_overdue") == [(1, "po")]
    note = Notification.objects.get(kind="meeting_action_overdue")
    assert (note.subject_type, note.subject_id, note.link, note.due_at) == (
        "strategy_meeting_action", made.pk, f"/strategy-meetings/{made.meeting_id}/", ACTION_OVERDUE)
    assert note.message == (
        "Reminder: the action for Shire Police from the strategy meeting about Mia Okafor, due on 17 April 2025, is"
        " still open: Visit the family with police. Please complete it, or tell the chair why it cannot be done."
    )
    assert sweep("meeting_action_overdue", ACTION_LEVEL_2 - timedelta(minutes=1)).escalations == 0
    for _ in range(2):
        sweep("meeting_action_overdue", ACTION_LEVEL_2)
    assert chased("meeting_action_overdue") == [(1, "po"), (2, "sergeant")]


def test_an_action_with_no_owner_goes_to_the_agency_then_its_manager(world):
    inspector = UserFactory.create(username="inspector", agency=world.police, role=Role.SENIOR_MANAGER,
                                   partnership=world.north)
    action(world)
    sweep("meeting_action_overdue", ACTION_LEVEL_2)
    assert chased("meeting_action_overdue") == [(1, "po"), (2, inspector.username)]


def test_a_done_action_is_not_chased_further(world, sergeant):
    made = action(world, owner=world.po)
    sweep("meeting_action_overdue", ACTION_OVERDUE)
    Action.objects.filter(pk=made.pk).update(status=Action.Status.DONE, done_at=london(2025, 4, 22, 12))
    assert sweep("meeting_action_overdue", ACTION_LEVEL_2).escalations == 0
    assert chased("meeting_action_overdue") == [(1, "po")]


# -- conference date not set ----------------------------------------------------------------------------------

# Held (section 47) at 14:00 on Monday 3 March 2025: the conference is due by 24 March; unbooked, the chair is
# told at 14:00 on Tuesday and the chair's manager at 14:00 on Wednesday.


def test_a_section_47_meeting_with_no_conference_booked_reminds_the_chair_then_their_manager(world):
    meeting = held(world)
    assert meeting.icpc_due_by == date(2025, 3, 24)
    assert sweep("conference_date_not_set", MINUTES_DUE - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        sweep("conference_date_not_set", MINUTES_DUE)
    assert chased("conference_date_not_set") == [(1, "mw")]
    note = Notification.objects.get(kind="conference_date_not_set")
    assert (note.subject_type, note.subject_id, note.link) == ("strategy_meeting", meeting.pk,
                                                                 f"/strategy-meetings/{meeting.pk}/")
    assert note.message == (
        "Reminder: no initial child protection conference is booked for Mia Okafor: the strategy meeting on"
        " 3 March 2025 at 14:00 decided on a section 47 enquiry, and the conference is due by 24 March 2025."
        " Please book the conference and record its date on the meeting."
    )
    sweep("conference_date_not_set", MINUTES_LEVEL_2)
    assert chased("conference_date_not_set") == [(1, "mw"), (2, "mm")]


def test_booking_the_conference_stops_the_chase(world):
    meeting = held(world)
    sweep("conference_date_not_set", MINUTES_DUE)
    services.meeting_conference_book(meeting=meeting, by=world.sw, conference_at=london(2025, 3, 20, 10))
    assert sweep("conference_date_not_set", MINUTES_LEVEL_2).escalations == 0
    assert chased("conference_date_not_set") == [(1, "mw")]


def test_no_conference_is_chased_without_a_section_47_outcome(world):
    meeting = convene(world)
    services.meeting_hold(meeting=meeting, by=world.mm, held_at=HELD_AT, attendance={},
                          outcome="child_and_family_assessment", missing_agency_reason="Police sent nothing.")
    assert sweep("conference_date_not_set", MINUTES_LEVEL_2).reminders == 0


# -- one query per rule, and sweeps that do not grow with the work --------------------------------------------

CASES = [
    ("strategy_meeting_not_held", convene, DUE_BY),
    ("invited_agency_silent", scheduled, SILENT_AT),
    ("minutes_not_distributed", held, MINUTES_DUE),
    ("meeting_action_overdue", lambda world: action(world, owner=world.po), ACTION_OVERDUE),
    ("conference_date_not_set", held, MINUTES_DUE),
]


@pytest.mark.parametrize(("rule", "make", "now"), CASES)
def test_each_rule_finds_its_overdue_work_in_one_query(world, django_assert_num_queries, rule, make, now):
    for _ in range(3):
        make(world)
    calendars = calendars_for()
    with django_assert_num_queries(1):
        items = list(the_rule(rule).overdue(now, calendars))
    assert len(items) == 3 and all(item.overdue_at == now for item in items)


@pytest.mark.parametrize(("rule", "make", "now"), CASES)
def test_a_sweep_takes_as_many_queries_for_ten_items_as_for_one(world, rule, make, now):
    def counted() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            result = sweep(rule, now)
        return result.reminders, len(queries)

    make(world)
    one = counted()
    for _ in range(10):
        make(world)
    ten = counted()
    assert (one[0], ten[0]) == (1, 10)
    assert ten[1] == one[1]
