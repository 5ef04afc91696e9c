"""Reads of strategy meetings (SPEC 3.4): a meeting as its page and the API show it, and the meetings listed.

Every read starts from ``strategy_meetings.permissions`` (``meeting_get_for``, ``meetings_visible``), so a user
never learns of a meeting they may not see. Children's social care (and administrators) see every agency's
contribution; an invited agency sees the meeting, its children, invitations, actions and minutes, and only its
own agency's contributions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import User
from agencies.selectors import membership_of
from cases.permissions import people_visible
from referrals import rules as referral_rules
from strategy_meetings.models import (
    Action,
    Contribution,
    Invitation,
    MinutesDistribution,
    StrategyMeeting,
    StrategyMeetingChild,
)
from strategy_meetings.permissions import meeting_get_for, meeting_sees_all, meetings_visible

RESTRICTED_CHILD = "A child whose record is restricted"
OPEN_STATUSES = (StrategyMeeting.Status.DUE, StrategyMeeting.Status.SCHEDULED)


@dataclass(frozen=True)
class MeetingChild:
    """A child the meeting is about, as the user may know them (a restricted child is not named)."""

    person_id: int
    name: str
    date_of_birth: date | None
    may_open: bool


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    # The agency's contributions the user may read (all for CSC; the user's own agency's otherwise).
    contributions: list[Contribution]


@dataclass(frozen=True)
class MeetingDetail:
    meeting: StrategyMeeting
    children: list[MeetingChild]
    invitations: list[InvitationRow]
    contributions: list[Contribution]
    actions: list[Action]
    distributions: list[MinutesDistribution]
    # While the meeting is due or scheduled: how long until it is due ("3 hours left", "Overdue by 2 hours").
    time_left: referral_rules.TimeLeft | None
    sees_all: bool


def meeting_children(*, user: User, meeting_ids: list[int]) -> dict[int, list[MeetingChild]]:
    """The children of the given (visible) meetings: two queries whatever their number."""
    rows = list(
        StrategyMeetingChild.objects.filter(meeting_id__in=meeting_ids).select_related("child")
        .order_by("meeting_id", "child__date_of_birth", "pk")
    )
    openable = set(people_visible(user).filter(pk__in=[row.child_id for row in rows]).values_list("pk", flat=True))
    children: dict[int, list[MeetingChild]] = {}
    for row in rows:
        child = row.child
        may_open = child.pk in openable
        hidden = child.restricted and not may_open
        children.setdefault(row.meeting_id, []).append(MeetingChild(
            person_id=child.pk,
            name=RESTRICTED_CHILD if hidden else child.full_name,
            date_of_birth=None if hidden else child.date_of_birth,
            may_open=may_open,
        ))
    return children


def meeting_detail_of(*, user: User, meeting: StrategyMeeting) -> MeetingDetail:
    """The meeting (already fetched through ``meeting_get_for``) with everything its page shows.

    Queries: children and the openable children (2), invitations with their agencies (1), contributions with
    agency and author (1), actions with owner agency and owner (1), distributions with agency (1).
    """
    sees_all = meeting_sees_all(user)
    contributions_qs = Contribution.objects.filter(meeting=meeting).select_related("agency", "by")
    if not sees_all:
        membership = membership_of(user)
        contributions_qs = (contributions_qs.filter(agency_id=membership.agency_id) if membership is not None
                            else contributions_qs.none())
    contributions = list(contributions_qs)
    by_agency: dict[int, list[Contribution]] = {}
    for contribution in contributions:
        by_agency.setdefault(contribution.agency_id, []).append(contribution)
    invitations = [
        InvitationRow(invitation, by_agency.get(invitation.agency_id, []))
        for invitation in Invitation.objects.filter(meeting=meeting).select_related("agency")
    ]
    time_left = (referral_rules.time_left(meeting.due_by, timezone.now())
                 if meeting.status in OPEN_STATUSES else None)
    return MeetingDetail(
        meeting=meeting,
        children=meeting_children(user=user, meeting_ids=[meeting.pk]).get(meeting.pk, []),
        invitations=invitations,
        contributions=contributions,
        actions=list(Action.objects.filter(meeting=meeting).select_related("owner_agency", "owner")),
        distributions=list(MinutesDistribution.objects.filter(meeting=meeting).select_related("agency")),
        time_left=time_left,
        sees_all=sees_all,
    )


def meeting_detail(*, user: User, meeting_id: int) -> MeetingDetail:
    """The meeting as the user may see it, or Http404; the view is logged."""
    return meeting_detail_of(user=user, meeting=meeting_get_for(user, meeting_id))


def meetings_listed(*, user: User) -> QuerySet[StrategyMeeting]:
    """The meetings the user may see, soonest due first: one query (chair, referral, partnership joined)."""
    return (
        meetings_visible(user)
        .select_related("chair", "referral", "partnership")
        .order_by("due_by", "pk")
    )
