"""Who may see and act on referrals, agency checks and escalations (SPEC 6, ACCESS.md), and the one way to
fetch each for a user.

- Children's social care users (not auditors) see every referral of the partnerships their agency serves;
  MASH practitioners, MASH managers and the senior manager see the triage queue.
- The referring agency sees its own referrals and their outcomes: a grant to its group, made at intake.
- An agency asked for a check sees that referral's summary and its own check: a grant made with the check,
  recorded as an information-sharing record.
- An auditor reads, whole, the referrals about the children sampled into their open audit rounds.
- Nobody else sees anything.
- A denial is a 404 when the user may not know the referral exists, a 403 when they may.
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
from referrals.models import AgencyCheck, Decision, Escalation, EscalationStage, Referral, ReferralChild

TRIAGE_ROLES = frozenset({Role.MASH_PRACTITIONER, Role.MASH_MANAGER, Role.SENIOR_MANAGER})
DECISION_ROLES = frozenset({Role.MASH_MANAGER, Role.SENIOR_MANAGER})
CHECK_REQUEST_ROLES = frozenset({Role.MASH_PRACTITIONER, Role.MASH_MANAGER})
FEEDBACK_ROLES = frozenset({Role.MASH_PRACTITIONER, Role.MASH_MANAGER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER})
# Managers who may authorise the MASH sharing a referral onward without the family's consent.
CONSENT_OVERRIDE_ROLES = frozenset({Role.MASH_MANAGER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER})
NOT_CASEWORK = frozenset({Role.AUDITOR, Role.ADMIN})
# Who answers each escalation stage besides its named respondent.
STAGE_RESPONDERS = {
    1: frozenset({Role.MASH_MANAGER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER}),
    2: frozenset({Role.MASH_MANAGER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER}),
    3: frozenset({Role.SENIOR_MANAGER}),
    4: frozenset({Role.SENIOR_MANAGER}),
}


def _csc_role(user: User) -> str | None:
    """The user's role if they work in children's social care (and are not an auditor), else None."""
    membership = membership_of(user)
    if membership is None or not sees_whole_partnership(user):
        return None
    return str(membership.role)


def triage_may_see(user: User) -> bool:
    return _csc_role(user) in TRIAGE_ROLES


def triage_check(user: User) -> None:
    if not triage_may_see(user):
        raise PermissionDenied("The triage queue is for MASH staff and the senior manager of children's social care.")


def referral_may_create(user: User) -> bool:
    """Any practitioner or manager working in a partnership refers; auditors and administrators do not."""
    membership = membership_of(user)
    return membership is not None and membership.role not in NOT_CASEWORK


def referral_create_check(user: User) -> None:
    if not referral_may_create(user):
        raise PermissionDenied("Only practitioners and managers working in a partnership make referrals.")


def referrals_visible(user: User) -> QuerySet[Referral]:
    """Every list of referrals starts here."""
    referrals = Referral.objects.all()
    membership = membership_of(user)
    if membership is None:
        return referrals if user.is_superuser else referrals.none()
    if sees_whole_partnership(user):
        return referrals.filter(partnership__in=served_partnerships(user))
    if membership.role == Role.AUDITOR:
        audited = ReferralChild.objects.filter(referral=OuterRef("pk"), child__in=children_audited_by(user))
        return referrals.filter(Exists(audited))
    return records_visible(user=user, queryset=referrals)


def referral_get_for(user: User, referral_id: int, *, log: bool = True) -> Referral:
    """The referral, or Http404 when the user may not know it exists; logs the view."""
    referral = referrals_visible(user).select_related("referrer_agency").filter(pk=referral_id).first()
    if referral is None:
        raise Http404("No such referral")
    if log:
        access_record(user=user, action="view", record_type="referral", record_id=referral.pk,
                      partnership_id=referral.partnership_id)
    return referral


def referral_sees_all(user: User, referral: Referral) -> bool:
    """The whole referral (every check, the information shared): children's social care, administrators, and
    an auditor reading a referral about a sampled child (``referral`` was fetched through ``referral_get_for``).

    The referring agency sees its referral, the outcome, feedback and escalations; an agency asked for a
    check sees the summary and its own check only.
    """
    return sees_whole_partnership(user) or is_auditor(user) or (membership_of(user) is None and user.is_superuser)


def referral_is_referrer(user: User, referral: Referral) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.agency_id == referral.referrer_agency_id


def referral_decide_check(user: User) -> None:
    if _csc_role(user) not in DECISION_ROLES:
        raise PermissionDenied("Only a MASH manager or the senior manager of children's social care decides.")


def check_request_check(user: User) -> None:
    if _csc_role(user) not in CHECK_REQUEST_ROLES:
        raise PermissionDenied("Only MASH practitioners and managers ask agencies for checks.")


def triage_act_check(user: User) -> None:
    """Rating and allocating: MASH staff."""
    if _csc_role(user) not in CHECK_REQUEST_ROLES:
        raise PermissionDenied("Only MASH practitioners and managers rate and allocate referrals.")


def feedback_record_check(user: User) -> None:
    if _csc_role(user) not in FEEDBACK_ROLES:
        raise PermissionDenied("Only MASH staff and children's social care managers record feedback.")


def consent_override_may_authorise(user: User) -> bool:
    return _csc_role(user) in CONSENT_OVERRIDE_ROLES


def agency_checks_visible(user: User) -> QuerySet[AgencyCheck]:
    """Children's social care sees the checks of its partnerships' referrals; an agency sees those addressed to it."""
    checks = AgencyCheck.objects.all()
    membership = membership_of(user)
    if membership is None:
        return checks if user.is_superuser else checks.none()
    if sees_whole_partnership(user):
        return checks.filter(partnership__in=served_partnerships(user))
    if membership.role == Role.AUDITOR:
        return checks.filter(referral__in=referrals_visible(user))
    return checks.filter(agency_id=membership.agency_id)


def agency_check_get_for(user: User, check_id: int, *, answer: bool = False) -> AgencyCheck:
    """The check (Http404 if the user may not know it); with ``answer``, PermissionDenied unless they may answer."""
    check = agency_checks_visible(user).select_related("referral", "agency").filter(pk=check_id).first()
    if check is None:
        raise Http404("No such agency check")
    if answer:
        membership = membership_of(user)
        if membership is None or membership.agency_id != check.agency_id or membership.role in NOT_CASEWORK:
            raise PermissionDenied(f"Only {check.agency.name} answers this check.")
    access_record(user=user, action="view", record_type="referral", record_id=check.referral_id,
                  partnership_id=check.partnership_id)
    return check


def referral_involved_agency_ids(referral: Referral) -> set[int]:
    """The referrer and every agency asked for a check: who may challenge the decision."""
    asked = set(AgencyCheck.objects.filter(referral=referral).values_list("agency_id", flat=True))
    return {referral.referrer_agency_id, *asked}


def escalation_raise_check(user: User, referral: Referral) -> None:
    membership = membership_of(user)
    if membership is None or membership.role in NOT_CASEWORK:
        raise PermissionDenied("Only practitioners and managers raise an escalation.")
    if membership.agency_id not in referral_involved_agency_ids(referral):
        raise PermissionDenied("Only the referring agency or an agency asked for a check may challenge the decision.")


def escalations_visible(user: User) -> QuerySet[Escalation]:
    """Children's social care sees every challenge to its partnerships' decisions; a partner agency its own."""
    escalations = Escalation.objects.filter(referral__in=referrals_visible(user))
    membership = membership_of(user)
    if membership is None or sees_whole_partnership(user) or membership.role == Role.AUDITOR:
        return escalations
    return escalations.filter(raised_by_agency_id=membership.agency_id)


def escalation_get_for(user: User, escalation_id: int, *, log: bool = True) -> Escalation:
    escalation = (
        escalations_visible(user).select_related("referral", "raised_by_agency").filter(pk=escalation_id).first()
    )
    if escalation is None:
        raise Http404("No such escalation")
    if log:
            access_record(user=user, action="view", record_type="referral", record_id=escalation.referral_id,
                      partnership_id=escalation.partnership_id)
    return escalation


def escalation_may_respond(user: User, stage: EscalationStage) -> bool:
    """The stage's respondent, or a manager at that stage's level; past stage 1, never the decision maker."""
    if stage.number > 1 and Decision.objects.filter(
        referral__escalations=stage.escalation_id, decided_by=user
    ).exists():
        return False
    if stage.respondent_id is not None and stage.respondent_id == user.pk:
        return True
    return _csc_role(user) in STAGE_RESPONDERS[stage.number]


def escalation_respond_check(user: User, stage: EscalationStage) -> None:
    if not escalation_may_respond(user, stage):
        raise PermissionDenied("This stage of the escalation is answered by its respondent or a manager at that level.")


def referral_history_check(user: User, referral_id: int) -> str:
    """The whole history (every agency's check answers included): those who see the whole referral."""
    referral = referral_get_for(user, referral_id, log=False)
    if not user.has_perm("audits.view_accesslogentry") or not referral_sees_all(user, referral):
        raise PermissionDenied("Only managers of children's social care, auditors and administrators may see a"
                               " referral's history.")
    return f"Referral {referral.pk} from {referral.referrer_agency.name}"


def escalation_history_check(user: User, escalation_id: int) -> str:
    escalation = escalation_get_for(user, escalation_id, log=False)
    referral_history_check(user, escalation.referral_id)
    return f"Escalation {escalation.pk} of referral {escalation.referral_id}"


def partnership_csc(partnership_id: int) -> Agency | None:
    """The partnership's children's social care: the MASH every referral goes to."""
    return (
        Agency.objects.filter(kind=Agency.Kind.CHILDRENS_SOCIAL_CARE, partnerships=partnership_id)
        .order_by("pk")
        .first()
    )
