"""The pages after a strategy meeting (SPEC 3.4): an action agreed, an action marked done, and the minutes
written and distributed to every invited agency with one command.

As on the other meeting pages: the meeting through ``meeting_get_for`` (404 when the user may not know it),
then the role check (403), then the service, whose refusals land on the form's fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from strategy_meetings import rules, services
from strategy_meetings.forms_record import MINUTES_DISTRIBUTE, ActionForm, MinutesForm, minutes_starting_text
from strategy_meetings.models import Action, StrategyMeeting
from strategy_meetings.permissions import meeting_get_for, meeting_manage_check, meeting_organise_check
from strategy_meetings.selectors import action_owners, meeting_actions, meeting_children, meeting_invitations
from strategy_meetings.views import _user, errors_to_form, meeting_url

ANOTHER = "another"


def _agencies(count: int) -> str:
    return f"{count} {'agency' if count == 1 else 'agencies'}"


@login_required
@require_http_methods(["GET", "POST"])
def meeting_action_add_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    meeting = meeting_get_for(user, meeting_id, log=not posting)
    meeting_organise_check(user, meeting)
    if meeting.status != StrategyMeeting.Status.HELD and not posting:
        messages.info(request, "Actions are added once the meeting is recorded as held.")
        return redirect(meeting_url(meeting))
    invitations = meeting_invitations(meeting)
    form = ActionForm(request.POST if posting else None, invitations=invitations,
                      memberships=action_owners(meeting, invitations))
    if form.is_bound and form.is_valid():
        try:
            action = services.meeting_action_add(
                meeting=meeting, by=user, description=form.cleaned_data["description"],
                owner_agency=form.owner_agency_chosen(), owner=form.owner_chosen(),
                due_by=form.cleaned_data["due_by"],
            )
        except ValidationError as error:
            errors_to_form(form, error, {})
        else:
            messages.success(request, f"Action added for {action.owner_agency.name}, due"
                                      f" {action.due_by:%-d %B %Y}.")
            if request.POST.get("then") == ANOTHER:
                return redirect("meeting-action-add", meeting.pk)
            return redirect(meeting_url(meeting) + "#actions")
    return render(request, "strategy_meetings/action_add.html", {
        "form": form, "meeting": meeting, "another": ANOTHER,
        "children": meeting_children(user=user, meeting_ids=[meeting.pk]).get(meeting.pk, []),
    })


@login_required
@require_POST
def meeting_action_done_page(request: HttpRequest, meeting_id: int, action_id: int) -> HttpResponse:
    user = _user(request)
    meeting = meeting_get_for(user, meeting_id, log=False)
    # The action only through the meeting the user may see.
    action = Action.objects.filter(meeting=meeting, pk=action_id).select_related("owner_agency").first()
    if action is None:
        raise Http404("No such action")
    action.meeting = meeting
    back = meeting_url(meeting) + "#actions"
    try:
        services.meeting_action_done(action=action, by=user)
    except ValidationError as error:
        for problem in error.message_dict.get(NON_FIELD_ERRORS, error.messages):
            messages.error(request, problem)
        return redirect(back)
    messages.success(request, f"Action for {action.owner_agency.name} marked done.")
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_minutes_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    meeting = meeting_get_for(user, meeting_id, log=not posting)
    meeting_manage_check(user, meeting)
    if not posting and meeting.status != StrategyMeeting.Status.HELD:
        messages.info(request, "Minutes are written once the meeting is recorded as held.")
        return redirect(meeting_url(meeting))
    if not posting and meeting.minutes_distributed_at is not None:
        messages.info(request, "The minutes of this meeting have been distributed.")
        return redirect(meeting_url(meeting))
    invitations = meeting_invitations(meeting)
    actions = meeting_actions(meeting)
    distributing = posting and request.POST.get("action") == MINUTES_DISTRIBUTE
    if posting:
        form = MinutesForm(request.POST, distributing=distributing)
    else:
        draft = meeting.minutes or minutes_starting_text(meeting=meeting, invitations=invitations, actions=actions)
        form = MinutesForm(initial={"minutes": draft, "seen": rules.minutes_digest(meeting.minutes)})
    saved_by_another = ""
    if form.is_bound and form.is_valid():
        minutes = form.cleaned_data["minutes"]
        seen = form.cleaned_data["seen"] or None
        try:
            if distributing:
                sent = services.meeting_minutes_distribute(meeting=meeting, by=user, minutes=minutes, seen=seen)
            else:
                services.meeting_minutes_save(meeting=meeting, by=user, minutes=minutes, seen=seen)
        except ValidationError as error:
            errors_to_form(form, error, {})
            if services.STALE_MINUTES in error.messages:
                # Keep what this user typed; show what the other saved; the next save is a deliberate one.
                meeting.refresh_from_db()
                saved_by_another = meeting.minutes
                data = request.POST.copy()
                data["seen"] = rules.minutes_digest(meeting.minutes)
                form.data = data
        else:
            if distributing:
                messages.success(request, f"Minutes and actions distributed to {_agencies(len(sent))}.")
                return redirect(meeting_url(meeting))
            messages.success(request, "Draft saved")
            return redirect(reverse("meeting-minutes", args=[meeting.pk]))
    return render(request, "strategy_meetings/minutes.html", {
        "form": form, "meeting": meeting, "invitations": invitations, "actions": actions,
        "agencies": _agencies(len(invitations)), "distribute": MINUTES_DISTRIBUTE,
        "saved_by_another": saved_by_another,
        "children": meeting_children(user=user, meeting_ids=[meeting.pk]).get(meeting.pk, []),
    })
