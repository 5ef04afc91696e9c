"""Improvement action plans (SPEC 3.5): plans, themes, actions and their quarterly progress updates."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from django.db import transaction

from agencies.models import Agency, User
from audits.models import AuditCase, AuditRound, ImprovementAction, ImprovementTheme
from config.errors import ErrorDict, error_add, errors_raise


@transaction.atomic
def improvement_action_add(
    *,
    user: User,
    theme: ImprovementTheme,
    description: str,
    owner_agency: Agency,
    timescale_months: int,
    expected_impact: str,
    owner: User | None = None,
    audit_round: AuditRound | None = None,
    audit_case: AuditCase | None = None,
) -> ImprovementAction:
    """Add an action to a plan's theme, due ``timescale_months`` (3, 6, 9 or 12) after the plan starts.

    An action found by a case-file audit names its round (and case); it flows into the plan like any other.
    Raises ValidationError with field-level messages before anything is written.
    """
    plan = theme.plan
    errors: ErrorDict = {}
    if not description.strip():
        error_add(errors, "description", "Enter what will be done.")
    if not expected_impact.strip():
        error_add(errors, "expected_impact", "Enter the difference this action should make for children.")
    if timescale_months not in ImprovementAction.Timescale.values:
        error_add(errors, "timescale_months", "Choose 3, 6, 9 or 12 months.")
    if not owner_agency.partnerships.filter(pk=plan.partnership_id).exists():
        error_add(errors, "owner_agency", "Choose an agency of this partnership.")
    if owner is not None and getattr(owner, "membership", None) is not None and (
        owner.membership.agency_id != owner_agency.pk
    ):
        error_add(errors, "owner", f"Choose someone who works for {owner_agency.name}.")
    if plan.status != plan.Status.ACTIVE:
        error_add(errors, "theme", "This plan is closed: actions are added to an active plan.")
    errors_raise(errors)
    return ImprovementAction.objects.create(
        partnership_id=plan.partnership_id,
        created_by=user,
        theme=theme,
        description=description.strip(),
        owner_agency=owner_agency,
        owner=owner,
        timescale_months=timescale_months,
        due_on=plan.starts_on + relativedelta(months=timescale_months),
        expected_impact=expected_impact.strip(),
        audit_round=audit_round,
        audit_case=audit_case,
    )
