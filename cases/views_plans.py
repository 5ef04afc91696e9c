"""The plan pages (SPEC 3.2): a plan made for a case, a plan with its actions, versions and distribution, a plan
changed, a version distributed, and an action closed.

Every plan is fetched through ``plan_get_for`` (a case through ``case_get_for``): 404 when the user may not know
it, then the role check (403), then the service, whose refusals land on the form's fields.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import drafts
from agencies.models import User
from cases.forms_plans import (
    ADD_ROW,
    BLANK_ROWS_CHANGE,
    BLANK_ROWS_NEW,
    DistributeForm,
    PlanCreateForm,
    PlanEditForm,
)
from cases.models import Case, Person, Plan, PlanAction
from cases.permissions import case_get_for, cases_visible, plan_change_check, plan_get_for
from cases.selectors import plans as selectors
from cases.services import plans as services

STATUS_TAGS: dict[str, str] = {Plan.Status.ACTIVE: "green", Plan.Status.ENDED: "grey"}


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def plan_url(plan: Plan, anchor: str = "") -> str:
    return reverse("plan-detail", args=[plan.pk]) + (f"#{anchor}" if anchor else "")


def _choices(user: User, case: Case, plan: Plan | None = None) -> dict[str, Any]:
    """What a plan's form offers: the agencies, the people who may be named at them, and the family (3 queries)."""
    return {
        "agencies": selectors.plan_agencies(case=case),
        "memberships": selectors.plan_owner_memberships(case=case, plan=plan),
        "family": selectors.plan_family(user=user, case=case),
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan_create_page(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    case = case_get_for(user, case_id, log=not posting)
    plan_change_check(user)
    draft_key = drafts.key("plan-new", case.pk)
    if (answered := drafts.handle(request, draft_key)) is not None:
        return answered
    draft = None if posting else drafts.offered(request, draft_key)
    data = request.POST if posting else drafts.as_data(draft) if draft is not None else None
    form = PlanCreateForm(data, row_count=BLANK_ROWS_NEW, **_choices(user, case))
    if draft is not None or (posting and ADD_ROW in request.POST):
        form.without_errors()
    elif form.is_bound and form.is_valid():
        rows = form.drafts()
        try:
            plan = services.plan_create(
                case=case, by=user, kind=form.cleaned_data["kind"],
                what_must_change=form.cleaned_data["what_must_change"], starts_on=form.cleaned_data["starts_on"],
                review_by=form.cleaned_data["review_by"], actions=[action for _, action in rows],
            )
        except ValidationError as error:
            form.service_errors(error.message_dict, [row for row, _ in rows])
        else:
            drafts.discard(user, draft_key)
            messages.success(request, f"{plan.get_kind_display()} made for {case.child.full_name}, with"
                                      f" {len(rows)} action{'s' if len(rows) != 1 else ''}.")
            return redirect(plan_url(plan))
    return render(request, "cases/plans/create.html", {
        "form": form, "case": case, "child": case.child, "add_row": ADD_ROW, "draft": draft,
    })


@login_required
@require_GET
def plan_detail_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    detail = selectors.plan_detail(user=user, plan_id=plan_id)
    plan = detail.plan
    active = plan.status == Plan.Status.ACTIVE
    return render(request, "cases/plans/detail.html", {
        "detail": detail,
        "plan": plan,
        "child": plan.case.child,
        "tag": STATUS_TAGS.get(plan.status, "grey"),
        "today": timezone.localdate(),
        "may_change": active and detail.may_change,
        "review_due": plan.review_by is not None and active and plan.review_by < timezone.localdate(),
        "latest": detail.versions[0] if detail.versions else None,
        "done": PlanAction.Status.DONE,
        "not_done": PlanAction.Status.NOT_DONE,
        # Back to the case for those who see it; an agency that only owns an action goes back to the child.
        "case_openable": cases_visible(user).filter(pk=plan.case_id).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    plan = plan_get_for(user, plan_id, log=not posting)
    plan_change_check(user)
    if plan.status != Plan.Status.ACTIVE and not posting:
        messages.info(request, "This plan has ended: it cannot be changed.")
        return redirect(plan_url(plan))
    actions = selectors.plan_actions(plan=plan)
    open_actions = [action for action in actions if action.status == PlanAction.Status.OPEN]
    closed = [action for action in actions if action.status != PlanAction.Status.OPEN]
    options = {"row_count": len(open_actions) + BLANK_ROWS_CHANGE, "existing": True,
               **_choices(user, plan.case, plan)}
    draft_key = drafts.key("plan", plan.pk)
    if (answered := drafts.handle(request, draft_key)) is not None:
        return answered
    draft = None if posting else drafts.offered(request, draft_key)
    if posting:
        form = PlanEditForm(request.POST, **options)
    elif draft is not None:
        form = PlanEditForm(drafts.as_data(draft), **options)
    else:
        form = PlanEditForm(initial=PlanEditForm.initial_for(plan, open_actions), **options)
    now_saved = None
    if draft is not None or (posting and ADD_ROW in request.POST):
        # A draft is shown as typed, judged only when saved (its version then says whether the plan moved on).
        form.without_errors()
    elif form.is_bound and form.is_valid():
        rows = form.drafts()
        try:
            plan = services.plan_update(
                plan=plan, by=user, version=form.cleaned_data["version"],
                what_must_change=form.cleaned_data["what_must_change"], review_by=form.cleaned_data["review_by"],
                actions=[action for _, action in rows], change_note=form.cleaned_data["change_note"],
            )
        except services.StalePlan as error:
            form.service_errors(error.message_dict, [row for row, _ in rows])
            # What the user typed stays; the plan as it is now is shown beside it; the next save is deliberate.
            current = plan_get_for(user, plan_id, log=False)
            now_saved = selectors.plan_detail_of(user=user, plan=current)
            data = request.POST.copy()
            data["version"] = str(current.version)
            form.data = data
        except ValidationError as error:
            form.service_errors(error.message_dict, [row for row, _ in rows])
        else:
            drafts.discard(user, draft_key)
            messages.success(request, f"Plan changed: this is version {plan.current_version}. Distribute it so"
                                      " every party has it.")
            return redirect(plan_url(plan))
    return render(request, "cases/plans/edit.html", {
        "form": form, "plan": plan, "child": plan.case.child, "closed": closed, "add_row": ADD_ROW,
        "now_saved": now_saved, "draft": draft,
    })


@login_required
@require_http_methods(["GET", "POST"])
def plan_distribute_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    plan = plan_get_for(user, plan_id, log=not posting)
    plan_change_check(user)
    if plan.status != Plan.Status.ACTIVE and not posting:
        messages.info(request, "This plan has ended: it is not distributed again.")
        return redirect(plan_url(plan))
    agencies = selectors.plan_party_agencies(plan=plan)
    family = [option for option in selectors.plan_family(user=user, case=plan.case)
              if option.person_id != plan.case.child_id]
    had_agencies, had_people = selectors.plan_received(plan=plan)
    named = {action.family_member_id for action in selectors.plan_actions(plan=plan)
             if action.family_member_id is not None}
    if posting:
        form = DistributeForm(request.POST, agencies=agencies, family=family, received=(had_agencies, had_people),
                              version=plan.current_version)
    else:
        form = DistributeForm(initial={
            "agencies": [str(a.pk) for a in agencies if a.pk not in had_agencies],
            "family_members": [str(f.person_id) for f in family if f.person_id not in had_people
                               and (f.person_id in named or f.caring or f.poses_risk)],
            "version_shown": plan.current_version,
        }, agencies=agencies, family=family, received=(had_agencies, had_people), version=plan.current_version)
    if form.is_bound and form.is_valid():
        chosen_agencies = [form.agency_objects[key] for key in form.cleaned_data["agencies"]]
        people: list[Person] = selectors.family_people(
            user=user, person_ids=[int(key) for key in form.cleaned_data["family_members"]])
        try:
            sent = services.plan_distribute(plan=plan, by=user, parties=[*chosen_agencies, *people],
                                            method=form.cleaned_data["method"],
                                            version=form.cleaned_data["version_shown"])
        except ValidationError as error:
            # The next send is of the version now shown.
            data = request.POST.copy()
            plan.refresh_from_db(fields=["current_version"])
            data["version_shown"] = str(plan.current_version)
            form.data = data
            for key, problems in error.message_dict.items():
                field = {"parties": "agencies" if agencies else "family_members"}.get(key, key)
                form.add_error(None if key == NON_FIELD_ERRORS or field not in form.fields else field, problems)
        else:
            count = len(sent)
            messages.success(request, f"Version {plan.current_version} distributed to {count}"
                                      f" part{'ies' if count != 1 else 'y'}.")
            return redirect(plan_url(plan, "distribution"))
    return render(request, "cases/plans/distribute.html", {
        "form": form, "plan": plan, "child": plan.case.child, "has_agencies": bool(agencies),
        "has_family": bool(family),
    })


@login_required
@require_POST
def plan_action_close_page(request: HttpRequest, plan_id: int, action_id: int) -> HttpResponse:
    user = _user(request)
    plan = plan_get_for(user, plan_id, log=False)
    action = selectors.plan_action_of(plan=plan, action_id=action_id)
    if action is None:
        raise Http404("No such action")
    back = plan_url(plan, "actions")
    try:
        closed = services.plan_action_close(action=action, by=user, status=request.POST.get("status", ""))
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect(back)
    messages.success(request, f"Action recorded as {closed.get_status_display().lower()}.")
    return redirect(back)
