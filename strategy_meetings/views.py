"""The strategy meeting pages (SPEC 3.4): the meetings listed, a meeting, an agency's contribution, and the
meeting held.

Every meeting is fetched through ``meeting_get_for`` (404 when the user may not know it exists), then the role
check (403), then the service, whose refusals land on the form's fields.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from agencies import drafts
from agencies.models import User
from agencies.selectors import membership_of
from referrals import rules as referral_rules
from strategy_meetings import services
from strategy_meetings.forms import ContributeForm, HoldForm
from strategy_meetings.models import Action, Invitation, StrategyMeeting
from strategy_meetings.permissions import (
    NOT_CASEWORK,
    meeting_contribute_check,
    meeting_contributing_agency,
    meeting_get_for,
    meeting_manage_check,
    meeting_may_manage,
    meeting_may_organise,
)
from strategy_meetings.selectors import (
    OPEN_STATUSES,
    meeting_children,
    meeting_detail,
    meeting_invitations,
    meetings_listed,
)

PAGE_SIZE = 25
STATUS_TAGS: dict[str, str] = {
    StrategyMeeting.Status.DUE: "blue",
    StrategyMeeting.Status.SCHEDULED: "light-blue",
    StrategyMeeting.Status.HELD: "green",
    StrategyMeeting.Status.CONSIDERED_NOT_HELD: "grey",
    StrategyMeeting.Status.CANCELLED: "grey",
}


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def meeting_url(meeting: StrategyMeeting) -> str:
    return reverse("meeting-detail", args=[meeting.pk])


def errors_to_form(form: Any, error: ValidationError, fields: dict[str, str | None]) -> None:
    """A service's field errors onto the form's fields (those it has), the rest to the error summary."""
    for key, problems in error.message_dict.items():
        name = fields.get(key, key if key in form.fields else None)
        form.add_error(None if key == NON_FIELD_ERRORS else name, problems)


@login_required
@require_GET
def meeting_list_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    paginator = Paginator(meetings_listed(user=user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    meetings: list[StrategyMeeting] = list(page.object_list)
    children = meeting_children(user=user, meeting_ids=[meeting.pk for meeting in meetings])
    now = timezone.now()
    rows = [{
        "meeting": meeting,
        "children": children.get(meeting.pk, []),
        "tag": STATUS_TAGS.get(meeting.status, "grey"),
        "left": referral_rules.time_left(meeting.due_by, now) if meeting.status in OPEN_STATUSES else None,
    } for meeting in meetings]
    return render(request, "strategy_meetings/list.html", {
        "page": page, "rows": rows, "now": now,
        "page_numbers": list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)),
    })


@login_required
@require_GET
def meeting_detail_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    detail = meeting_detail(user=user, meeting_id=meeting_id)
    meeting = detail.meeting
    is_open = meeting.status in OPEN_STATUSES
    heard = sum(1 for row in detail.invitations
                if row.invitation.response in (Invitation.Response.ATTENDED, Invitation.Response.SENT_INFORMATION))
    is_held = meeting.status == StrategyMeeting.Status.HELD
    may_manage = meeting_may_manage(user, meeting)
    may_organise = meeting_may_organise(user, meeting)
    membership = membership_of(user)
    own_agency = membership.agency_id if membership is not None and membership.role not in NOT_CASEWORK else None
    return render(request, "strategy_meetings/detail.html", {
        "detail": detail,
        "meeting": meeting,
        "now": timezone.now(),
        "tag": STATUS_TAGS.get(meeting.status, "grey"),
        "is_open": is_open,
        "is_held": is_held,
        "today": timezone.localdate(),
        "heard": heard,
        "may_contribute": is_open and meeting_contributing_agency(user, meeting) is not None,
        "may_hold": is_open and may_manage,
        "may_organise": is_open and may_organise,
        "may_add_actions": is_held and may_organise,
        "may_write_minutes": is_held and may_manage and meeting.minutes_distributed_at is None,
        "may_book_conference": is_held and may_organise and meeting.icpc_due_by is not None,
        "conference_late": (meeting.icpc_at is not None and meeting.icpc_due_by is not None
                            and timezone.localdate(meeting.icpc_at) > meeting.icpc_due_by),
        # The open actions this user may mark done: their own, their agency's, or all for those organising.
        "may_finish": {
            action.pk for action in detail.actions
            if action.status == Action.Status.OPEN
            and (may_organise or action.owner_id == user.pk or action.owner_agency_id == own_agency)
        },
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_contribute_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    meeting = meeting_get_for(user, meeting_id, log=not posting)
    agency = meeting_contribute_check(user, meeting)
    if meeting.status not in OPEN_STATUSES and not posting:
        messages.info(request, "This meeting is closed to contributions.")
        return redirect(meeting_url(meeting))
    draft_key = drafts.key("contribution", meeting.pk)
    if (answered := drafts.handle(request, draft_key)) is not None:
        return answered
    draft = None if posting else drafts.offered(request, draft_key)
    form = ContributeForm(request.POST if posting else None)
    if draft is not None:
        form.initial = drafts.initial_from(form, draft)
    if form.is_bound and form.is_valid():
        try:
            services.meeting_contribute(meeting=meeting, by=user, information=form.cleaned_data["information"])
        except ValidationError as error:
            errors_to_form(form, error, {"at": None})
        else:
            drafts.discard(user, draft_key)
            messages.success(request, f"What {agency.name} knows has been sent to the meeting.")
            return redirect(meeting_url(meeting))
    return render(request, "strategy_meetings/contribute.html", {
        "form": form, "meeting": meeting, "agency": agency, "draft": draft,
        "action": reverse("meeting-contribute", args=[meeting.pk]),
        "children": meeting_children(user=user, meeting_ids=[meeting.pk]).get(meeting.pk, []),
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_hold_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    meeting = meeting_get_for(user, meeting_id, log=not posting)
    meeting_manage_check(user, meeting)
    if meeting.status not in OPEN_STATUSES and not posting:
        messages.info(request, f"This meeting is already {meeting.get_status_display().lower()}.")
        return redirect(meeting_url(meeting))
    invitations = meeting_invitations(meeting)
    form = (HoldForm(request.POST, invitations=invitations) if posting
            else HoldForm(initial=HoldForm.initial_from(timezone.now()), invitations=invitations))
    if form.is_bound and form.is_valid() and "at" in form.cleaned_data:
        try:
            services.meeting_hold(
                meeting=meeting, by=user, held_at=form.cleaned_data["at"], attendance=form.attendance(),
                outcome=form.cleaned_data["outcome"],
                missing_agency_reason=form.cleaned_data["missing_agency_reason"],
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            errors_to_form(form, error, {"held_at": "held_on", "attendance": form.first_attendance_field()})
        else:
            messages.success(request, f"Strategy meeting {meeting.pk} recorded as held.")
            return redirect(meeting_url(meeting))
    return render(request, "strategy_meetings/hold.html", {
        "form": form, "meeting": meeting,
        "children": meeting_children(user=user, meeting_ids=[meeting.pk]).get(meeting.pk, []),
    })
