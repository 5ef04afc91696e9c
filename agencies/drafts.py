"""Drafts of long forms (SPEC 7.4: nothing typed is ever lost).

A form page that keeps drafts marks its ``<form>`` with ``data-app-draft`` (static/src/drafts.js). As the user
types, the script posts the form's fields to the form's own address with the header ``X-App-Draft: save``; the
page's view, after its own access checks and before it validates anything, hands the request to ``handle``,
which keeps the fields as the user's draft for that form. When the user comes back, the view asks ``offered``
for the draft and fills the form from it (``initial_from``); saving the record calls ``discard``.

So a draft is read and written only through the page it belongs to, by its author, under that page's access
rules. Each change to a draft is in the access log through the database's triggers (without the typed text);
each time one is offered back is logged here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.utils import timezone

from agencies.models import Draft, User
from agencies.selectors import membership_of
from agencies.session_time import seconds_left
from audits.models import AccessLogEntry
from audits.services import access_record

HEADER = "X-App-Draft"
SAVE = "save"
# The "Discard the draft" button's field: a plain form post, so it works without the script too.
DISCARD_FIELD = "draft-discard"
# Fields never kept: the page's CSRF token, and the buttons that say what a post is for.
NOT_KEPT = frozenset({"csrfmiddlewaretoken", "action", DISCARD_FIELD})
RECORD_TYPE = "draft"
URL_MAX = 300


def key(kind: str, record_id: int | None = None) -> str:
    """The key of a form's drafts: what kind of form ("voice", "decision", ...) and the id of the record it is
    about ("voice:12" for a child's voice record; "referral" for a new referral, about no record yet)."""
    return kind if record_id is None else f"{kind}:{record_id}"


def kind_and_record(draft_key: str) -> tuple[str, int | None]:
    """A key's kind and record id, as ``key`` made them."""
    kind, _, record = draft_key.partition(":")
    return kind, int(record) if record.isascii() and record.isdigit() else None


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def handle(request: HttpRequest, draft_key: str) -> HttpResponse | None:
    """Answer a draft save or discard for the form ``draft_key``; None for any other request (the view goes on).

    Call after the view's access checks: a user who may not use the form never reaches the draft.
    """
    if request.method != "POST":
        return None
    if request.headers.get(HEADER) == SAVE:
        return _save(request, draft_key)
    if DISCARD_FIELD in request.POST:
        discard(_user(request), draft_key)
        return HttpResponseRedirect(request.get_full_path())
    return None


def _save(request: HttpRequest, draft_key: str) -> HttpResponse:
    user = _user(request)
    data = {name: request.POST.getlist(name) for name in request.POST if name not in NOT_KEPT}
    membership = membership_of(user)
    with transaction.atomic():
        draft, _ = Draft.objects.update_or_create(
            author=user, key=draft_key,
            defaults={"data": data, "url": request.get_full_path()[:URL_MAX],
                      "partnership_id": membership.partnership_id if membership else None},
        )
    saved_at = timezone.localtime(draft.saved_at)
    return JsonResponse({
        "saved_at": saved_at.isoformat(),
        "saved_at_text": f"{saved_at:%H:%M}",
        "session_seconds_left": seconds_left(request),
    })


def offered(request: HttpRequest, draft_key: str) -> Draft | None:
    """The user's draft of the form ``draft_key``, if they left one; offering it back is logged as a view."""
    user = _user(request)
    draft = Draft.objects.filter(author=user, key=draft_key).first()
    if draft is not None:
        access_record(user=user, action=AccessLogEntry.Action.VIEW, record_type=RECORD_TYPE, record_id=draft.pk,
                      partnership_id=draft.partnership_id)
    return draft


def discard(user: User, draft_key: str) -> None:
    """Remove the user's draft of the form ``draft_key``: called once the record is saved, or when they start
    again."""
    Draft.objects.filter(author=user, key=draft_key).delete()


def as_data(draft: Draft) -> QueryDict:
    """The draft's fields as a form post would carry them."""
    data = QueryDict(mutable=True)
    for name, values in draft.data.items():
        if isinstance(values, list):
            data.setlist(str(name), [str(value) for value in values])
    data._mutable = False
    return data


def initial_from(form: forms.BaseForm, draft: Draft) -> dict[str, Any]:
    """Initial values for ``form`` from a draft, read the way the form reads a post (dates in their three
    boxes, ticked boxes as lists), so the form shows exactly what was typed without judging it yet."""
    data = as_data(draft)
    initial: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.ClearableFileInput | forms.FileInput):
            continue
        html_name = form.add_prefix(name)
        if field.widget.value_omitted_from_data(data, {}, html_name):  # never for tick boxes: unticked is a value
            continue
        initial[name] = field.widget.value_from_datadict(data, {}, html_name)
    return initial
