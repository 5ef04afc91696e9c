"""Improvement action plans (SPEC 3.5): plans, themes, actions and their quarterly progress updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agencies.models import Agency, Partnership, User
from audits.models import (
    AuditCase,
    AuditRound,
    ImprovementAction,
    ImprovementPlan,
    ImprovementTheme,
    ProgressUpdate,
    Rag,
)
from config.errors import ErrorDict, error_add, errors_raise

# The themes of the partnership's priority action plan after its inspection, offered as a new plan's start.
SEED_THEMES: tuple[str, ...] = (
    "Strategy meetings",
    "The front door",
    "Practice and workforce",
    "Leadership",
    "The voice of the child",
)
TITLE_MAX = 200


def quarter_start(day: date) -> date:
    """The first day of the calendar quarter (January, April, July, October) holding ``day``."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(start: date) -> date:
    """The last day of the quarter starting on ``start``."""
    return start + relativedelta(months=3) - relativedelta(days=1)


def quarter_name(start: date) -> str:
    """A quarter as people say it: "April to June 2026"."""
    return f"{start:%B} to {quarter_end(start):%B %Y}"


def quarters_reportable(*, plan_starts_on: date, today: date) -> list[date]:
    """The quarters an update may report on, newest first: from the plan's first quarter to the current one (none
    before the plan starts)."""
    if plan_starts_on > today:
        return []
    first, current = quarter_start(plan_starts_on), quarter_start(today)
    quarters = []
    while current >= first:
        quarters.append(current)
        current -= relativedelta(months=3)
    return quarters


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


def _title_errors(errors: ErrorDict, field: str, title: str, *, what: str) -> None:
    if not title.strip():
        error_add(errors, field, f"Enter the {what}'s title.")
    elif len(title.strip()) > TITLE_MAX:
        error_add(errors, field, f"The {what}'s title must be {TITLE_MAX} characters or fewer.")


@transaction.atomic
def improvement_plan_create(
    *, user: User, partnership: Partnership, title: str, starts_on: date | None, themes: Sequence[str]
) -> ImprovementPlan:
    """Make a plan with its themes, in the order given. Raises ValidationError (field-level) before any write."""
    errors: ErrorDict = {}
    _title_errors(errors, "title", title, what="plan")
    if starts_on is None:
        error_add(errors, "starts_on", "Enter the date the plan starts.")
    cleaned = [" ".join(theme.split()) for theme in themes if theme.strip()]
    if not cleaned:
        error_add(errors, "themes", "Choose or enter at least one theme.")
    seen: set[str] = set()
    for theme in cleaned:
        if len(theme) > TITLE_MAX:
            error_add(errors, "themes", f"Each theme must be {TITLE_MAX} characters or fewer.")
        if theme.lower() in seen:
            error_add(errors, "themes", f"The theme \u201c{theme}\u201d is given twice.")
        seen.add(theme.lower())
    errors_raise(errors)
    assert starts_on is not None  # noqa: S101 (checked above)
    plan = ImprovementPlan.objects.create(
        partnership=partnership, created_by=user, title=title.strip(), starts_on=starts_on
    )
    ImprovementTheme.objects.bulk_create([
        ImprovementTheme(partnership=partnership, created_by=user, plan=plan, title=theme, position=position)
        for position, theme in enumerate(cleaned, start=1)
    ])
    return plan


@transaction.atomic
def improvement_theme_add(*, user: User, plan: ImprovementPlan, title: str) -> ImprovementTheme:
    """Add a theme at the end of the plan's themes. Raises ValidationError (field-level) before any write."""
    errors: ErrorDict = {}
    title = " ".join(title.split())
    _title_errors(errors, "title", title, what="theme")
    # The plan row is locked so two themes added at once get distinct positions.
    plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
    themes = list(ImprovementTheme.objects.filter(plan=plan).values_list("title", "position"))
    if title and title.lower() in {existing.lower() for existing, _ in themes}:
        error_add(errors, "title", "This plan already has a theme with that title.")
    if plan.status != ImprovementPlan.Status.ACTIVE:
        error_add(errors, "title", "This plan is closed: themes are added to an active plan.")
    errors_raise(errors)
    return ImprovementTheme.objects.create(
        partnership_id=plan.partnership_id, created_by=user, plan=plan, title=title,
        position=max((position for _, position in themes), default=0) + 1,
    )


@transaction.atomic
def improvement_progress_add(
    *,
    user: User,
    action: ImprovementAction,
    quarter_starts_on: date | None,
    rag: str,
    progress: str,
    evidence: str,
    today: date | None = None,
) -> ProgressUpdate:
    """Record an action's quarterly progress, with its evidence and RAG status: one update per action per quarter.

    The action takes the RAG status of its latest quarter's update. Raises ValidationError (field-level) before
    any write.
    """
    today = today or timezone.localdate()
    action = ImprovementAction.objects.select_for_update().select_related("theme__plan").get(pk=action.pk)
    plan = action.theme.plan
    errors: ErrorDict = {}
    if action.status != ImprovementAction.Status.OPEN:
        error_add(errors, "progress", "This action is done: progress is recorded on open actions.")
    if quarter_starts_on is None:
        error_add(errors, "quarter_starts_on", "Choose the quarter this update reports on.")
    elif quarter_starts_on not in quarters_reportable(plan_starts_on=plan.starts_on, today=today):
        error_add(errors, "quarter_starts_on", "Choose a quarter from the plan's start to this quarter.")
    elif ProgressUpdate.objects.filter(action=action, quarter_starts_on=quarter_starts_on).exists():
        error_add(errors, "quarter_starts_on",
                  f"This action already has an update for {quarter_name(quarter_starts_on)}.")
    if rag not in Rag.values:
        error_add(errors, "rag", "Choose red, amber or green.")
    if not progress.strip():
        error_add(errors, "progress", "Enter the progress made this quarter.")
    if not evidence.strip():
        error_add(errors, "evidence", "Enter the evidence of the progress (what was seen, audited or measured).")
    errors_raise(errors)
    assert quarter_starts_on is not None  # noqa: S101 (checked above)
    update = ProgressUpdate.objects.create(
        partnership_id=action.partnership_id, created_by=user, action=action, quarter_starts_on=quarter_starts_on,
        rag=rag, progress=progress.strip(), evidence=evidence.strip(), by=user,
    )
    latest = ProgressUpdate.objects.filter(action=action).order_by("-quarter_starts_on").values_list("pk", flat=True)
    if latest.first() == update.pk:
        ImprovementAction.objects.filter(pk=action.pk).update(rag=rag, version=F("version") + 1)
    return update


@transaction.atomic
def improvement_action_done(*, user: User, action: ImprovementAction) -> ImprovementAction:
    """Mark an open action done (its chasers stop). Raises ValidationError when it is already done."""
    action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    errors: ErrorDict = {}
    if action.status != ImprovementAction.Status.OPEN:
        error_add(errors, "status", "This action is already done.")
    errors_raise(errors)
    action.status = ImprovementAction.Status.DONE
    action.done_at = timezone.now()
    action.version += 1
    action.save(update_fields=["status", "done_at", "version", "updated_at"])
    return action
