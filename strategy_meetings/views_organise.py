"""Organising a strategy meeting (SPEC 3.4): inviting one more agency, the time and the chair, recording the
meeting considered but not held, and booking the initial child protection conference after a section 47 outcome.

As on the other meeting pages: the meeting through ``meeting_get_for`` (404 when the user may not know it
exists), then the role check (403), then the service, whose refusals land on the form's fields. A page whose
step no longer applies (a closed meeting; no conference due) sends a GET back to the meeting with a message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agencies.models import User
from strategy_meetings import services
from strategy_meetings.forms_organise import ConferenceForm, InviteForm, NotHeldForm, ScheduleForm
from strategy_meetings.models import StrategyMeeting
from strategy_meetings.permissions import meeting_get_for, meeting_manage_check, meeting_organise_check
from strategy_meetings.rules import ICPC_WORKING_DAYS
from strategy_meetings.selectors import OPEN_STATUSES, MeetingChild, agencies_to_invite, chairs_for, meeting_children
from strategy_meetings.views import _user, errors_to_form, meeting_url


def _children(user: User, meeting: StrategyMeeting) -> list[MeetingChild]:
    """The caption's children (two queries)."""
    return meeting_children(user=user, meeting_ids=[meeting.pk]).get(meeting.pk, [])


def _closed(request: HttpRequest, meeting: StrategyMeeting, what: str) -> HttpResponse:
    messages.info(request, f"This meeting is {meeting.get_status_display().lower()}, so it {what}.")
    return redirect(meeting_url(meeting))


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %A %-d %B %Y}"


def _stale_shown(form: Any, error: ValidationError, meeting: StrategyMeeting) -> None:
    """Someone else saved first: the refusal heads the page, what the user entered stays in the form, and the
    next save is made against what is stored now (so it can still win, once the user has seen it)."""
    errors_to_form(form, error, {})
    meeting.refresh_from_db()
    data = form.data.copy()
    data["version"] = str(meeting.version)
    form.data = data


@login_required
@require_http_methods(["GET", "POST"])
def meeting_invite_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    meeting = meeting_get_for(user, meeting_id, log=not posting)
    meeting_organise_check(user, meeting)
    if meeting.status not in OPEN_STATUSES and not posting:
        return _closed(request, meeting, "cannot invite any more agencies")
    agencies = agencies_to_invite(meeting)
    form = InviteForm(request.POST if posting and agencies else None, agencies=agencies)
    if form.is_bound and form.is_valid():
        agency = form.agency_chosen()
        try:
            services.meeting_invite(meeting=meeting, by=user, agency=agency,
                                    required=form.cleaned_data["required"] == "yes",
                                    proposed_because=form.cleaned_data["proposed_because"])
        except ValidationError as error:
            errors_to_form(form, error, {})
        else:
            messages.success(request, f"{agency.name} is invited. The agency has been told and can now see the"
                                      " meeting.")
            return redirect(meeting_url(meeting))
    return render(request, "strategy_meetings/invite.html", {
        "form": form, "meeting": meeting, "agencies": agencies, "children": _children(user, meeting),
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_schedule_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    meeting = meeting_get_for(user, meeting_id, log=not posting)
    meeting_organise_check(user, meeting)
    if meeting.status not in OPEN_STATUSES and not posting:
        return _closed(request, meeting, "cannot be scheduled")
    chairs = chairs_for(meeting)
    form = (ScheduleForm(request.POST, chairs=chairs) if posting else ScheduleForm(
        initial={**ScheduleForm.initial_from(meeting.scheduled_for), "chair": meeting.chair_id,
                 "version": meeting.version}, chairs=chairs))
    theirs: list[tuple[str, str]] = []
    if form.is_bound and form.is_valid() and "at" in form.cleaned_data:
        chair = form.chair_chosen()
        try:
            meeting = services.meeting_schedule(meeting=meeting, by=user, scheduled_for=form.cleaned_data["at"],
                                                chair=chair, version=form.cleaned_data["version"])
        except services.StaleMeeting as error:
            _stale_shown(form, error, meeting)
            theirs = [
                ("Time", _when(meeting.scheduled_for) if meeting.scheduled_for else "Not scheduled"),
                ("Chair", meeting.chair.display_name if meeting.chair else "No chair yet"),
            ]
        except ValidationError as error:
            errors_to_form(form, error, {"scheduled_for": "scheduled_on"})
        else:
            messages.success(request, f"Strategy meeting {meeting.pk} is scheduled for"
                                      f" {_when(form.cleaned_data['at'])}, chaired by {chair.display_name}.")
            return redirect(meeting_url(meeting))
    return render(request, "strategy_meetings/schedule.html", {
        "form": form, "meeting": meeting, "children": _children(user, meeting), "theirs": theirs,
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_not_held_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    meeting = meeting_get_for(user, meeting_id, log=not posting)
    meeting_manage_check(user, meeting)
    if meeting.status not in OPEN_STATUSES and not posting:
        return _closed(request, meeting, "cannot be recorded as not held")
    form = NotHeldForm(request.POST if posting else None)
    if form.is_bound and form.is_valid():
        try:
            services.meeting_not_held(meeting=meeting, by=user, rationale=form.cleaned_data["rationale"],
                                      instead=form.cleaned_data["instead"])
        except ValidationError as error:
            errors_to_form(form, error, {})
        else:
            messages.success(request, f"Strategy meeting {meeting.pk} recorded as considered but not held.")
            return redirect(meeting_url(meeting))
    return render(request, "strategy_meetings/not_held.html", {
        "form": form, "meeting": meeting, "children": _children(user, meeting),
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_conference_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    meeting = meeting_get_for(user, meeting_id, log=not posting)
    meeting_organise_check(user, meeting)
    due_by = meeting.icpc_due_by
    if (meeting.status != StrategyMeeting.Status.HELD or due_by is None) and not posting:
        messages.info(request, "An initial child protection conference is booked after a strategy meeting"
                               " decides on a section 47 enquiry.")
        return redirect(meeting_url(meeting))
    form = (ConferenceForm(request.POST, due_by=due_by) if posting
            else ConferenceForm(initial={**ConferenceForm.initial_from(meeting.icpc_at), "version": meeting.version},
                                due_by=due_by))
    theirs: list[tuple[str, str]] = []
    if form.is_bound and form.is_valid() and "at" in form.cleaned_data:
        conference_at = form.cleaned_data["at"]
        try:
            services.meeting_conference_book(meeting=meeting, by=user, conference_at=conference_at,
                                             version=form.cleaned_data["version"])
        except services.StaleMeeting as error:
            _stale_shown(form, error, meeting)
            theirs = [("Conference", _when(meeting.icpc_at) if meeting.icpc_at else "Not booked")]
        except ValidationError as error:
            errors_to_form(form, error, {"conference_at": "conference_on"})
        else:
            booked = f"Initial child protection conference booked for {_when(conference_at)}."
            if due_by is not None and timezone.localtime(conference_at).date() > due_by:
                booked += (f" This is later than {ICPC_WORKING_DAYS} working days after the strategy meeting:"
                           f" it was due by {due_by:%A %-d %B %Y}.")
            messages.success(request, booked)
            return redirect(meeting_url(meeting))
    return render(request, "strategy_meetings/conference.html", {
        "form": form, "meeting": meeting, "due_by": due_by, "children": _children(user, meeting), "theirs": theirs,
    })
