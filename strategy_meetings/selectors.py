"""Reads of strategy meetings (SPEC 3.4): a meeting as its page and the API show it, and the meetings listed.

Every read starts from ``strategy_meetings.permissions`` (``meeting_get_for``, ``meetings_visible``), so a user
never learns of a meeting they may not see. Children's social care (and administrators) see every agency's
contribution; an invited agency sees the meeting, its children, invitations, actions and minutes, and only its
own agency's contributions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency, Membership, User
from agencies.selectors import membership_of
from cases.permissions import people_visible
from referrals import rules as referral_rules
from strategy_meetings.models import (
    OPEN_STATUSES,
    Action,
    Contribution,
    Invitation,
    MinutesDistribution,
    StrategyMeeting,
    StrategyMeetingChild,
)
from strategy_meetings.permissions import NOT_CASEWORK, meeting_get_for, meeting_sees_all, meetings_visible

RESTRICTED_CHILD = "A child whose record is restricted"


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


# -- Work lists (the home page) ------------------------------------------------------------------------------

# The invitation responses that leave an agency unheard (with no contribution either).
UNHEARD_RESPONSES = ("", Invitation.Response.NO_RESPONSE)


def meetings_not_held(*, user: User) -> QuerySet[StrategyMeeting]:
    """The meetings the user may see that are still to be held, soonest due first: one query
    (strategy_meeting_open_idx)."""
    return meetings_listed(user=user).filter(status__in=OPEN_STATUSES)


def meetings_awaiting_agency(*, user: User) -> QuerySet[StrategyMeeting]:
    """The open meetings the user's agency is invited to and has not yet been heard at (no answer, no
    contribution), soonest first by the meeting's time if scheduled, else its due time (``moment``): one query.

    Each meeting carries ``required``: whether the agency's invitation is a required one.
    """
    membership = membership_of(user)
    if membership is None:
        return StrategyMeeting.objects.none()
    unheard = Invitation.objects.filter(meeting=OuterRef("pk"), agency_id=membership.agency_id,
                                        response__in=UNHEARD_RESPONSES)  # strategy_invitation_silent_idx
    contributed = Contribution.objects.filter(meeting=OuterRef("pk"),
                                              agency_id=membership.agency_id)  # strategy_contribution_idx
    return (
        meetings_visible(user)
        .filter(status__in=OPEN_STATUSES)
        .filter(Exists(unheard))
        .exclude(Exists(contributed))
        .annotate(moment=Coalesce("scheduled_for", "due_by"), required=Subquery(unheard.values("required")[:1]))
        .order_by("moment", "pk")
    )


def minutes_received(*, user: User, since: datetime) -> QuerySet[MinutesDistribution]:
    """The minutes distributed to the user's agency since ``since``, newest first, with their meetings: one
    query (strategy_minutes_agency_idx)."""
    membership = membership_of(user)
    if membership is None:
        return MinutesDistribution.objects.none()
    return (
        MinutesDistribution.objects.filter(agency_id=membership.agency_id, distributed_at__gte=since,
                                           meeting__in=meetings_visible(user))
        .select_related("meeting")
        .order_by("-distributed_at", "-pk")
    )


def meeting_actions_owned(*, user: User) -> QuerySet[Action]:
    """Open meeting actions the user owns, or their agency owns with no one named, soonest due first, with
    the owner agency: one query (strategy_action_agency_idx)."""
    membership = membership_of(user)
    if membership is None:
        return Action.objects.none()
    return (
        Action.objects.filter(status=Action.Status.OPEN, meeting__in=meetings_visible(user))
        .filter(Q(owner=user) | Q(owner__isnull=True, owner_agency_id=membership.agency_id))
        .select_related("owner_agency")
        .order_by("due_by", "pk")
    )


# -- Organising a meeting (its pages' choices) ---------------------------------------------------------------


def agencies_to_invite(meeting: StrategyMeeting) -> list[Agency]:
    """The agencies serving the meeting's partnership and not yet invited, by name: one query."""
    return list(
        Agency.objects.filter(partnerships=meeting.partnership_id)
        .exclude(strategy_meeting_invitations__meeting=meeting)
        .order_by("name", "pk")
    )


def chairs_for(meeting: StrategyMeeting) -> list[tuple[User, str]]:
    """Who may be chosen to chair, with their role: the active casework staff (not auditors or administrators)
    of children's social care serving the meeting's partnership, and the current chair wherever they work.
    One query (the current chair came with the meeting)."""
    memberships = (
        Membership.objects.filter(agency__kind=Agency.Kind.CHILDRENS_SOCIAL_CARE,
                                  agency__partnerships=meeting.partnership_id, user__is_active=True)
        .exclude(role__in=list(NOT_CASEWORK))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    chairs = [(membership.user, f"{membership.user.display_name} ({membership.get_role_display()})")
              for membership in memberships]
    chair = meeting.chair
    if chair is not None and all(user.pk != chair.pk for user, _ in chairs):
        chairs.insert(0, (chair, chair.display_name))
    return chairs


def meeting_invitations(meeting: StrategyMeeting) -> list[Invitation]:
    """The invited agencies, required first: one query."""
    return list(Invitation.objects.filter(meeting=meeting).select_related("agency"))


def meeting_actions(meeting: StrategyMeeting) -> list[Action]:
    """The meeting's actions with their owners, soonest due first: one query."""
    return list(Action.objects.filter(meeting=meeting).select_related("owner_agency", "owner"))


def action_owners(meeting: StrategyMeeting, invitations: list[Invitation]) -> list[Membership]:
    """Who may own an action: the active practitioners and managers of the invited agencies working in the
    meeting's partnership (not auditors or administrators), by name: one query."""
    return list(
        Membership.objects.filter(agency_id__in=[invitation.agency_id for invitation in invitations],
                                  partnership_id=meeting.partnership_id, user__is_active=True)
        .exclude(role__in=list(NOT_CASEWORK))
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
