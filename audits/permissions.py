"""Who may see and act on case-file audit rounds (SPEC 3.5, 6; ACCESS.md "audit rounds"), and what an auditor
may read of the partnership's casework.

- The senior manager of children's social care draws rounds, moderates and closes them; the partnership's
  administrators see and close them. An auditor sees the rounds they are an auditor of, reviews each sampled
  case for their agency and moderates it. Everyone else of the partnership is refused (403); another
  partnership's users may not know the round exists (404).
- An auditor reads the cases sampled into their open rounds (open, and its closing date not passed) and the
  sampled children's records; ``cases_audited_by`` and ``children_audited_by`` are the subqueries every
  visibility helper filters on, so closing a round ends that access at once.
- The round's report names no child: the partnership's staff read it once the round is closed; while it is
  open, only those who may open the round.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Role, User
from agencies.roles import leads_partnership
from agencies.selectors import membership_of
from audits import rules_rounds as rules
from audits.models import AuditCase, AuditRound


def is_auditor(user: User) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.role == Role.AUDITOR


def _open_rounds_of(user: User) -> QuerySet[AuditRound]:
    return AuditRound.objects.filter(
        auditors=user, status=AuditRound.Status.OPEN, closes_on__gte=timezone.localdate()
    )


def cases_audited_by(user: User) -> QuerySet[Any]:
    """The ids of the cases sampled into the user's open rounds, as a subquery (audit_case_case_idx)."""
    return AuditCase.objects.filter(round__in=_open_rounds_of(user)).values("case_id")


def children_audited_by(user: User) -> QuerySet[Any]:
    """The ids of the children whose cases are sampled into the user's open rounds, as a subquery."""
    return AuditCase.objects.filter(round__in=_open_rounds_of(user)).values("case__child_id")


# -- Rounds ---------------------------------------------------------------------------------------------------

def partnership_id_of(user: User) -> int | None:
    """The partnership the user works in, or None."""
    membership = membership_of(user)
    return membership.partnership_id if membership is not None else None


def _is_admin(user: User) -> bool:
    membership = membership_of(user)
    if membership is None:
        return bool(user.is_superuser)
    return membership.role == Role.ADMIN


def _is_senior_manager(user: User) -> bool:
    """The senior manager of children's social care."""
    return leads_partnership(membership_of(user))


def round_may_create(user: User) -> bool:
    """The senior manager of children's social care, and administrators, draw a round."""
    return _is_senior_manager(user) or _is_admin(user)


def round_create_check(user: User) -> None:
    if not round_may_create(user):
        raise PermissionDenied("Only the senior manager of children's social care or an administrator draws an"
                               " audit round.")


def rounds_may_list(user: User) -> bool:
    return round_may_create(user) or is_auditor(user)


def rounds_list_check(user: User) -> None:
    if not rounds_may_list(user):
        raise PermissionDenied("Audit rounds are for the senior manager, auditors and administrators.")


def rounds_visible(user: User) -> QuerySet[AuditRound]:
    """Every list of rounds starts here: the partnership's for its managers and administrators, an auditor's own."""
    rounds = AuditRound.objects.all()
    membership = membership_of(user)
    if membership is None:
        return rounds if user.is_superuser else rounds.none()
    if round_may_create(user):
        return rounds.filter(partnership_id=membership.partnership_id)
    if membership.role == Role.AUDITOR:
        return rounds.filter(auditors=user, partnership_id=membership.partnership_id)
    return rounds.none()


def _round_known(user: User, round_id: int) -> AuditRound:
    """The round if it is of the user's partnership (anyone there may know rounds exist), else Http404."""
    rounds = AuditRound.objects.filter(pk=round_id)
    partnership_id = partnership_id_of(user)
    if partnership_id is not None:
        rounds = rounds.filter(partnership_id=partnership_id)
    elif not user.is_superuser:
        rounds = rounds.none()
    audit_round = rounds.first()
    if audit_round is None:
        raise Http404("No such audit round")
    return audit_round


def round_get_for(user: User, round_id: int) -> AuditRound:
    """The round, or Http404 (another partnership's) or PermissionDenied (not its manager or auditor)."""
    audit_round = _round_known(user, round_id)
    if not rounds_visible(user).filter(pk=audit_round.pk).exists():
        raise PermissionDenied("Only the senior manager, administrators and the round's auditors open it.")
    return audit_round


def round_report_get_for(user: User, round_id: int) -> AuditRound:
    """The round for its report: every member of staff of the partnership once it is closed; while open, only
    those who may open the round."""
    audit_round = _round_known(user, round_id)
    if audit_round.status == AuditRound.Status.CLOSED:
        return audit_round
    if not rounds_visible(user).filter(pk=audit_round.pk).exists():
        raise PermissionDenied("The report is published when the round closes.")
    return audit_round


def round_is_auditor(user: User, audit_round: AuditRound) -> bool:
    """Whether the user is one of the round's auditors (asked once per round object and user)."""
    answers: dict[int, bool] = audit_round.__dict__.setdefault("_is_auditor", {})
    if user.pk not in answers:
        answers[user.pk] = is_auditor(user) and audit_round.auditors.filter(pk=user.pk).exists()
    return answers[user.pk]


def round_is_open(audit_round: AuditRound) -> bool:
    return audit_round.status == AuditRound.Status.OPEN


def round_open_for_auditors(audit_round: AuditRound) -> bool:
    """Open, and its closing date not passed: the auditors' window, for reading the cases and for reviewing."""
    return rules.round_open_for_auditors(status=audit_round.status, closes_on=audit_round.closes_on,
                                         today=timezone.localdate())


def round_may_review(user: User, audit_round: AuditRound) -> bool:
    """An auditor of the round reviews its cases for their agency while the round is open to them."""
    return round_open_for_auditors(audit_round) and round_is_auditor(user, audit_round)


def round_review_check(user: User, audit_round: AuditRound) -> None:
    if not round_open_for_auditors(audit_round):
        raise PermissionDenied("This audit round is closed, or its closing date has passed.")
    if not round_may_review(user, audit_round):
        raise PermissionDenied("Only the round's auditors review its cases.")


def round_may_moderate(user: User, audit_round: AuditRound) -> bool:
    """The senior manager while the round is open, or an auditor of the round while it is open to them,
    moderates its cases and raises actions."""
    if _is_senior_manager(user):
        return round_is_open(audit_round)
    return round_open_for_auditors(audit_round) and round_is_auditor(user, audit_round)


def round_moderate_check(user: User, audit_round: AuditRound) -> None:
    if not round_is_open(audit_round):
        raise PermissionDenied("This audit round is closed.")
    if not round_may_moderate(user, audit_round):
        raise PermissionDenied("Only the senior manager or the round's auditors, until its closing date, moderate"
                               " its cases.")


def round_may_close(user: User, audit_round: AuditRound) -> bool:
    return round_is_open(audit_round) and round_may_create(user)


def round_close_check(user: User, audit_round: AuditRound) -> None:
    if not round_may_create(user):
        raise PermissionDenied("Only the senior manager or an administrator closes an audit round.")


def round_may_open(user: User, audit_round: AuditRound) -> bool:
    """Whether the user may open a round they already know of: the senior manager, admins, its auditors."""
    return round_may_create(user) or round_is_auditor(user, audit_round)


def round_sees_names(user: User, audit_round: AuditRound) -> bool:
    """Who may see the sampled children's names on the round's pages: the senior manager and admins, and its
    auditors only while the round is open to them (their sight of the cases ends when it closes)."""
    if round_may_create(user):
        return True
    return round_open_for_auditors(audit_round) and round_is_auditor(user, audit_round)


def audit_case_get_for(user: User, audit_round: AuditRound, audit_case_id: int) -> AuditCase:
    """A case of a round the user may open (``round_get_for`` first), else Http404."""
    audit_case = (
        AuditCase.objects.filter(round=audit_round, pk=audit_case_id)
        .select_related("case", "case__child", "moderated_by")
        .first()
    )
    if audit_case is None:
        raise Http404("No such case in this round")
    return audit_case
