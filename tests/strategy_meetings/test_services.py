"""Strategy meetings' data layer: invitations, contributions, holding, actions, minutes (strategy_meetings/*)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Notification, Role
from agencies.rules import DEFAULT_TZ, WorkingCalendar
from audits.models import AccessLogEntry
from cases.models import Case, InformationShare, Person
from referrals import services as referral_services
from strategy_meetings import rules, services
from strategy_meetings.models import Invitation, MinutesDistribution, StrategyMeeting
from strategy_meetings.permissions import meeting_get_for, meetings_visible
from tests.conftest import World
from tests.factories import AgencyFactory, UserFactory

# Thursday 20 August 2026; Monday 31 August 2026 is the summer bank holiday.
THURSDAY = datetime(2026, 8, 20, 10, 0, tzinfo=DEFAULT_TZ)


def child(w: World, given: str = "Mia", **extra) -> Person:
    return Person.objects.create(partnership=w.north, given_name=given, family_name="Okafor",
                                 date_of_birth=date(2018, 1, 1), search_name=f"{given} okafor".lower(), **extra)


def convene(w: World, *children: Person, threshold_met_at: datetime | None = None) -> StrategyMeeting:
    return services.meeting_convene(
        partnership=w.north, by=w.mm, children=list(children) or [child(w)],
        threshold_met_at=threshold_met_at or timezone.now() - timedelta(hours=2),
        reason="Bruising seen by the school; the child says his stepfather hit him.",
    )


def invited(meeting: StrategyMeeting) -> dict[int, Invitation]:
    return {invitation.agency_id: invitation for invitation in Invitation.objects.filter(meeting=meeting)}


# -- Invitations -------------------------------------------------------------------------------------------------


def test_convening_invites_the_three_required_agencies_and_tells_them(world):
    meeting = convene(world)
    invitations = invited(meeting)
    assert {agency_id for agency_id, inv in invitations.items() if inv.required} == {
        world.csc.pk, world.police.pk, world.health_visiting.pk}
    assert InformationShare.objects.filter(record_type="strategymeeting", record_id=meeting.pk,
                                           agency=world.police).exists()
    told = Notification.objects.filter(subject_type="strategy_meeting", subject_id=meeting.pk)
    assert set(told.values_list("recipient__username", flat=True)) == {"mm", "po", "hv"}


def test_a_referral_decision_proposes_the_referrer_the_school_and_every_involved_agency(world):
    gp = AgencyFactory.create(name="Northgate Surgery", kind=Agency.Kind.HEALTH, health_kind="gp",
                              partnerships=[world.north])
    mia = child(world, school=world.school, gp_practice=gp)
    case = Case.objects.create(partnership=world.north, child=mia, status=Case.Status.CHILD_IN_NEED,
                               opened_on=date(2026, 1, 5))
    case.involved_agencies.add(world.mental_health)
    referral = referral_services.referral_create(
        by=world.mw, received_at=timezone.now() - timedelta(hours=3), referrer_agency=world.school,
        children=[mia], concerns="Bruising on his arm; he says his stepfather hit him.", consent="given",
    )
    referral_services.referral_decide(referral=referral, by=world.mm, outcome="strategy_discussion",
                                      rationale="Reasonable cause to suspect significant harm.")

    meeting = StrategyMeeting.objects.get(referral=referral)
    invitations = invited(meeting)
    # The child's own health service (the GP recorded) is the required health agency.
    assert {a for a, inv in invitations.items() if inv.required} == {world.csc.pk, world.police.pk, gp.pk}
    assert {a for a, inv in invitations.items() if not inv.required} == {world.school.pk, world.mental_health.pk}
    assert "Made the referral." in invitations[world.school.pk].proposed_because
    assert "school" in invitations[world.school.pk].proposed_because
    assert invitations[world.mental_health.pk].proposed_because == "Involved with the family."
    assert meeting in meetings_visible(world.mh)


def test_an_invited_police_officer_sees_the_meeting_and_an_officer_not_invited_does_not(world):
    meeting = convene(world)
    other_force = AgencyFactory.create(name="Other Police", kind=Agency.Kind.POLICE, partnerships=[world.north])
    stranger = UserFactory.create(username="po2", agency=other_force, role=Role.PRACTITIONER)

    assert list(meetings_visible(world.po)) == [meeting]
    assert meeting_get_for(world.po, meeting.pk) == meeting
    assert AccessLogEntry.objects.filter(user=world.po, record_type="strategy_meeting", record_id=meeting.pk,
                                         action="view").exists()
    assert list(meetings_visible(stranger)) == []
    with pytest.raises(Http404):
        meeting_get_for(stranger, meeting.pk)
    # Not invited: the adult mental-health service; another partnership's social worker sees nothing either.
    assert list(meetings_visible(world.mh)) == []
    assert list(meetings_visible(world.out)) == []
    assert list(meetings_visible(world.sw)) == [meeting]


def test_inviting_an_agency_afterwards_shares_the_meeting_once(world):
    meeting = convene(world)
    services.meeting_invite(meeting=meeting, by=world.mw, agency=world.mental_health)
    assert meeting in meetings_visible(world.mh)
    with pytest.raises(ValidationError) as refused:
        services.meeting_invite(meeting=meeting, by=world.mw, agency=world.mental_health)
    assert "already invited" in refused.value.message_dict["agency"][0]
    with pytest.raises(PermissionDenied):
        services.meeting_invite(meeting=meeting, by=world.po, agency=world.school)


# -- Contributions and holding -----------------------------------------------------------------------------------


def test_an_invited_agency_contributes_and_is_marked_as_having_sent_information(world):
    meeting = convene(world)
    services.meeting_contribute(meeting=meeting, by=world.po, information="Two call-outs to the address this year.")
    assert invited(meeting)[world.police.pk].response == Invitation.Response.SENT_INFORMATION
    with pytest.raises(PermissionDenied):
        services.meeting_contribute(meeting=meeting, by=world.mh, information="Mother is under our care.")
    with pytest.raises(ValidationError) as refused:
        services.meeting_contribute(meeting=meeting, by=world.hv, information="  ")
    assert "information" in refused.value.message_dict


def test_holding_with_health_absent_and_silent_is_refused_and_accepted_with_a_reason(world):
    meeting = convene(world)
    services.meeting_contribute(meeting=meeting, by=world.po, information="Two call-outs to the address this year.")
    attendance = {world.csc.pk: "attended", world.health_visiting.pk: "no_response"}

    with pytest.raises(ValidationError) as refused:
        services.meeting_hold(meeting=meeting, by=world.mm, held_at=timezone.now(), attendance=attendance,
                              outcome="section_47_joint")
    message = refused.value.message_dict["missing_agency_reason"][0]
    assert "North Health Visiting neither attended nor sent information" in message
    assert StrategyMeeting.objects.get(pk=meeting.pk).status == StrategyMeeting.Status.DUE

    held = services.meeting_hold(meeting=meeting, by=world.mm, held_at=timezone.now(), attendance=attendance,
                                 outcome="child_and_family_assessment",
                                 missing_agency_reason="Health visitor on leave; the duty line did not answer.")
    assert held.status == StrategyMeeting.Status.HELD
    assert held.missing_agency_reason.startswith("Health visitor on leave")
    assert held.chair == world.mm
    responses = {a: inv.response for a, inv in invited(meeting).items()}
    assert responses == {world.csc.pk: "attended", world.police.pk: "sent_information",
                         world.health_visiting.pk: "no_response"}
    assert held.icpc_due_by is None


def test_a_section_47_outcome_sets_the_conference_15_working_days_on_skipping_the_bank_holiday(world):
    meeting = convene(world, threshold_met_at=THURSDAY - timedelta(hours=3))
    every_agency = {agency_id: "attended" for agency_id in invited(meeting)}
    held = services.meeting_hold(meeting=meeting, by=world.mm, held_at=THURSDAY, attendance=every_agency,
                                 outcome="section_47_joint")
    # Fri 21 Aug is day 1; Mon 31 Aug is a bank holiday; day 15 is Friday 11 September (not Thursday 10th).
    assert held.icpc_due_by == date(2026, 9, 11)


def test_the_conference_date_counts_from_the_day_of_the_meeting_whatever_the_hour():
    calendar = WorkingCalendar()
    late = datetime(2026, 8, 20, 19, 30, tzinfo=DEFAULT_TZ)
    assert rules.icpc_due_by(late, calendar) == date(2026, 9, 11)
    assert rules.icpc_due_by(datetime(2026, 9, 1, 9, 0, tzinfo=DEFAULT_TZ), calendar) == date(2026, 9, 22)
    assert rules.SECTION_47_OUTCOMES <= set(StrategyMeeting.Outcome.values)


def test_who_may_hold_a_meeting(world):
    meeting = convene(world)
    hold: dict[str, Any] = {"held_at": timezone.now(), "attendance": {a: "attended" for a in invited(meeting)},
                            "outcome": "no_further_action"}
    for user in (world.mw, world.sw, world.po, world.au, world.ad):
        with pytest.raises(PermissionDenied):
            services.meeting_hold(meeting=meeting, by=user, **hold)
    services.meeting_schedule(meeting=meeting, by=world.mw, scheduled_for=timezone.now() + timedelta(hours=1),
                              chair=world.sw)
    meeting.refresh_from_db()
    assert meeting.status == StrategyMeeting.Status.SCHEDULED
    assert services.meeting_hold(meeting=meeting, by=world.sw, **hold).status == StrategyMeeting.Status.HELD


def test_considered_but_not_held_needs_a_rationale(world):
    meeting = convene(world)
    with pytest.raises(ValidationError) as refused:
        services.meeting_not_held(meeting=meeting, by=world.tm, rationale=" ")
    assert "rationale" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.meeting_not_held(meeting=meeting, by=world.mw, rationale="Not needed.")
    done = services.meeting_not_held(meeting=meeting, by=world.tm, rationale="Injury explained by the GP.",
                                     instead="Single-agency assessment by the social worker.")
    assert done.status == StrategyMeeting.Status.CONSIDERED_NOT_HELD
    assert done.not_held_instead.startswith("Single-agency")


# -- Actions and minutes -----------------------------------------------------------------------------------------


def _held(w: World) -> StrategyMeeting:
    meeting = convene(w)
    return services.meeting_hold(meeting=meeting, by=w.mm, held_at=timezone.now(),
                                 attendance={a: "attended" for a in invited(meeting)}, outcome="section_47_joint")


def test_an_action_belongs_to_an_invited_agency_and_tells_its_owner(world):
    meeting = _held(world)
    with pytest.raises(ValidationError) as refused:
        services.meeting_action_add(meeting=meeting, by=world.mm, description="Check school attendance",
                                    owner_agency=world.school, due_by=timezone.localdate() + timedelta(days=3))
    assert "not invited" in refused.value.message_dict["owner_agency"][0]
    action = services.meeting_action_add(meeting=meeting, by=world.mm, description="Joint visit to the home",
                                         owner_agency=world.police, owner=world.po,
                                         due_by=timezone.localdate() + timedelta(days=1))
    assert action.status == "open"
    assert Notification.objects.filter(recipient=world.po, kind="strategy_meeting_action").count() == 1


def test_minutes_go_to_every_invited_agency_exactly_once(world):
    meeting = _held(world)
    with pytest.raises(ValidationError) as refused:
        services.meeting_minutes_distribute(meeting=meeting, by=world.mm)
    assert "minutes" in refused.value.message_dict

    services.meeting_minutes_distribute(meeting=meeting, by=world.mm, minutes="Section 47 agreed; joint visit.")
    with pytest.raises(ValidationError):
        services.meeting_minutes_distribute(meeting=meeting, by=world.mm)

    meeting.refresh_from_db()
    assert meeting.minutes_distributed_at is not None
    received = list(MinutesDistribution.objects.filter(meeting=meeting).values_list("agency_id", flat=True))
    assert sorted(received) == sorted(invited(meeting))
    assert Notification.objects.filter(recipient=world.po, kind="strategy_meeting_minutes").count() == 1


def test_draft_minutes_are_kept_unseen_until_distributed_then_no_longer_change(world):
    meeting = _held(world)
    services.meeting_minutes_save(meeting=meeting, by=world.mm, minutes="  Draft: section 47 agreed.  ")
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.minutes_distributed_at) == ("Draft: section 47 agreed.", None)
    assert not MinutesDistribution.objects.filter(meeting=meeting).exists()
    with pytest.raises(PermissionDenied):
        services.meeting_minutes_save(meeting=meeting, by=world.po, minutes="Police's version.")

    services.meeting_minutes_distribute(meeting=meeting, by=world.mm)  # the draft as saved
    meeting.refresh_from_db()
    assert meeting.minutes == "Draft: section 47 agreed."
    with pytest.raises(ValidationError) as refused:
        services.meeting_minutes_save(meeting=meeting, by=world.mm, minutes="Changed afterwards.")
    assert "were distributed on" in refused.value.messages[0]


def test_an_action_is_marked_done_once_by_its_agency_or_the_organiser_only(world):
    meeting = _held(world)
    due = timezone.localdate() + timedelta(days=2)
    police_action = services.meeting_action_add(meeting=meeting, by=world.mm, description="Joint visit",
                                                owner_agency=world.police, due_by=due)
    with pytest.raises(PermissionDenied):
        services.meeting_action_done(action=police_action, by=world.hv)
    done = services.meeting_action_done(action=police_action, by=world.po)
    assert done.status == "done" and done.done_at is not None
    with pytest.raises(ValidationError) as refused:
        services.meeting_action_done(action=police_action, by=world.mm)
    assert "was marked done on" in refused.value.messages[0]

    health_action = services.meeting_action_add(meeting=meeting, by=world.mm, description="Health review",
                                                owner_agency=world.health_visiting, due_by=due)
    assert services.meeting_action_done(action=health_action, by=world.sw).status == "done"


def test_the_conference_is_booked_only_after_a_section_47_outcome_and_not_before_the_meeting(world):
    meeting = _held(world)
    assert meeting.held_at is not None
    with pytest.raises(ValidationError) as refused:
        services.meeting_conference_book(meeting=meeting, by=world.sw,
                                         conference_at=meeting.held_at - timedelta(days=1))
    assert refused.value.message_dict == {"conference_at": ["The conference cannot be before the strategy meeting."]}
    with pytest.raises(PermissionDenied):
        services.meeting_conference_book(meeting=meeting, by=world.po,
                                         conference_at=meeting.held_at + timedelta(days=10))
    booked = services.meeting_conference_book(meeting=meeting, by=world.sw,
                                              conference_at=meeting.held_at + timedelta(days=10))
    assert booked.icpc_at == meeting.held_at + timedelta(days=10)

    other = convene(world)
    services.meeting_hold(meeting=other, by=world.mm, held_at=timezone.now(),
                          attendance={a: "attended" for a in invited(other)}, outcome="no_further_action")
    with pytest.raises(ValidationError) as refused:
        services.meeting_conference_book(meeting=other, by=world.sw, conference_at=timezone.now() + timedelta(days=5))
    assert "section 47" in refused.value.messages[0]
    other.refresh_from_db()
    assert other.icpc_at is None


def test_scheduling_tells_the_chair_and_every_invited_agency_and_refuses_a_past_time_or_an_outside_chair(world):
    meeting = convene(world)
    with pytest.raises(ValidationError) as refused:
        services.meeting_schedule(meeting=meeting, by=world.mw, scheduled_for=timezone.now() - timedelta(days=365))
    assert "must be in the future" in refused.value.message_dict["scheduled_for"][0]
    # A teacher of a school not invited could not open the meeting they would chair.
    with pytest.raises(ValidationError) as refused:
        services.meeting_schedule(meeting=meeting, by=world.mw, scheduled_for=timezone.now() + timedelta(hours=2),
                                  chair=world.te)
    assert "chair" in refused.value.message_dict
    meeting.refresh_from_db()
    assert (meeting.status, meeting.scheduled_for) == ("due", None)

    services.meeting_schedule(meeting=meeting, by=world.mw, scheduled_for=timezone.now() + timedelta(hours=2),
                              chair=world.sw)
    told = Notification.objects.filter(subject_type="strategy_meeting", subject_id=meeting.pk)
    assert set(told.filter(kind="strategy_meeting_scheduled").values_list("recipient__username", flat=True)) == {
        "mm", "po", "hv"}
    assert list(told.filter(kind="strategy_meeting_chair").values_list("recipient__username", flat=True)) == ["sw"]
    assert "is set for" in told.filter(kind="strategy_meeting_scheduled").order_by("pk")[0].message
    # An invited police officer may chair.
    services.meeting_schedule(meeting=meeting, by=world.mw, scheduled_for=timezone.now() + timedelta(hours=3),
                              chair=world.po)
    latest = told.filter(kind="strategy_meeting_scheduled", recipient=world.hv).order_by("-pk")[0]
    assert "is moved to" in latest.message


def test_minutes_saved_by_someone_else_since_they_were_opened_are_not_overwritten(world):
    meeting = _held(world)
    opened = rules.minutes_digest(meeting.minutes)
    services.meeting_minutes_save(meeting=meeting, by=world.tm, minutes="Team manager's notes.", seen=opened)
    for attempt in (services.meeting_minutes_save, services.meeting_minutes_distribute):
        with pytest.raises(ValidationError) as refused:
            attempt(meeting=meeting, by=world.mm, minutes="MASH manager's notes.", seen=opened)
        assert refused.value.message_dict["minutes"] == [services.STALE_MINUTES]
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.minutes_distributed_at) == ("Team manager's notes.", None)
    services.meeting_minutes_distribute(meeting=meeting, by=world.mm, minutes="Both sets of notes.",
                                        seen=rules.minutes_digest("Team manager's notes."))
    meeting.refresh_from_db()
    assert meeting.minutes == "Both sets of notes." and meeting.minutes_distributed_at is not None
