"""The child's voice pages (SPEC 3.2, 8 "Record the child's voice"): record one, read one, and a child's records
listed newest first.

Reads go through ``cases.permissions`` (404 when the user may not know the child or record; a restricted child
the user may know of shows the break-glass notice, a 403). Recording is for practitioners and managers: an
auditor or administrator is refused (403) before any child is looked up, so the answer tells them nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from agencies import drafts
from agencies.models import User
from cases.forms_voice import VoiceForm
from cases.models import Attachment, ChildVoice
from cases.permissions import person_get_for, voice_get_for, voice_may_record, voice_record_check
from cases.rules.people import age_on
from cases.selectors.attachments import attachments_of
from cases.selectors.voice import voice_records_of
from cases.services.voice import voice_record
from cases.views_people import restricted_notice

PAGE_SIZE = 25

Handler = Callable[..., HttpResponse]


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _errors_to_form(form: VoiceForm, error: ValidationError) -> None:
    """The service's field errors onto the form's fields (its moment onto the date), the rest to the summary."""
    for key, problems in error.message_dict.items():
        name = "recorded_on" if key == "recorded_at" else key
        form.add_error(name if name in form.fields else None, problems)


def _child_id(request: HttpRequest) -> int:
    typed = request.GET.get("child", "")
    if not typed.isdigit():
        raise Http404("No child named")
    return int(typed)


@login_required
@require_http_methods(["GET", "POST"])
@restricted_notice
def voice_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    voice_record_check(user)
    child = person_get_for(user, _child_id(request), log=not posting)
    draft_key = drafts.key("voice", child.pk)
    if (answered := drafts.handle(request, draft_key)) is not None:
        return answered
    draft = None if posting else drafts.offered(request, draft_key)
    if posting:
        form = VoiceForm(request.POST)
    else:
        form = VoiceForm(initial=VoiceForm.initial_from(timezone.now()))
        if draft is not None:
            form.initial = drafts.initial_from(form, draft)
    if form.is_bound and form.is_valid():
        try:
            voice = voice_record(child=child, by=user, **form.voice_fields())
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            drafts.discard(user, draft_key)
            messages.success(request, f"{child.full_name}'s voice is recorded.")
            return redirect("voice-detail", voice.pk)
    return render(request, "cases/voice/create.html", {
        "form": form, "child": child, "age": _age(child), "reveal_tool": ChildVoice.Method.STRUCTURED_TOOL,
        "draft": draft, "action": f"{reverse('voice-create')}?child={child.pk}",
    })


@login_required
@require_GET
def voice_detail(request: HttpRequest, voice_id: int) -> HttpResponse:
    user = _user(request)
    voice = voice_get_for(user, voice_id)
    return render(request, "cases/voice/detail.html", {
        "voice": voice, "child": voice.child, "may_record": voice_may_record(user),
        "attachments": attachments_of(user=user, record_type=Attachment.RecordType.CHILD_VOICE, record_id=voice.pk),
    })


@login_required
@require_GET
@restricted_notice
def voice_list(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    child = person_get_for(user, person_id)
    paginator = Paginator(voice_records_of(user=user, child=child), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "cases/voice/list.html", {
        "child": child, "age": _age(child), "page": page, "records": list(page.object_list),
        "page_numbers": list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)),
        "may_record": voice_may_record(user),
        "create_url": f"{reverse('voice-create')}?child={child.pk}",
    })


def _age(child: Any) -> str:
    if child.date_of_birth is None:
        return "Unborn" if child.expected_date_of_birth is not None else ""
    years = age_on(child.date_of_birth, timezone.localdate())
    return "Under 1" if years == 0 else f"{years}"
