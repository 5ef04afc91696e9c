"""What the improvement plan pages read: the partnership's plans with their counts, and one plan in full."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from agencies.models import Agency, Membership, User
from agencies.roles import MANAGERS
from audits.models import ImprovementAction, ImprovementPlan, ImprovementTheme, ProgressUpdate, Rag
from audits.permissions_improvement import improvement_action_may_update, improvement_plans_visible
from audits.services_improvement import quarter_name


def _open_overdue(today: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": ImprovementAction.Status.OPEN, f"{prefix}due_on__lt": today})


def improvement_plans_for(*, user: User, today: date) -> QuerySet[ImprovementPlan]:
    """The partnership's plans, each with its open actions counted by RAG status, its overdue and done actions
    (one query)."""
    actions = "themes__actions__"
    open_ = Q(**{f"{actions}status": ImprovementAction.Status.OPEN})
    return improvement_plans_visible(user).annotate(
        actions_count=Count(f"{actions}id"),
        red=Count(f"{actions}id", filter=open_ & Q(**{f"{actions}rag": Rag.RED})),
        amber=Count(f"{actions}id", filter=open_ & Q(**{f"{actions}rag": Rag.AMBER})),
        green=Count(f"{actions}id", filter=open_ & Q(**{f"{actions}rag": Rag.GREEN})),
        overdue=Count(f"{actions}id", filter=_open_overdue(today, actions)),
        done=Count(f"{actions}id", filter=Q(**{f"{actions}status": ImprovementAction.Status.DONE})),
    ).order_by("-starts_on", "-id")


@dataclass(frozen=True)
class UpdateRow:
    update: ProgressUpdate
    # The quarter reported on, in words ("April to June 2026").
    quarter: str


def _rows(updates: list[ProgressUpdate]) -> list[UpdateRow]:
    return [UpdateRow(update, quarter_name(update.quarter_starts_on)) for update in updates]


@dataclass
class ActionRow:
    action: ImprovementAction
    overdue: bool
    may_update: bool
    latest: UpdateRow | None
    earlier: list[UpdateRow]


@dataclass
class ThemeSection:
    theme: ImprovementTheme
    actions: list[ActionRow]


@dataclass
class PlanDetail:
    plan: ImprovementPlan
    themes: list[ThemeSection]
    counts: dict[str, int] = field(default_factory=dict)


def improvement_plan_detail(*, user: User, plan: ImprovementPlan, today: date) -> PlanDetail:
    """A plan's themes in order, each action with its owner, source and progress updates, newest first; the
    plan's counts by RAG status. Two queries whatever the size: the themes with their actions, and the updates."""
    updates = Prefetch("updates", queryset=ProgressUpdate.objects.select_related("by").order_by("-quarter_starts_on"))
    actions = Prefetch(
        "actions",
        queryset=ImprovementAction.objects.select_related("owner_agency", "owner", "audit_round")
        .prefetch_related(updates)
        .order_by("due_on", "id"),
    )
    themes = ImprovementTheme.objects.filter(plan=plan).prefetch_related(actions).order_by("position", "id")
    counts = {"actions": 0, "red": 0, "amber": 0, "green": 0, "overdue": 0, "done": 0}
    sections = []
    for theme in themes:
        rows = []
        for action in theme.actions.all():
            history = _rows(list(action.updates.all()))
            is_open = action.status == ImprovementAction.Status.OPEN
            overdue = is_open and action.due_on < today
            counts["actions"] += 1
            if is_open:
                counts[action.rag] += 1
            else:
                counts["done"] += 1
            counts["overdue"] += overdue
            rows.append(ActionRow(
                action=action, overdue=overdue, may_update=is_open and improvement_action_may_update(user, action),
                latest=history[0] if history else None, earlier=history[1:],
            ))
        sections.append(ThemeSection(theme=theme, actions=rows))
    return PlanDetail(plan=plan, themes=sections, counts=counts)


def improvement_action_progress(*, action: ImprovementAction) -> list[UpdateRow]:
    """An action's updates, newest quarter first."""
    return _rows(list(ProgressUpdate.objects.filter(action=action).select_related("by").order_by("-quarter_starts_on")))


def improvement_owner_agencies(*, plan: ImprovementPlan) -> QuerySet[Agency]:
    """The agencies that may own an action of the plan: those serving its partnership."""
    return Agency.objects.filter(partnerships=plan.partnership_id).order_by("name")


def improvement_owner_candidates(*, plan: ImprovementPlan) -> QuerySet[Membership]:
    """Who may be named as an action's owner: active managers of the partnership's agencies."""
    return (
        Membership.objects.filter(partnership_id=plan.partnership_id, role__in=list(MANAGERS),
                                  user__is_active=True)
        .select_related("user", "agency")
        .order_by("agency__name", "user__last_name", "user__first_name", "user_id")
    )
