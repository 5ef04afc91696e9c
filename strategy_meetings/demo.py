"""The demo partnership's strategy meetings (SPEC 9): one overdue and chased, one held and followed through.

The Okafor children (Chidi 9, Adaeze 6, Tobi 2): their mother's partner assaulted her and pushed Adaeze down
the stairs; the threshold for a strategy discussion was met 26 hours before the seed ran, so the meeting,
due 24 hours after (the partnership's setting), is 2 hours overdue. Children's social care, the police and
Northshire Health Visiting (Tobi's health visiting service) are invited as required, Northgate Primary School
(Chidi's and Adaeze's school) as proposed. The call was set for 3 hours ago, chaired by the MASH manager;
children's social care, the police and the school have sent what they know, health visiting has said nothing,
and a meeting cannot be recorded held without a required agency unless the reason is given, so it is still
not held. What the visitor sees:

- ``mash.manager`` (the chair): the meeting first under "Strategy meetings not yet held", "Overdue by 2 hours";
  a reminder (level 1 of the strategy-meeting-not-held chase, sent at its due time) that it has not been held.
  Level 2, to her line manager, is due 4 clock hours after level 1, 2 hours after the seed.
- ``health.visitor``: the meeting under "Requests for information to your agency" (its time passed, so
  "Overdue by 3 hours"), and a reminder sent 7 hours ago (level 1 of the invited-agency-silent chase, 4
  hours before the call). ``health.visitor.manager``: that chase's escalation, level 2 of 2, sent at the
  time of the call 3 hours ago: the chase is at its top.
- The meeting's page: the three contributions, and health visiting required and not heard.

The chase at level 2 is the one about health's silence: the not-held chase's level 1 falls due at the meeting's
due time and its level 2 four clock hours later, 28 hours after the threshold, so 26 hours after it the not-held
chase can only be at level 1.

The Carver children (Holly 8, Finn 4): a meeting held two working days ago inside its 24 hours, every invited
agency attending; the outcome a joint section 47 enquiry, the initial child protection conference booked, the
minutes distributed the same afternoon to every invited agency. Two actions are open: one for
``police.officer`` (on their home under "Your actions", with the minutes under "Records shared with your agency
recently"), one for Riverside Medical Practice with no one named (on ``gp``'s home).

Everything goes through the services, as the demo's users; the times the services stamp with the real clock
(invitations, distributions, notifications) are moved back to when the story has them happen, and the chase
engine is run at the moments its levels fell due, so its reminders carry those times.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction

from agencies.chasers import chase_run
from agencies.demo import born_ago, demo_agency, demo_user
from agencies.models import Notification, Partnership, User
from agencies.rules import WorkingCalendar
from agencies.selectors import calendar_for
from cases.models import Person
from cases.services.people import household_create, person_create
from strategy_meetings.models import Action, Invitation, MinutesDistribution, StrategyMeeting
from strategy_meetings.services import (
    meeting_action_add,
    meeting_conference_book,
    meeting_contribute,
    meeting_convene,
    meeting_hold,
    meeting_minutes_distribute,
    meeting_schedule,
)

F = Person.Sex.FEMALE
M = Person.Sex.MALE
# The rules the strategy meetings' story runs through, swept once more at the end so nothing due is left unsent.
MEETING_RULES = ("strategy_meeting_not_held", "invited_agency_silent", "minutes_not_distributed",
                 "meeting_action_overdue", "conference_date_not_set")
OKAFOR_THRESHOLD_HOURS_AGO = 26
# The Okafor call was set an hour before the meeting was due.
OKAFOR_CALL_BEFORE_DUE = timedelta(hours=1)


def _working_day_before(calendar: WorkingCalendar, day: date) -> date:
    day -= timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def _chase(now: datetime, rule: str) -> None:
    (result,) = chase_run(now=now, rules=[rule])
    if result.failed:
        raise RuntimeError(f"The {rule} chase failed while seeding the demo; see the log.")


def _backdate(meeting: StrategyMeeting, kind: str, at: datetime) -> None:
    """The notifications a service sent about the meeting, moved back to when the story sends them."""
    Notification.objects.filter(link=f"/strategy-meetings/{meeting.pk}/", kind=kind).update(created_at=at)


def _invited_at(meeting: StrategyMeeting, at: datetime) -> None:
    Invitation.objects.filter(meeting=meeting).update(invited_at=at)
    _backdate(meeting, "strategy_meeting_invitation", at)


def _scheduled(meeting: StrategyMeeting, *, by: User, scheduled_for: datetime, arranged_at: datetime) -> None:
    """Scheduled, chaired by ``by``, as arranged at ``arranged_at`` (and the agencies told then)."""
    meeting_schedule(meeting=meeting, by=by, scheduled_for=scheduled_for, chair=by, arranged_at=arranged_at)
    for kind in ("strategy_meeting_scheduled", "strategy_meeting_chair"):
        _backdate(meeting, kind, arranged_at)


def _okafor(partnership: Partnership, now: datetime) -> None:
    today = now.astimezone(calendar_for(partnership).tz).date()
    police, mash_manager = demo_user("police.officer"), demo_user("mash.manager")
    school = demo_agency(partnership, "Northgate Primary School")
    health_visiting = demo_agency(partnership, "Northshire Health Visiting")
    mother = person_create(partnership=partnership, by=police, given_name="Ngozi", family_name="Okafor",
                           date_of_birth=born_ago(today, 34), sex=F, first_language="English")
    chidi = person_create(partnership=partnership, by=police, given_name="Chidi", family_name="Okafor",
                          date_of_birth=born_ago(today, 9), sex=M, school=school)
    adaeze = person_create(partnership=partnership, by=police, given_name="Adaeze", family_name="Okafor",
                           date_of_birth=born_ago(today, 6), sex=F, school=school)
    tobi = person_create(partnership=partnership, by=police, given_name="Tobi", family_name="Okafor",
                         date_of_birth=born_ago(today, 2), sex=M, health_visiting=health_visiting)
    household_create(partnership=partnership, by=police, address="7 Orchard Close\nNorthtown", postcode="NT2 3GH",
                     members=[mother, chidi, adaeze, tobi])

    threshold = now - timedelta(hours=OKAFOR_THRESHOLD_HOURS_AGO)
    meeting = meeting_convene(
        partnership=partnership, by=mash_manager, children=[chidi, adaeze, tobi], threshold_met_at=threshold,
        reason="Police were called to the home after Chidi rang 999 saying his mother's partner was hitting her."
               " Adaeze was pushed down the stairs and has a head injury; Tobi was in the house. The partner left"
               " before officers arrived and his whereabouts are not known. Reasonable cause to suspect all three"
               " children are suffering significant harm.",
    )
    _invited_at(meeting, threshold + timedelta(minutes=20))
    call = meeting.due_by - OKAFOR_CALL_BEFORE_DUE
    _scheduled(meeting, by=mash_manager, scheduled_for=call, arranged_at=threshold + timedelta(minutes=30))
    meeting_contribute(
        meeting=meeting, by=police, at=threshold + timedelta(hours=2),
        information="Three call-outs to 7 Orchard Close this year, the partner arrested once for assault on"
                    " Ngozi (no further action). He has a previous conviction for violence against a former"
                    " partner. A marker is on the address; officers are looking for him.",
    )
    meeting_contribute(
        meeting=meeting, by=demo_user("social.worker"), at=threshold + timedelta(hours=4),
        information="Not open to children's social care. A contact two years ago about Chidi's attendance was"
                    " closed with advice. The children are staying with their grandmother while the police look"
                    " for the partner.",
    )
    meeting_contribute(
        meeting=meeting, by=demo_user("teacher"), at=threshold + timedelta(hours=6),
        information="Chidi's attendance is 81% and he has been withdrawn this term; Adaeze told her teacher last"
                    " month that she is scared when mummy's friend shouts. Adaeze came in with a dressing on her"
                    " forehead.",
    )
    # Northshire Health Visiting has not answered: reminded 4 hours before the call, escalated at the call.
    _chase(call - timedelta(hours=4), "invited_agency_silent")
    _chase(call, "invited_agency_silent")
    # Not held by its due time: the chair reminded.
    _chase(meeting.due_by, "strategy_meeting_not_held")


def _carver(partnership: Partnership, now: datetime) -> None:
    calendar = calendar_for(partnership)
    today = now.astimezone(calendar.tz).date()
    mash_worker, mash_manager, police = demo_user("mash.worker"), demo_user("mash.manager"), demo_user("police.officer")
    school = demo_agency(partnership, "Northgate Primary School")
    gp = demo_agency(partnership, "Riverside Medical Practice")
    holly = person_create(partnership=partnership, by=mash_worker, given_name="Holly", family_name="Carver",
                          date_of_birth=born_ago(today, 8), sex=F, school=school, gp_practice=gp)
    finn = person_create(partnership=partnership, by=mash_worker, given_name="Finn", family_name="Carver",
                         date_of_birth=born_ago(today, 4), sex=M, gp_practice=gp)
    household_create(partnership=partnership, by=mash_worker, address="41 Weaver Street\nNorthtown",
                     postcode="NT4 8JL", members=[holly, finn])

    held_at = datetime.combine(_working_day_before(calendar, _working_day_before(calendar, today)), time(10, 0),
                               calendar.tz)
    threshold = held_at - timedelta(hours=19)
    meeting = meeting_convene(
        partnership=partnership, by=mash_manager, children=[holly, finn], threshold_met_at=threshold,
        reason="Holly told her teacher that her mother's boyfriend locked her and Finn in their bedroom overnight"
               " and hit her with a belt; staff saw bruising to her thigh. Reasonable cause to suspect both"
               " children are suffering significant harm.",
    )
    _invited_at(meeting, threshold + timedelta(minutes=15))
    _scheduled(meeting, by=mash_manager, scheduled_for=held_at, arranged_at=threshold + timedelta(minutes=30))
    meeting_contribute(meeting=meeting, by=police, at=threshold + timedelta(hours=2),
                       information="The boyfriend has a caution for assault (2022). No call-outs to the address.")
    meeting_contribute(meeting=meeting, by=demo_user("gp"), at=threshold + timedelta(hours=16),
                       information="Finn has missed his last two asthma reviews; Holly was seen in March with a"
                                   " wrist injury said to be from a fall.")
    invited = Invitation.objects.filter(meeting=meeting).select_related("agency")
    meeting = meeting_hold(
        meeting=meeting, by=mash_manager, held_at=held_at, outcome=StrategyMeeting.Outcome.SECTION_47_JOINT,
        attendance={invitation.agency_id: Invitation.Response.ATTENDED for invitation in invited},
    )
    actions = (
        ("Interview Holly with a trained officer, jointly with the social worker, and speak to the boyfriend.",
         police.membership.agency, police, today + timedelta(days=2)),
        ("Send Finn's and Holly's health chronology to the social worker and book Finn's asthma review.", gp,
         None, today + timedelta(days=7)),
    )
    for description, agency, owner, due_by in actions:
        meeting_action_add(meeting=meeting, by=mash_manager, description=description, owner_agency=agency,
                           owner=owner, due_by=due_by)
    _backdate(meeting, "strategy_meeting_action", held_at + timedelta(hours=1))
    Action.objects.filter(meeting=meeting).update(created_at=held_at + timedelta(hours=1))
    assert meeting.icpc_due_by is not None  # noqa: S101 - a section 47 outcome sets the conference's due date
    conference_day = _working_day_before(calendar, _working_day_before(calendar, meeting.icpc_due_by))
    meeting_conference_book(meeting=meeting, by=mash_manager,
                            conference_at=datetime.combine(conference_day, time(10, 0), calendar.tz))
    distributed_at = held_at + timedelta(hours=5)
    meeting_minutes_distribute(
        meeting=meeting, by=mash_manager,
        minutes="Present: children's social care (chair), Northshire Police, Riverside Medical Practice, Northgate"
                " Primary School. Holly's account and the bruising give reasonable cause to suspect significant"
                " harm to both children. Outcome: section 47 enquiry, joint with police. The boyfriend is not to"
                " stay at the house while the enquiry runs; mother has agreed. Actions as listed.",
    )
    MinutesDistribution.objects.filter(meeting=meeting).update(distributed_at=distributed_at)
    StrategyMeeting.objects.filter(pk=meeting.pk).update(minutes_distributed_at=distributed_at)
    _backdate(meeting, "strategy_meeting_minutes", distributed_at)


@transaction.atomic
def seed_meetings_demo(*, partnership: Partnership, now: datetime) -> None:
    """The demo partnership's strategy meetings as they stand at ``now`` (after ``seed_referrals_demo``)."""
    _carver(partnership, now)
    _okafor(partnership, now)
    for rule in MEETING_RULES:
        _chase(now, rule)
