"""What the improvement plan tests share: the partnership's plan after its inspection, with its five themes and
actions at 3, 6, 9 and 12 months (no tests here)."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from agencies.models import Agency, User
from audits.models import ImprovementAction, ImprovementPlan, ImprovementTheme
from audits.services_improvement import SEED_THEMES, improvement_action_add, improvement_plan_create
from tests.conftest import World


def today() -> date:
    return timezone.localdate()


def make_plan(w: World, *, starts_on: date | None = None, title: str = "Priority action plan") -> ImprovementPlan:
    """North's plan with the five seed themes, started four months ago unless told."""
    return improvement_plan_create(user=w.sm, partnership=w.north, title=title,
                                   starts_on=starts_on or today() - relativedelta(months=4), themes=SEED_THEMES)


def theme_of(plan: ImprovementPlan, position: int = 1) -> ImprovementTheme:
    return ImprovementTheme.objects.get(plan=plan, position=position)


def add_action(w: World, plan: ImprovementPlan, *, agency: Agency | None = None, months: int = 3,
               owner: User | None = None, position: int = 1,
               description: str = "Hold every strategy meeting within 24 hours of the threshold being met.",
               ) -> ImprovementAction:
    return improvement_action_add(
        user=w.sm, theme=theme_of(plan, position), description=description, owner_agency=agency or w.csc,
        timescale_months=months, expected_impact="Children at risk of significant harm are protected sooner.",
        owner=owner,
    )


def set_due(action: ImprovementAction, due_on: date) -> ImprovementAction:
    ImprovementAction.objects.filter(pk=action.pk).update(due_on=due_on)
    action.refresh_from_db()
    return action


def days_ago(days: int) -> date:
    return today() - timedelta(days=days)
