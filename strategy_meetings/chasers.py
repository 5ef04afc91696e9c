"""Chase rules owned by strategy meetings (SPEC 5): a meeting not held by its due time, an invited agency silent
as the meeting nears, minutes not distributed, meeting actions overdue, and no conference date set after a
section 47 outcome. Each message links to the meeting's page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import ClassVar

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from agencies.chasers import (
    ChaseRule,
    ClockHours,
    Overdue,
    WorkingDays,
    chase_rule,
    children_names,
    other_than,
)
from agencies.chasers import moment_words as _when
from agencies.chasers import names_joined as _names
from agencies.models import User
from agencies.rules import DEFAULT_TZ
from agencies.selectors import ChasePeople, PartnershipCalendars
from cases.chasers_plans import ActionOverdue, action_overdue_at, action_quoted
from strategy_meetings.models import Action, Contribution, Invitation, StrategyMeeting, StrategyMeetingChild

# An invited agency that has not been heard this long before the meeting is chased.
SILENT_BEFORE = timedelta(hours=4)
SILENT_RESPONSES = ("", Invitation.Response.NO_RESPONSE)


@chase_rule
class StrategyMeetingNotHeld(ChaseRule):
    """A strategy meeting not held (nor recorded as considered and not needed) by its due time.

    Every four clock hours, since a child may be at immediate risk.
    """

    name = "strategy_meeting_not_held"
    subject_type = "strategy_meeting"
    levels = 3
    interval = ClockHours(4)
    ladder = ("the chair (else the MASH manager)", "their line manager",
              "the senior manager of children's social care")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                StrategyMeeting.objects.filter(
                    status__in=(StrategyMeeting.Status.DUE, StrategyMeeting.Status.SCHEDULED), due_by__lte=now,
                )  # strategy_meeting_open_idx
            )
            .order_by()
            .annotate(names=children_names(StrategyMeetingChild, "meeting_id", "pk"))
            .values_list("pk", "partnership_id", "due_by", "threshold_met_at", "scheduled_for", "chair_id", "names")
        )
        for pk, partnership_id, due_by, threshold_met_at, scheduled_for, chair_id, names in rows:
            planned = f"; it is scheduled for {_when(scheduled_for)}" if scheduled_for else ", and it is not scheduled"
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=due_by,
                summary=(
                    f"the strategy meeting about {_names(names)}, whose threshold was reached on"
                    f" {_when(threshold_met_at)}, was due to be held by {_when(due_by)} and has not been{planned}"
                ),
                user_id=chair_id,
                link=_meeting_link(pk),
            )

    def _first(self, item: Overdue, people: ChasePeople) -> User | None:
        # The chair; none recorded (or they have left): the MASH manager.
        return people.user(item.user_id) or people.mash_manager(item.partnership_id)

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        first = self._first(item, people)
        if level == 1:
            return first
        first_id = first.pk if first is not None else item.user_id
        if level == 2:
            return other_than(people.line_manager_of(first_id), first_id)
        return other_than(people.csc_senior_manager(item.partnership_id), first_id)

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return (
                f"Reminder: {item.summary}. Please hold the meeting, or record why it is not needed and what was"
                " done instead."
            )
        return super().message(item, level)


@chase_rule
class InvitedAgencySilent(ChaseRule):
    """An invited agency that has neither contributed nor answered, 4 hours before the meeting (or once held)."""

    name = "invited_agency_silent"
    subject_type = "strategy_meeting_invitation"
    levels = 2
    interval = ClockHours(4)
    ladder = ("a practitioner of the agency", "the agency's manager")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        contributed = Contribution.objects.filter(meeting_id=OuterRef("meeting_id"), agency_id=OuterRef("agency_id"))
        rows = (
            self.unfinished(
                Invitation.objects.filter(response__in=SILENT_RESPONSES)  # strategy_invitation_silent_idx
                .filter(
                    Q(meeting__status=StrategyMeeting.Status.SCHEDULED,
                      meeting__scheduled_for__lte=now + SILENT_BEFORE)  # strategy_meeting_scheduled_idx
                    | Q(meeting__status=StrategyMeeting.Status.HELD, meeting__held_at__lte=now)
                )
                .exclude(Exists(contributed))  # strategy_contribution_idx
            )
            .order_by()
            .annotate(names=children_names(StrategyMeetingChild, "meeting_id", "meeting_id"))
            .values_list("pk", "partnership_id", "agency_id", "agency__name", "meeting_id", "meeting__status",
                         "meeting__scheduled_for", "meeting__held_at", "names")
        )
        for pk, partnership_id, agency_id, agency, meeting_id, status, scheduled_for, held_at, names in rows:
            moments = [scheduled_for - SILENT_BEFORE] if scheduled_for is not None else []
            if status == StrategyMeeting.Status.HELD and held_at is not None:
                moments.append(held_at)
                meeting = f"held on {_when(held_at)}"
            else:
                meeting = f"on {_when(scheduled_for)}"
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=min(moments),
                summary=(
                    f"{agency} has neither sent what it knows nor said whether it will attend the strategy meeting"
                    f" about {_names(names)}, {meeting}"
                ),
                agency_id=agency_id,
                facts={"agency": agency, "names": _names(names), "meeting": meeting},
                link=_meeting_link(meeting_id),
            )

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.agency_inbox(item.agency_id, item.partnership_id)
        return people.agency_manager(item.agency_id, item.partnership_id)

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return (
                f"Reminder: {item.facts['agency']} is invited to the strategy meeting about {item.facts['names']},"
                f" {item.facts['meeting']}, and has not been heard. Please send what your agency knows, even if it"
                " holds nothing."
            )
        return super().message(item, level)


class AfterTheMeeting(ChaseRule):
    """What the chair owes once a meeting is held, a working day after it: the chair, then their line manager.
    Each rule says what it asks for (``ask``)."""

    subject_type = "strategy_meeting"
    levels = 2
    interval = WorkingDays(1)
    ladder = ("the chair", "the chair's line manager")
    ask: ClassVar[str]

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.user(item.user_id)
        return other_than(people.line_manager_of(item.user_id), item.user_id)

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return f"Reminder: {item.summary}. {self.ask}"
        return super().message(item, level)


@chase_rule
class MinutesNotDistributed(AfterTheMeeting):
    """A held meeting's minutes (with its actions) not sent to the agencies 1 working day after it was held."""

    name = "minutes_not_distributed"
    ask = "Please distribute the minutes and actions to every invited agency."

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                StrategyMeeting.objects.filter(
                    status=StrategyMeeting.Status.HELD, minutes_distributed_at__isnull=True, held_at__lte=now,
                )  # strategy_meeting_minutes_idx
            )
            .order_by()
            .annotate(names=children_names(StrategyMeetingChild, "meeting_id", "pk"))
            .values_list("pk", "partnership_id", "held_at", "chair_id", "names")
        )
        for pk, partnership_id, held_at, chair_id, names in rows:
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=calendars[partnership_id].add_working_days(held_at, 1),
                summary=(
                    f"the minutes of the strategy meeting about {_names(names)}, held on {_when(held_at)}, have"
                    " not been distributed to the agencies"
                ),
                user_id=chair_id,
                link=_meeting_link(pk),
            )


@chase_rule
class MeetingActionOverdue(ActionOverdue):
    """An action agreed at a strategy meeting still open after its due date (from the next working day)."""

    name = "meeting_action_overdue"
    subject_type = "strategy_meeting_action"
    ask = "Please complete it, or tell the chair why it cannot be done."

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                Action.objects.filter(status=Action.Status.OPEN, due_by__lt=now.astimezone(DEFAULT_TZ).date())
            )  # strategy_action_open_idx
            .order_by()
            .annotate(names=children_names(StrategyMeetingChild, "meeting_id", "meeting_id"))
            .values_list("pk", "partnership_id", "meeting_id", "due_by", "description", "owner_id", "owner_agency_id",
                         "owner_agency__name", "names")
        )
        for pk, partnership_id, meeting_id, due_by, description, owner_id, agency_id, agency, names in rows:
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=action_overdue_at(due_by, calendars[partnership_id]),
                summary=(
                    f"the action for {agency} from the strategy meeting about {_names(names)}, due on"
                    f" {due_by.day} {due_by:%B %Y}, is still open: {action_quoted(description)}"
                ),
                user_id=owner_id,
                agency_id=agency_id,
                link=_meeting_link(meeting_id),
            )


@chase_rule
class ConferenceDateNotSet(AfterTheMeeting):
    """A section 47 outcome with no initial child protection conference booked 1 working day after the meeting,
    while the 15 working days to the conference run."""

    name = "conference_date_not_set"
    ask = "Please book the conference and record its date on the meeting."

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                StrategyMeeting.objects.filter(
                    icpc_due_by__isnull=False, icpc_at__isnull=True, held_at__lte=now,
                )  # strategy_icpc_unset_idx
            )
            .order_by()
            .annotate(names=children_names(StrategyMeetingChild, "meeting_id", "pk"))
            .values_list("pk", "partnership_id", "held_at", "icpc_due_by", "chair_id", "names")
        )
        for pk, partnership_id, held_at, icpc_due_by, chair_id, names in rows:
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=calendars[partnership_id].add_working_days(held_at, 1),
                summary=(
                    f"no initial child protection conference is booked for {_names(names)}: the strategy meeting"
                    f" on {_when(held_at)} decided on a section 47 enquiry, and the conference is due by"
                    f" {icpc_due_by.day} {icpc_due_by:%B %Y}"
                ),
                user_id=chair_id,
                link=_meeting_link(pk),
            )


def _meeting_link(meeting_id: int) -> str:
    return reverse("meeting-detail", args=[meeting_id])
