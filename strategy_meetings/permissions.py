"""Who may see and act on strategy meetings (SPEC 6, ACCESS.md), and the one way to fetch one for a user.

- Children's social care users (not auditors) see every meeting of the partnerships their agency serves.
- Any other agency sees a meeting only once invited: the invitation grants the meeting to its group
  (``record_share_with``, with an information-sharing record). It sees the meeting, not the rest of the case.
- Holding, recording "considered but not held" and distributing minutes: a MASH manager, team manager or
  senior manager of children's social care, or the meeting's chair.
- Contributing: children's social care casework staff, or a practitioner or manager of an invited agency.
- Organising (inviting, scheduling, adding actions): children's social care casework staff, or the chair.
- An auditor reads, whole, the meetings about the children sampled into their open audit rounds, and takes
  no part in them. A denial is a 404 when the user may not know the meeting exists, a 403 when they may.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from agencies.models import Agency, Role, User
from agencies.permissions import records_visible
from agencies.selectors import membership_of
from audits.permissions import children_audited_by, is_auditor
from audits.services import access_record
from cases.permissions import sees_whole_partnership, served_partnerships
from strategy_meetings.models import Invitation, StrategyMeeting, StrategyMeetingChild

MANAGE_ROLES = frozenset({Role.MASH_MANAGER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER})
NOT_CASEWORK = frozenset({Role.AUDITOR, Role.ADMIN})


def _csc_role(user: User) -> str | None:
    """The user's role if they work in children's social care (and are not an auditor), else None."""
    membership = membership_of(user)
    if membership is None or not sees_whole_partnership(user):
        return None
    return str(membership.role)


def meetings_visible(user: User) -> QuerySet[StrategyMeeting]:
    """Every list of strategy meetings starts here."""
    meetings = StrategyMeeting.objects.all()
    membership = membership_of(user)
    if membership is None:
        return meetings if user.is_superuser else meetings.none()
    if sees_whole_partnership(user):
        return meetings.filter(partnership__in=served_partnerships(user))
    if membership.role == Role.AUDITOR:
        audited = StrategyMeetingChild.objects.filter(meeting=OuterRef("pk"), child__in=children_audited_by(user))
        return meetings.filter(Exists(audited))
    return records_visible(user=user, queryset=meetings)


def meeting_get_for(user: User, meeting_id: int, *, log: bool = True) -> StrategyMeeting:
    """The meeting, or Http404 when the user may not know it exists; logs the view."""
    meeting = meetings_visible(user).select_related("chair").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such strategy meeting")
    if log:
        access_record(user=user, action="view", record_type="strategy_meeting", record_id=meeting.pk,
                      partnership_id=meeting.partnership_id)
    return meeting


def meeting_sees_all(user: User) -> bool:
    """Every agency's contribution and the whole meeting: children's social care, administrators, and an
    auditor reading a meeting about a sampled child (fetched through ``meeting_get_for``)."""
    return sees_whole_partnership(user) or is_auditor(user) or (membership_of(user) is None and user.is_superuser)


def meeting_may_manage(user: User, meeting: StrategyMeeting) -> bool:
    """Hold, record not held, distribute minutes: CSC managers, or the chair."""
    if meeting.chair_id is not None and meeting.chair_id == user.pk:
        return True
    return _csc_role(user) in MANAGE_ROLES


def meeting_manage_check(user: User, meeting: StrategyMeeting) -> None:
    if not meeting_may_manage(user, meeting):
        raise PermissionDenied("Only the chair, or a MASH manager, team manager or senior manager of children's"
                               " social care, holds a meeting, records it not held or distributes its minutes.")


def meeting_may_organise(user: User, meeting: StrategyMeeting) -> bool:
    """Invite, schedule, add actions: children's social care casework staff, or the chair."""
    if meeting.chair_id is not None and meeting.chair_id == user.pk:
        return True
    role = _csc_role(user)
    return role is not None and role not in NOT_CASEWORK


def meeting_organise_check(user: User, meeting: StrategyMeeting) -> None:
    if not meeting_may_organise(user, meeting):
        raise PermissionDenied("Only children's social care or the chair organises the meeting.")


def meeting_contributing_agency(user: User, meeting: StrategyMeeting) -> Agency | None:
    """The agency the user would contribute for, or None when they may not contribute."""
    membership = membership_of(user)
    if membership is None or membership.role in NOT_CASEWORK:
        return None
    if sees_whole_partnership(user):
        return membership.agency
    if Invitation.objects.filter(meeting=meeting, agency_id=membership.agency_id).exists():
        return membership.agency
    return None


def meeting_contribute_check(user: User, meeting: StrategyMeeting) -> Agency:
    agency = meeting_contributing_agency(user, meeting)
    if agency is None:
        raise PermissionDenied("Only a practitioner or manager of an invited agency contributes to the meeting.")
    return agency


def meeting_history_check(user: User, meeting_id: int) -> str:
    """The whole history: those who see the whole meeting and may read access logs."""
    meeting = meeting_get_for(user, meeting_id, log=False)
    if not user.has_perm("audits.view_accesslogentry") or not meeting_sees_all(user):
        raise PermissionDenied("Only managers of children's social care, auditors and administrators may see a"
                               " strategy meeting's history.")
    return f"Strategy meeting {meeting.pk}"
