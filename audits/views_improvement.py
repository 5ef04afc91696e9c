"""The improvement plan pages (SPEC 3.5): the partnership's plans, a plan with its themes and actions, and the
writes: a plan made, a theme or an action added, a quarterly progress update, an action marked done.

Every plan and action is fetched through its access helper (404 outside the partnership, 403 for those who may
not read or change it); the services' refusals land on the forms' fields.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.models import User
from agencies.selectors import membership_of
from audits import selectors_improvement as selectors
from audits import services_improvement as services
from audits.forms_improvement import ActionForm, PlanCreateForm, ProgressForm, ThemeForm, service_errors
from audits.models import ImprovementAction, ImprovementPlan
from audits.permissions_improvement import (
    improvement_action_get_for,
    improvement_plan_change_check,
    improvement_plan_get_for,
    improvement_plan_may_change,
    improvement_plans_read_check,
)

RAG_TAGS = {"red": "red", "amber": "orange", "green": "green"}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def plan_url(plan: ImprovementPlan | int, anchor: str = "") -> str:
    pk = plan if isinstance(plan, int) else plan.pk
    return reverse("improvement-plan-detail", args=[pk]) + (f"#{anchor}" if anchor else "")


@login_required
@require_GET
def improvement_plan_list_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    improvement_plans_read_check(user)
    plans = list(selectors.improvement_plans_for(user=user, today=timezone.localdate()))
    return render(request, "audits/improvement/list.html", {
        "plans": plans, "may_change": improvement_plan_may_change(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def improvement_plan_create_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    improvement_plan_change_check(user)
    membership = membership_of(user)
    if membership is None:  # pragma: no cover (the check above needs a membership)
        raise PermissionDenied("No partnership")
    form = PlanCreateForm(request.POST or None, initial={"themes": list(services.SEED_THEMES)})
    if form.is_bound and form.is_valid():
        try:
            plan = services.improvement_plan_create(
                user=user, partnership=membership.partnership, title=form.cleaned_data["title"],
                starts_on=form.cleaned_data["starts_on"], themes=form.themes_chosen(),
            )
        except ValidationError as error:
            service_errors(form, error.message_dict)
        else:
            messages.success(request, f"Plan made: {plan.title}. Add its actions theme by theme.")
            return redirect(plan_url(plan))
    return render(request, "audits/improvement/create.html", {"form": form})


@login_required
@require_GET
def improvement_plan_detail_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    plan = improvement_plan_get_for(user, plan_id)
    detail = selectors.improvement_plan_detail(user=user, plan=plan, today=timezone.localdate())
    return render(request, "audits/improvement/detail.html", {
        "plan": plan, "detail": detail, "rag_tags": RAG_TAGS,
        "may_change": improvement_plan_may_change(user) and plan.status == ImprovementPlan.Status.ACTIVE,
    })


@login_required
@require_http_methods(["GET", "POST"])
def improvement_theme_add_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    plan = improvement_plan_get_for(user, plan_id, write=True)
    form = ThemeForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            theme = services.improvement_theme_add(user=user, plan=plan, title=form.cleaned_data["title"])
        except ValidationError as error:
            service_errors(form, error.message_dict)
        else:
            messages.success(request, f"Theme added: {theme.title}.")
            return redirect(plan_url(plan, f"theme-{theme.pk}"))
    return render(request, "audits/improvement/theme_add.html", {"form": form, "plan": plan})


@login_required
@require_http_methods(["GET", "POST"])
def improvement_action_add_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    plan = improvement_plan_get_for(user, plan_id, write=True)
    themes = list(plan.themes.order_by("position", "id"))
    form = ActionForm(
        request.POST or None,
        initial={"theme": request.GET.get("theme", "")},
        themes=themes,
        agencies=selectors.improvement_owner_agencies(plan=plan),
        owners=selectors.improvement_owner_candidates(plan=plan),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        owner = form.owner_objects[data["owner"]].user if data["owner"] is not None else None
        theme = next(theme for theme in themes if theme.pk == data["theme"])
        try:
            action = services.improvement_action_add(
                user=user, theme=theme, description=data["description"],
                owner_agency=form.agency_objects[data["owner_agency"]], timescale_months=data["timescale_months"],
                expected_impact=data["expected_impact"], owner=owner,
            )
        except ValidationError as error:
            service_errors(form, error.message_dict)
        else:
            messages.success(request, f"Action added to {theme.title}, due on {action.due_on:%-d %B %Y}.")
            return redirect(plan_url(plan, f"action-{action.pk}"))
    return render(request, "audits/improvement/action_add.html", {
        "form": form, "plan": plan, "has_themes": bool(themes),
    })


@login_required
@require_http_methods(["GET", "POST"])
def improvement_progress_add_page(request: HttpRequest, action_id: int) -> HttpResponse:
    user = _user(request)
    action = improvement_action_get_for(user, action_id, write=True)
    plan = action.theme.plan
    if action.status != ImprovementAction.Status.OPEN and request.method == "GET":
        messages.info(request, "This action is done: no more progress updates are needed.")
        return redirect(plan_url(plan, f"action-{action.pk}"))
    today = timezone.localdate()
    quarters = services.quarters_reportable(plan_starts_on=plan.starts_on, today=today)
    form = ProgressForm(request.POST or None, quarters=quarters,
                        initial={"quarter_starts_on": quarters[0].isoformat() if quarters else ""})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            update = services.improvement_progress_add(
                user=user, action=action, quarter_starts_on=data["quarter_starts_on"], rag=data["rag"],
                progress=data["progress"], evidence=data["evidence"], today=today,
            )
        except ValidationError as error:
            service_errors(form, error.message_dict)
        else:
            messages.success(request, f"Progress recorded for {services.quarter_name(update.quarter_starts_on)}:"
                                      f" {update.get_rag_display()}.")
            return redirect(plan_url(plan, f"action-{action.pk}"))
    return render(request, "audits/improvement/progress_add.html", {
        "form": form, "action": action, "plan": plan, "rag_tags": RAG_TAGS,
        "updates": selectors.improvement_action_progress(action=action), "has_quarters": bool(quarters),
    })


@login_required
@require_POST
def improvement_action_done_page(request: HttpRequest, action_id: int) -> HttpResponse:
    user = _user(request)
    action = improvement_action_get_for(user, action_id, write=True)
    try:
        services.improvement_action_done(user=user, action=action)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, "Action marked as done.")
    return redirect(plan_url(action.theme.plan_id, f"action-{action.pk}"))
