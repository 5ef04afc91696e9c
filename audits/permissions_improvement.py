"""Who may see and change improvement action plans (SPEC 3.5, 6).

A plan belongs to its partnership. Every agency's managers, the partnership's auditors and administrators read
its plans; practitioners may know a plan exists (it is the partnership's) but may not read it (403); anyone
outside the partnership may not know it exists (404). The senior manager (of children's social care, who leads
the partnership's improvement work) and administrators make plans, add themes and actions; quarterly progress
and completion are recorded by the owning agency's managers, the action's owner, or that senior manager.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from agencies.models import Role, User
from agencies.roles import MANAGERS, leads_partnership
from agencies.selectors import membership_of
from audits.models import ImprovementAction, ImprovementPlan
from audits.permissions import partnership_id_of

READER_ROLES = frozenset({*MANAGERS, Role.AUDITOR, Role.ADMIN})


def _role(user: User) -> str:
    membership = membership_of(user)
    return str(membership.role) if membership is not None else ""


def improvement_plans_may_read(user: User) -> bool:
    return _role(user) in READER_ROLES


def improvement_plan_may_change(user: User) -> bool:
    """Plans, themes and actions are set by the senior manager and administrators."""
    membership = membership_of(user)
    return membership is not None and (membership.role == Role.ADMIN or leads_partnership(membership))


def improvement_action_may_update(user: User, action: ImprovementAction) -> bool:
    """Progress and completion: the owning agency's managers, the owner, and the senior manager."""
    membership = membership_of(user)
    if membership is None or membership.partnership_id != action.partnership_id:
        return False
    if leads_partnership(membership) or (action.owner_id is not None and action.owner_id == user.pk):
        return True
    return membership.role in MANAGERS and membership.agency_id == action.owner_agency_id


def improvement_plans_read_check(user: User) -> None:
    """403 for those who may not read plans (practitioners of the partnership, and anyone else signed in)."""
    if not improvement_plans_may_read(user):
        raise PermissionDenied("Improvement plans are for managers, auditors and administrators.")


def improvement_plan_change_check(user: User) -> None:
    if not improvement_plan_may_change(user):
        raise PermissionDenied("Only the senior manager and administrators change improvement plans.")


def improvement_plans_visible(user: User) -> QuerySet[ImprovementPlan]:
    """The plans of the user's partnership, for those who may read them; none for anyone else."""
    partnership_id = partnership_id_of(user)
    if partnership_id is None or not improvement_plans_may_read(user):
        return ImprovementPlan.objects.none()
    return ImprovementPlan.objects.filter(partnership_id=partnership_id)


def improvement_plan_get_for(user: User, plan_id: int, *, write: bool = False) -> ImprovementPlan:
    """The plan; 404 unless it is the user's partnership's, 403 when they may not read (or, ``write``, change) it."""
    partnership_id = partnership_id_of(user)
    plan = ImprovementPlan.objects.filter(pk=plan_id, partnership_id=partnership_id).first() if partnership_id else None
    if plan is None:
        raise Http404("No such improvement plan")
    improvement_plans_read_check(user)
    if write:
        improvement_plan_change_check(user)
    return plan


def improvement_action_get_for(user: User, action_id: int, *, write: bool = False) -> ImprovementAction:
    """The action with its theme and plan; 404 unless it is the user's partnership's, 403 when they may not read
    it or (``write``: progress and completion) update it."""
    partnership_id = partnership_id_of(user)
    action = (
        ImprovementAction.objects.filter(pk=action_id, partnership_id=partnership_id)
        .select_related("theme__plan", "owner_agency", "owner")
        .first()
        if partnership_id
        else None
    )
    if action is None:
        raise Http404("No such improvement action")
    improvement_plans_read_check(user)
    if write and not improvement_action_may_update(user, action):
        raise PermissionDenied(
            f"Progress on this action is recorded by {action.owner_agency.name}'s managers or the senior manager."
        )
    return action
