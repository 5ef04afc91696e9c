"""Every write to strategy meetings (SPEC 3.4, 6).

- ``meeting_convene``: a meeting due by the partnership's deadline; children's social care, police and health
  are invited as required, and the referrer, each child's school and every agency involved with the children's
  open cases are proposed. Each invitation shares the meeting with the agency and tells its users.
- ``meeting_invite`` / ``meeting_schedule``: organising.
- ``meeting_contribute``: an invited agency says what it knows (its response becomes "sent information").
- ``meeting_hold``: refused while a required agency has neither attended nor sent information, unless the reason
  is recorded; a section 47 outcome sets the initial child protection conference due date.
- ``meeting_action_add`` / ``meeting_action_done``: the agreed actions, each owned by an invited agency.
- ``meeting_minutes_save`` (a draft, kept until sent) / ``meeting_minutes_distribute`` (once, to every invited
  agency, each distribution recorded).
- ``meeting_conference_book``: the initial child protection conference's date, after a section 47 outcome.
- ``meeting_schedule`` and ``meeting_conference_book`` change what is already set: given the ``version`` the
  user read, a save over someone else's change is refused with ``StaleMeeting`` (SPEC 7.2).
- ``meeting_not_held``: considered and not needed, with the rationale and what was done instead.

Each raises ``ValidationError`` with field-level messages and saves nothing on bad input, and
``PermissionDenied`` when the user may see the meeting but not do this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from agencies.chasers import child_named, moment_words, people_named
from agencies.models import Agency, Membership, Partnership, Role, User
from agencies.selectors import calendar_for, membership_of
from agencies.services import notification_send
from cases.models import Case, Person
from cases.permissions import record_share_with
from cases.services.people import StaleRecord
from config.errors import FUTURE_TOLERANCE, ErrorDict, error_add, errors_raise, moment_errors
from strategy_meetings import rules
from strategy_meetings.models import (
    OPEN_STATUSES,
    Action,
    Contribution,
    Invitation,
    MinutesDistribution,
    StrategyMeeting,
    StrategyMeetingChild,
)
from strategy_meetings.permissions import (
    NOT_CASEWORK,
    meeting_contribute_check,
    meeting_manage_check,
    meeting_may_organise,
    meeting_organise_check,
)

if TYPE_CHECKING:
    from referrals.models import Referral

# Children's social care is told through the managers who convene and chair, not every social worker.
CSC_TOLD_ROLES = frozenset({Role.MASH_MANAGER})
STALE_MINUTES = ("Someone else saved these minutes after you opened them. Your text is kept here and theirs is"
                 " shown below it: bring them together, then save or distribute again.")


class StaleMeeting(StaleRecord):
    """The meeting changed since the user read it; nothing was saved."""

    MESSAGE = ("Someone else changed this record while you were editing it. What you entered is kept below and"
               " what is saved now is shown above it: check both, then save again.")


def _unchanged_since(meeting: StrategyMeeting, version: int | None) -> None:
    """Refuse a save made from an older reading of the (locked) meeting; ``None``: the caller read no version."""
    if version is not None and meeting.version != version:
        raise StaleMeeting()


def meeting_due_by(threshold_met_at: datetime, partnership: Partnership) -> datetime:
    """The partnership's setting (24 hours by default) after the threshold was met."""
    return threshold_met_at + timedelta(hours=partnership.strategy_meeting_due_hours)


def _locked(meeting: StrategyMeeting) -> StrategyMeeting:
    """The meeting as it is now, locked until the transaction ends (status changes are serialised)."""
    return StrategyMeeting.objects.select_for_update().select_related("partnership").get(pk=meeting.pk)


def _open(meeting: StrategyMeeting, what: str) -> None:
    if meeting.status not in OPEN_STATUSES:
        raise ValidationError(
            {NON_FIELD_ERRORS: [f"This meeting is {meeting.get_status_display().lower()}: it cannot be {what}."]}
        )


def _bump(meeting: StrategyMeeting, **changes: object) -> None:
    StrategyMeeting.objects.filter(pk=meeting.pk).update(**changes, version=F("version") + 1,
                                                          updated_at=timezone.now())


def _agency_users(agency: Agency, partnership_id: int) -> list[User]:
    """Whom to tell at an agency about a meeting in this partnership."""
    roles = CSC_TOLD_ROLES if agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE else None
    memberships = Membership.objects.filter(agency=agency, partnership_id=partnership_id, user__is_active=True)
    memberships = memberships.filter(role__in=list(roles)) if roles else memberships.exclude(
        role__in=list(NOT_CASEWORK))
    return [membership.user for membership in memberships.select_related("user").order_by("user_id")]


def _tell(users: Iterable[User], *, kind: str, message: str, meeting: StrategyMeeting) -> None:
    for user in dict.fromkeys(users):
        notification_send(recipient=user, kind=kind, message=message, subject_type="strategy_meeting",
                          subject_id=meeting.pk, link=reverse("meeting-detail", args=[meeting.pk]))


def _children_names(meeting: StrategyMeeting) -> str:
    """For messages (which are e-mailed too): a restricted child is not named."""
    return people_named(row.child for row in StrategyMeetingChild.objects.filter(meeting=meeting)
                        .select_related("child").order_by("child__date_of_birth", "pk"))


def _serves(agency: Agency, partnership_id: int) -> bool:
    return agency.partnerships.filter(pk=partnership_id).exists()


# -- Convening and inviting --------------------------------------------------------------------------------


@transaction.atomic
def meeting_convene(
    *,
    partnership: Partnership,
    by: User,
    children: Sequence[Person],
    threshold_met_at: datetime,
    reason: str,
    referral: Referral | None = None,
) -> StrategyMeeting:
    """A strategy meeting due by the partnership's deadline, with its invitations proposed from the records."""
    errors: ErrorDict = {}
    if not children:
        errors["children"] = ["Name at least one child the strategy meeting is for."]
    if not reason.strip():
        errors["reason"] = ["Say why the threshold for a strategy discussion was met."]
    if errors:
        raise ValidationError(errors)
    meeting = StrategyMeeting.objects.create(
        partnership=partnership,
        created_by=by,
        referral=referral,
        reason=reason.strip(),
        threshold_met_at=threshold_met_at,
        due_by=meeting_due_by(threshold_met_at, partnership),
    )
    unique_children = list(dict.fromkeys(children))
    StrategyMeetingChild.objects.bulk_create(
        StrategyMeetingChild(partnership=partnership, created_by=by, meeting=meeting, child=child)
        for child in unique_children
    )
    for agency, required, because in invitations_proposed(partnership=partnership, children=unique_children,
                                                         referral=referral):
        _invite(meeting=meeting, by=by, agency=agency, required=required, proposed_because=because)
    return meeting


def invitations_proposed(
    *, partnership: Partnership, children: Sequence[Person], referral: Referral | None = None
) -> list[tuple[Agency, bool, str]]:
    """(agency, required, why) for each agency to invite: the required three, then those the records name."""
    serving = Agency.objects.filter(partnerships=partnership.pk).order_by("pk")
    proposed: dict[int, tuple[Agency, bool, list[str]]] = {}

    def propose(agency: Agency | None, required: bool, because: str) -> None:
        if agency is None:
            return
        if agency.pk in proposed:
            known, was_required, reasons = proposed[agency.pk]
            if because not in reasons:
                reasons.append(because)
            proposed[agency.pk] = (known, was_required or required, reasons)
        else:
            proposed[agency.pk] = (agency, required, [because])

    propose(serving.filter(kind=Agency.Kind.CHILDRENS_SOCIAL_CARE).first(), True,
            "Children's social care: required at every strategy meeting.")
    propose(serving.filter(kind=Agency.Kind.POLICE).first(), True, "Police: required at every strategy meeting.")
    child_health = [agency for child in children for agency in (child.health_visiting, child.gp_practice)
                    if agency is not None and agency.kind == Agency.Kind.HEALTH]
    if child_health:
        propose(child_health[0], True, "Health (the child's health service): required at every strategy meeting.")
    else:
        propose(serving.filter(kind=Agency.Kind.HEALTH).first(), True,
                "Health: required at every strategy meeting.")
    if referral is not None:
        propose(referral.referrer_agency, False, "Made the referral.")
    for child in children:
        if child.school is not None:
            propose(child.school, False, f"{child_named(child)}'s"
                                         " school or nursery.")
    involved = Agency.objects.filter(
        cases_involved__child__in=[child.pk for child in children]
    ).exclude(cases_involved__status=Case.Status.CLOSED).distinct().order_by("pk")
    for agency in involved:
        propose(agency, False, "Involved with the family.")
    return [(agency, required, " ".join(reasons)) for agency, required, reasons in proposed.values()]


def _invite(*, meeting: StrategyMeeting, by: User, agency: Agency, required: bool,
            proposed_because: str) -> Invitation:
    invitation = Invitation.objects.create(
        partnership_id=meeting.partnership_id, created_by=by, meeting=meeting, agency=agency, required=required,
        proposed_because=proposed_because, invited_at=timezone.now(),
    )
    record_share_with(record=meeting, agency=agency, by=by,
                      what="Invitation to a strategy meeting: the meeting, its children and its minutes.")
    _tell(_agency_users(agency, meeting.partnership_id), kind="strategy_meeting_invitation", meeting=meeting,
          message=f"{agency.name} is invited to a strategy meeting about {_children_names(meeting)}"
                  f"{' (your agency is required)' if required else ''}: please attend or send what you know.")
    return invitation


@transaction.atomic
def meeting_invite(*, meeting: StrategyMeeting, by: User, agency: Agency, required: bool = False,
                   proposed_because: str = "") -> Invitation:
    """Invite one more agency: it gets access to the meeting and a notification."""
    meeting_organise_check(by, meeting)
    meeting = _locked(meeting)
    _open(meeting, "sent new invitations")
    errors: ErrorDict = {}
    if not _serves(agency, meeting.partnership_id):
        error_add(errors, "agency", f"{agency.name} does not work in this partnership.")
    elif Invitation.objects.filter(meeting=meeting, agency=agency).exists():
        error_add(errors, "agency", f"{agency.name} is already invited.")
    errors_raise(errors)
    return _invite(meeting=meeting, by=by, agency=agency, required=required,
                   proposed_because=proposed_because.strip() or "Invited by children's social care.")


@transaction.atomic
def meeting_schedule(*, meeting: StrategyMeeting, by: User, scheduled_for: datetime, chair: User | None = None,
                     arranged_at: datetime | None = None, version: int | None = None) -> StrategyMeeting:
    """When the meeting (or the first call) is, and who chairs it: someone of children's social care or of an
    invited agency (who can open the meeting). The chair and every invited agency are told.

    The time must be after the meeting was arranged (``arranged_at``, now unless an arrangement made earlier is
    recorded afterwards): a meeting that has already taken place is recorded as held instead."""
    meeting_organise_check(by, meeting)
    meeting = _locked(meeting)
    _open(meeting, "scheduled")
    _unchanged_since(meeting, version)
    errors: ErrorDict = {}
    arranged_at = arranged_at or timezone.now()
    if moment_errors(errors, "scheduled_for", scheduled_for, label="The meeting's time", future=True) and (
        scheduled_for < arranged_at - FUTURE_TOLERANCE
    ):
        error_add(errors, "scheduled_for", "The meeting's time must be in the future. If it has already taken place,"
                                           " record it as held.")
    if chair is not None:
        membership = membership_of(chair)
        eligible = (
            membership is not None and chair.is_active and membership.role not in NOT_CASEWORK
            and _serves(membership.agency, meeting.partnership_id)
            and (membership.agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE
                 or Invitation.objects.filter(meeting=meeting, agency_id=membership.agency_id).exists())
        )
        if not eligible:
            error_add(errors, "chair", "Choose someone of children's social care, or of an agency invited to the"
                                       " meeting, to chair it.")
    errors_raise(errors)
    rescheduled = meeting.scheduled_for is not None
    _bump(meeting, scheduled_for=scheduled_for, chair=chair or meeting.chair, status=StrategyMeeting.Status.SCHEDULED)
    meeting.refresh_from_db()
    when = moment_words(scheduled_for)
    names = _children_names(meeting)
    invitations = Invitation.objects.filter(meeting=meeting).select_related("agency")
    # Not the one who scheduled it, nor the chair (who has a message of their own).
    told = [user for invitation in invitations for user in _agency_users(invitation.agency, meeting.partnership_id)
            if user.pk not in (by.pk, meeting.chair_id)]
    _tell(told, kind="strategy_meeting_scheduled", meeting=meeting,
          message=f"The strategy meeting about {names} is {'moved to' if rescheduled else 'set for'} {when}."
                  " Please attend, or send what your agency knows before then.")
    if meeting.chair is not None:
        _tell([meeting.chair], kind="strategy_meeting_chair", meeting=meeting,
              message=f"You chair the strategy meeting about {names} on {when}.")
    return meeting


# -- Contributions and holding -------------------------------------------------------------------------------


@transaction.atomic
def meeting_contribute(*, meeting: StrategyMeeting, by: User, information: str,
                       at: datetime | None = None) -> Contribution:
    """What the user's (invited) agency knows; its invitation is marked "sent information"."""
    agency = meeting_contribute_check(by, meeting)
    meeting = _locked(meeting)
    _open(meeting, "sent contributions; record what you know on the case")
    errors: ErrorDict = {}
    information = information.strip()
    at = at or timezone.now()
    if not information:
        error_add(errors, "information", "Say what your agency knows about the child and family.")
    moment_errors(errors, "at", at, label="The time of the contribution")
    invitation = Invitation.objects.select_for_update().filter(meeting=meeting, agency=agency).first()
    if invitation is None:
        error_add(errors, NON_FIELD_ERRORS, f"{agency.name} is not invited to this meeting.")
    errors_raise(errors)
    assert invitation is not None  # noqa: S101 - checked above
    contribution = Contribution.objects.create(partnership_id=meeting.partnership_id, created_by=by,
                                               meeting=meeting, agency=agency, information=information, by=by,
                                               at=at)
    if invitation.response != Invitation.Response.ATTENDED:
        Invitation.objects.filter(pk=invitation.pk).update(response=Invitation.Response.SENT_INFORMATION,
                                                           version=F("version") + 1, updated_at=timezone.now())
    return contribution


@transaction.atomic
def meeting_hold(
    *,
    meeting: StrategyMeeting,
    by: User,
    held_at: datetime,
    attendance: Mapping[int, str],
    outcome: str,
    missing_agency_reason: str = "",
) -> StrategyMeeting:
    """Record the meeting held: attendance per agency (by agency id), the outcome, and why a required agency
    was not heard, if one was not. A section 47 outcome sets the initial child protection conference date."""
    meeting_manage_check(by, meeting)
    meeting = _locked(meeting)
    _open(meeting, "held again")
    errors: ErrorDict = {}
    missing_agency_reason = missing_agency_reason.strip()
    if outcome not in StrategyMeeting.Outcome.values:
        error_add(errors, "outcome", "Choose the outcome of the meeting.")
    if moment_errors(errors, "held_at", held_at, label="The time the meeting was held") and (
        held_at < meeting.threshold_met_at
    ):
        error_add(errors, "held_at", "The meeting cannot be held before the threshold was met.")
    invitations = {
        invitation.agency_id: invitation
        for invitation in Invitation.objects.select_for_update().filter(meeting=meeting).select_related("agency")
    }
    contributed = set(Contribution.objects.filter(meeting=meeting).values_list("agency_id", flat=True))
    responses: dict[int, str] = {}
    for agency_id, response in attendance.items():
        if agency_id not in invitations:
            error_add(errors, "attendance", "Record attendance only for the agencies invited.")
        elif response not in Invitation.Response.values:
            error_add(errors, "attendance", f"Choose whether {invitations[agency_id].agency.name} attended, sent"
                                       " information, sent apologies or did not respond.")
        else:
            responses[agency_id] = response
    for agency_id, invitation in invitations.items():
        if agency_id not in responses:
            responses[agency_id] = (Invitation.Response.SENT_INFORMATION if agency_id in contributed
                                    else invitation.response or Invitation.Response.NO_RESPONSE)
    unheard = [
        invitation.agency.name for agency_id, invitation in invitations.items()
        if invitation.required and responses[agency_id] not in rules.HEARD_RESPONSES and agency_id not in contributed
    ]
    if unheard and not missing_agency_reason:
        names = unheard[0] if len(unheard) == 1 else ", ".join(unheard[:-1]) + f" and {unheard[-1]}"
        error_add(errors, "missing_agency_reason",
             f"{names} neither attended nor sent information. Record why the meeting went ahead without"
             f" {'it' if len(unheard) == 1 else 'them'}, or wait until every required agency is heard.")
    errors_raise(errors)

    for agency_id, response in responses.items():
        if invitations[agency_id].response != response:
            Invitation.objects.filter(pk=invitations[agency_id].pk).update(
                response=response, version=F("version") + 1, updated_at=timezone.now())
    icpc = rules.icpc_due_by(held_at, calendar_for(meeting.partnership)) if rules.is_section_47(outcome) else None
    _bump(meeting, status=StrategyMeeting.Status.HELD, held_at=held_at, outcome=outcome,
          missing_agency_reason=missing_agency_reason, icpc_due_by=icpc, chair=meeting.chair or by)
    meeting.refresh_from_db()
    return meeting


# -- After the meeting ---------------------------------------------------------------------------------------


@transaction.atomic
def meeting_action_add(*, meeting: StrategyMeeting, by: User, description: str, owner_agency: Agency,
                       due_by: date, owner: User | None = None) -> Action:
    """An action agreed at the meeting, owned by an invited agency (and, if named, a person in it)."""
    meeting_organise_check(by, meeting)
    meeting = _locked(meeting)
    if meeting.status != StrategyMeeting.Status.HELD:
        raise ValidationError({NON_FIELD_ERRORS: ["Record the meeting as held before adding its actions."]})
    errors: ErrorDict = {}
    description = description.strip()
    if not description:
        error_add(errors, "description", "Say what is to be done.")
    if not Invitation.objects.filter(meeting=meeting, agency=owner_agency).exists():
        error_add(errors, "owner_agency", f"{owner_agency.name} is not invited to this meeting: invite it first.")
    if owner is not None:
        membership = membership_of(owner)
        if membership is None or membership.agency_id != owner_agency.pk or not owner.is_active:
            error_add(errors, "owner", f"Choose someone who works for {owner_agency.name}.")
    assert meeting.held_at is not None  # noqa: S101 - a held meeting has its time (a check constraint)
    if due_by < timezone.localdate(meeting.held_at):
        error_add(errors, "due_by", "The action cannot be due before the meeting was held.")
    errors_raise(errors)
    action = Action.objects.create(partnership_id=meeting.partnership_id, created_by=by, meeting=meeting,
                                   description=description, owner_agency=owner_agency, owner=owner, due_by=due_by)
    told = [owner] if owner is not None else _agency_users(owner_agency, meeting.partnership_id)
    _tell(told, kind="strategy_meeting_action", meeting=meeting,
          message=f"An action from the strategy meeting about {_children_names(meeting)} is for"
                  f" {owner_agency.name}, due {due_by:%-d %B %Y}.")
    return action


@transaction.atomic
def meeting_action_done(*, action: Action, by: User) -> Action:
    """An action completed: recorded by its owner, someone of its owner agency, or whoever organises the meeting."""
    meeting = _locked(action.meeting)
    membership = membership_of(by)
    of_owner_agency = (membership is not None and membership.agency_id == action.owner_agency_id
                       and membership.role not in NOT_CASEWORK)
    if not (by.pk == action.owner_id or of_owner_agency or meeting_may_organise(by, meeting)):
        raise PermissionDenied(f"Only {action.owner_agency.name}, or whoever organises the meeting, marks this"
                               " action done.")
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status == Action.Status.DONE:
        assert action.done_at is not None  # noqa: S101 - a done action has its time (a check constraint)
        raise ValidationError({NON_FIELD_ERRORS: [
            f"This action was marked done on {timezone.localtime(action.done_at):%-d %B %Y}."]})
    Action.objects.filter(pk=action.pk).update(status=Action.Status.DONE, done_at=timezone.now(),
                                               version=F("version") + 1, updated_at=timezone.now())
    action.refresh_from_db()
    return action


def _minutes_open(meeting: StrategyMeeting) -> None:
    if meeting.status != StrategyMeeting.Status.HELD:
        raise ValidationError({NON_FIELD_ERRORS: ["Minutes are written after the meeting is held."]})
    if meeting.minutes_distributed_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: [
            f"The minutes were distributed on {timezone.localtime(meeting.minutes_distributed_at):%-d %B %Y}."]})


def _minutes_unchanged(meeting: StrategyMeeting, seen: str | None) -> None:
    """``seen``: the digest of the draft the user opened (None: not checked, as through the API)."""
    if seen is not None and seen != rules.minutes_digest(meeting.minutes):
        raise ValidationError({"minutes": [STALE_MINUTES]})


@transaction.atomic
def meeting_minutes_save(*, meeting: StrategyMeeting, by: User, minutes: str,
                         seen: str | None = None) -> StrategyMeeting:
    """The minutes kept as a draft, unseen by the agencies until distributed; refused when someone else saved
    the draft since the user opened it (``seen``, its digest)."""
    meeting_manage_check(by, meeting)
    meeting = _locked(meeting)
    _minutes_open(meeting)
    _minutes_unchanged(meeting, seen)
    _bump(meeting, minutes=minutes.strip())
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def meeting_conference_book(*, meeting: StrategyMeeting, by: User, conference_at: datetime,
                            version: int | None = None) -> StrategyMeeting:
    """When the initial child protection conference is, after a section 47 outcome (it may be rebooked)."""
    meeting_organise_check(by, meeting)
    meeting = _locked(meeting)
    if meeting.status != StrategyMeeting.Status.HELD or meeting.icpc_due_by is None:
        raise ValidationError({NON_FIELD_ERRORS: [
            "An initial child protection conference follows a strategy meeting that decided on a section 47"
            " enquiry."]})
    _unchanged_since(meeting, version)
    errors: ErrorDict = {}
    if moment_errors(errors, "conference_at", conference_at, label="The conference's time", future=True):
        assert meeting.held_at is not None  # noqa: S101 - a held meeting has its time (a check constraint)
        if conference_at < meeting.held_at:
            error_add(errors, "conference_at", "The conference cannot be before the strategy meeting.")
    errors_raise(errors)
    _bump(meeting, icpc_at=conference_at)
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def meeting_minutes_distribute(*, meeting: StrategyMeeting, by: User, minutes: str | None = None,
                               seen: str | None = None) -> list[MinutesDistribution]:
    """Send the minutes (with the actions) to every invited agency, once; each distribution is recorded. Refused
    when someone else saved the draft since the user opened it (``seen``, its digest)."""
    meeting_manage_check(by, meeting)
    meeting = _locked(meeting)
    _minutes_open(meeting)
    _minutes_unchanged(meeting, seen)
    text = (minutes if minutes is not None else meeting.minutes).strip()
    if not text:
        raise ValidationError({"minutes": ["Write the minutes before distributing them."]})
    now = timezone.now()
    invitations = list(Invitation.objects.filter(meeting=meeting).select_related("agency"))
    distributions = MinutesDistribution.objects.bulk_create(
        MinutesDistribution(partnership_id=meeting.partnership_id, created_by=by, meeting=meeting,
                            agency=invitation.agency, distributed_at=now)
        for invitation in invitations
    )
    _bump(meeting, minutes=text, minutes_distributed_at=now)
    names = _children_names(meeting)
    for invitation in invitations:
        _tell(_agency_users(invitation.agency, meeting.partnership_id), kind="strategy_meeting_minutes",
              meeting=meeting, message=f"The minutes and actions of the strategy meeting about {names} are ready.")
    return distributions


@transaction.atomic
def meeting_not_held(*, meeting: StrategyMeeting, by: User, rationale: str, instead: str = "") -> StrategyMeeting:
    """A manager records the meeting was considered and not needed: why, and what was done instead."""
    meeting_manage_check(by, meeting)
    meeting = _locked(meeting)
    _open(meeting, "recorded as not held")
    rationale = rationale.strip()
    if not rationale:
        raise ValidationError({"rationale": ["Say why the meeting is not needed."]})
    _bump(meeting, status=StrategyMeeting.Status.CONSIDERED_NOT_HELD, not_held_rationale=rationale,
          not_held_instead=instead.strip())
    meeting.refresh_from_db()
    return meeting
