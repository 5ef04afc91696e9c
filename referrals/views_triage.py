"""The MASH pages (SPEC 3.3, 8): the triage queue, a referral, rating and allocating, asking an agency, the
decision and the feedback to the referrer.

The queue works without JavaScript; with htmx, its filters and a poll every minute swap the queue's region
in place (a request with the HX-Request header gets the region alone).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import dateformat, timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import drafts
from agencies.models import Agency, User
from agencies.selectors import agencies_visible, calendar_for, users_visible
from cases.services.people import StaleRecord
from referrals import rules
from referrals.forms_triage import (
    AllocateForm,
    CheckRequestForm,
    DecisionForm,
    FeedbackForm,
    QueueFilterForm,
    RateForm,
)
from referrals.models import Decision, Referral
from referrals.permissions import (
    CONSENT_OVERRIDE_ROLES,
    check_request_check,
    consent_override_may_authorise,
    escalation_raise_check,
    feedback_record_check,
    referral_decide_check,
    referral_get_for,
    triage_act_check,
    triage_check,
    triage_may_see,
)
from referrals.selectors import (
    QueueRow,
    ReferralDetail,
    referral_children,
    referral_detail,
    referral_detail_of,
    triage_queue,
)
from referrals.services import (
    agency_check_request,
    referral_allocate,
    referral_decide,
    referral_feedback_record,
    referral_rate,
)

# The queue's region refreshes itself this often (htmx), and each countdown every 30 seconds (countdown.js).
QUEUE_POLL = "every 60s"
# As the services say it when they refuse (under the referral's lock).
DECIDED_MEANWHILE = "This referral has already been decided."
FED_BACK_ALREADY = "Feedback has already been recorded for this referral."


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def _allowed(check: Callable[[User], None], user: User) -> bool:
    try:
        check(user)
    except PermissionDenied:
        return False
    return True


def local_path(value: object) -> str:
    """``value`` if it is a path on this site (for the ``back`` and ``next`` links), else ""."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return ""
    if "\\" in value or not value.isprintable():
        return ""
    return value if url_has_allowed_host_and_scheme(value, allowed_hosts=None) else ""


def _when(moment: Any) -> str:
    """A time as the banners say it: "14:30 on Tuesday 3 June 2025"."""
    return dateformat.format(timezone.localtime(moment), r"H:i \o\n l j F Y")


def _errors_to_form(form: Any, error: ValidationError, fields: dict[str, str | None]) -> None:
    """A service's field errors onto the form's fields (those it has), the rest to the error summary."""
    for key, problems in error.message_dict.items():
        name = fields.get(key, key if key in form.fields else None)
        form.add_error(None if key == NON_FIELD_ERRORS else name, problems)


# -- The triage queue ---------------------------------------------------------------------------------------


def _referrer_agencies(user: User) -> list[tuple[int, str]]:
    """The agencies that may refer in the user's partnership: the choices of the referrer-agency filter."""
    return list(agencies_visible(user=user).prefetch_related(None).values_list("pk", "name"))


def queue_groups(rows: list[QueueRow]) -> list[list[QueueRow]]:
    """The queue's rows in their groups: siblings (referrals about one household's children) together."""
    groups: list[list[QueueRow]] = []
    for row in rows:
        if row.group_start or not groups:
            groups.append([])
        groups[-1].append(row)
    return groups


@login_required
@require_GET
def triage_queue_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    triage_check(user)
    agencies = _referrer_agencies(user)
    chosen = QueueFilterForm(request.GET, agencies=agencies)
    queue = triage_queue(user=user, filters=chosen.filters())
    query = chosen.querystring()
    queue_url = reverse("triage-queue") + (f"?{urlencode(query)}" if query else "")
    context = {
        # The filters as chosen, a value that is not one of the choices left out (not an error to show).
        "form": QueueFilterForm(initial=query, agencies=agencies),
        "queue": queue,
        "groups": queue_groups(queue.rows),
        "queue_url": queue_url,
        "poll": QUEUE_POLL,
        "now": timezone.now(),
        "user_id": user.pk,
    }
    # htmx asks for the region alone; restoring its history after a cache miss, it needs the whole page.
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")
    response = render(request, "referrals/triage/_queue_region.html" if partial else "referrals/triage/queue.html",
                      {**context, "oob": partial})
    if partial and request.headers.get("HX-Trigger") == "triage-queue-filters":
        # The address says the filters chosen (and only those), so the back button and a reload keep them.
        response["HX-Push-Url"] = queue_url
    patch_vary_headers(response, ["HX-Request"])
    return response


# -- A referral ---------------------------------------------------------------------------------------------


def _back(request: HttpRequest) -> str:
    return local_path(request.POST.get("back") if request.method == "POST" else request.GET.get("back"))


def _referral_url(referral: Referral, back: str = "") -> str:
    url = reverse("referral-detail", args=[referral.pk])
    return f"{url}?{urlencode({'back': back})}" if back else url


def _detail_render(request: HttpRequest, detail: ReferralDetail, *, rate_form: RateForm | None = None) -> HttpResponse:
    user = _user(request)
    referral = detail.referral
    awaiting = referral.status == Referral.Status.AWAITING_DECISION
    back = _back(request)
    may_triage = awaiting and _allowed(triage_act_check, user)
    may_challenge = (
        detail.decision is not None and detail.open_escalation is None
        and _allowed(lambda u: escalation_raise_check(u, referral), user)
    )
    hidden = {"version": referral.version, "back": back}
    now = timezone.now()
    return render(request, "referrals/triage/detail.html", {
        "detail": detail,
        "referral": referral,
        "awaiting": awaiting,
        "now": now,
        "categories": [Referral.Category(value).label for value in referral.categories
                       if value in Referral.Category.values],
        "back_link": _back_link(user, detail, back),
        "checks": [(check, None if check.answered_at else rules.time_left(check.due_at, now))
                   for check in detail.checks],
        "feedback_left": rules.time_left(detail.feedback_due_at, now) if detail.feedback_due_at else None,
        "meeting_left": (rules.time_left(detail.strategy_meeting.due_by, now)
                         if detail.strategy_meeting is not None else None),
        "rate_form": rate_form or (RateForm(initial={**hidden, "rag": referral.rag}) if may_triage else None),
        "allocate_form": AllocateForm(initial=hidden) if may_triage else None,
        "allocated_to_me": referral.allocated_to_id == user.pk,
        "may_request_check": awaiting and _allowed(check_request_check, user),
        "may_decide": awaiting and _allowed(referral_decide_check, user),
        "may_feedback": referral.status == Referral.Status.DECIDED and _allowed(feedback_record_check, user),
        "may_challenge": may_challenge,
        "escalate_url": f"/referrals/{referral.pk}/escalate/",
    })


def _back_link(user: User, detail: ReferralDetail, back: str) -> tuple[str, str] | None:
    """Where the referral page's back link goes: the queue as the user left it, or their own list."""
    if back:
        return back, "Back to the triage queue" if urlsplit(back).path == reverse("triage-queue") else "Back"
    if triage_may_see(user):
        return reverse("triage-queue"), "Back to the triage queue"
    if detail.view == "referrer":
        return "/referrals/made/", "Back to your agency's referrals"
    if detail.view == "checked":
        return "/checks/", "Back to your agency's checks"
    return None


@login_required
@require_GET
def referral_detail_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _detail_render(request, referral_detail(user=_user(request), referral_id=referral_id))


def _after(request: HttpRequest, referral: Referral) -> str:
    """Where a rating or an allocation goes back to: ``next`` when it names a page here, else the referral."""
    return local_path(request.POST.get("next")) or _referral_url(referral, _back(request))


def _triage_referral(request: HttpRequest, referral_id: int) -> Referral:
    """The referral for rating or allocating: 404 if the user may not know it, 403 if not MASH staff."""
    user = _user(request)
    referral = referral_get_for(user, referral_id, log=False)
    triage_act_check(user)
    return referral


def _refused(request: HttpRequest, referral: Referral, error: ValidationError) -> HttpResponse:
    """A stale version or a referral decided meanwhile: say so on the referral page."""
    for problem in error.messages:
        messages.error(request, problem)
    return redirect(_referral_url(referral, _back(request)))


@login_required
@require_POST
def referral_rate_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = _triage_referral(request, referral_id)
    form = RateForm(request.POST)
    if not form.is_valid() and "version" in form.errors:
        # No version, or not a version: the page the form came from is not one we can vouch for.
        return _refused(request, referral, StaleRecord())
    if form.is_valid():
        try:
            referral_rate(referral=referral, by=user, rag=form.cleaned_data["rag"],
                          version=form.cleaned_data["version"])
        except StaleRecord as error:
            return _refused(request, referral, error)
        except ValidationError as error:
            if "rag" not in error.message_dict:
                return _refused(request, referral, error)
            form.add_error("rag", error.message_dict["rag"])
        else:
            messages.success(request, f"Referral {referral.pk} rated {Referral.Rag(referral.rag).label.lower()}.")
            return redirect(_after(request, referral))
    detail = referral_detail_of(user=user, referral=referral)
    return _detail_render(request, detail, rate_form=form)


@login_required
@require_POST
def referral_allocate_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = _triage_referral(request, referral_id)
    form = AllocateForm(request.POST)
    if not form.is_valid() and "version" in form.errors:
        return _refused(request, referral, StaleRecord())
    if not form.is_valid():
        messages.error(request, "Choose whether to take the referral or give it back.")
        return redirect(_referral_url(referral, _back(request)))
    to = user if form.cleaned_data["to"] == "me" else None
    try:
        referral_allocate(referral=referral, by=user, to=to, version=form.cleaned_data["version"])
    except ValidationError as error:
        return _refused(request, referral, error)
    messages.success(request, f"Referral {referral.pk} allocated to you." if to is not None
                     else f"Referral {referral.pk} is back in the pool, allocated to no one.")
    return redirect(_after(request, referral))


# -- Asking an agency ---------------------------------------------------------------------------------------


def _agencies_to_ask(user: User, referral: Referral) -> QuerySet[Agency]:
    """Agencies serving the referral's partnership, other than children's social care (which holds it)."""
    return (
        agencies_visible(user=user).prefetch_related(None)
        .filter(partnerships=referral.partnership_id)
        .exclude(kind=Agency.Kind.CHILDRENS_SOCIAL_CARE)
    )


def _consent_managers(user: User, referral: Referral) -> QuerySet[User] | None:
    """Managers of children's social care who may authorise sharing without consent; None if not needed."""
    if referral.consent == Referral.Consent.GIVEN or consent_override_may_authorise(user):
        return None
    return (
        users_visible(user=user)
        .filter(is_active=True, membership__role__in=list(CONSENT_OVERRIDE_ROLES),
                membership__agency__kind=Agency.Kind.CHILDRENS_SOCIAL_CARE,
                membership__agency__partnerships=referral.partnership_id)
        .order_by("first_name", "last_name", "username")
    )


def _not_awaiting(request: HttpRequest, referral: Referral, message: str) -> HttpResponse:
    messages.info(request, message)
    return redirect(_referral_url(referral, _back(request)))


@login_required
@require_http_methods(["GET", "POST"])
def check_request_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = referral_get_for(user, referral_id, log=request.method == "GET")
    check_request_check(user)
    posting = request.method == "POST"
    if referral.status != Referral.Status.AWAITING_DECISION and not posting:
        return _not_awaiting(request, referral, "This referral has been decided, so no more checks can be asked.")
    agencies = _agencies_to_ask(user, referral)
    managers = _consent_managers(user, referral)
    form = CheckRequestForm(request.POST if posting else None, agencies=agencies, managers=managers)
    if form.is_bound and referral.status != Referral.Status.AWAITING_DECISION and not form.is_valid():
        # Decided while the question was typed: said now, not only once the other errors are put right.
        form.add_error(None, DECIDED_MEANWHILE)
    if form.is_bound and form.is_valid():
        agency = form.cleaned_data["agency"]
        try:
            check = agency_check_request(
                referral=referral, by=user, agency=agency, question=form.cleaned_data["question"],
                due_at=form.cleaned_data["due_at"], authorised_by=form.cleaned_data.get("authorised_by"),
            )
        except ValidationError as error:
            _errors_to_form(form, error, {"due_at": "due_on"})
        else:
            messages.success(request, f"{agency.name} has been asked. The answer is due by {_when(check.due_at)}.")
            return redirect(_referral_url(referral, _back(request)))
    red = rules.on_red_clock(rag=referral.rag, urgency=referral.urgency)
    default_due = rules.check_due_at(timezone.now(), red=red, calendar=calendar_for(referral.partnership))
    return render(request, "referrals/triage/check_request.html", {
        "form": form,
        "referral": referral,
        "children": referral_children(user=user, referral_ids=[referral.pk]).get(referral.pk, []),
        "default_due": default_due,
        "due_hint": f"Leave the date and time blank for the usual time: by {_when(default_due)} (4 working hours"
                    " for a referral rated red, otherwise the end of the next working day)",
        "self_authorises": referral.consent != Referral.Consent.GIVEN and managers is None,
        "back": _back(request),
        "referral_url": _referral_url(referral, _back(request)),
    })


# -- The decision -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def referral_decide_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = referral_get_for(user, referral_id, log=request.method == "GET")
    referral_decide_check(user)
    posting = request.method == "POST"
    if referral.status != Referral.Status.AWAITING_DECISION and not posting:
        return _not_awaiting(request, referral, DECIDED_MEANWHILE)
    draft_key = drafts.key("decision", referral.pk)
    if (answered := drafts.handle(request, draft_key)) is not None:
        return answered
    draft = None if posting else drafts.offered(request, draft_key)
    # Posted after someone else decided: the service refuses it under the referral's lock, and the page keeps
    # what was typed (SPEC 7.2).
    form = DecisionForm(request.POST if posting else None)
    if draft is not None:
        form.initial = drafts.initial_from(form, draft)
    if form.is_bound and referral.status != Referral.Status.AWAITING_DECISION and not form.is_valid():
        form.add_error(None, DECIDED_MEANWHILE)
    if form.is_bound and form.is_valid():
        try:
            decision = referral_decide(referral=referral, by=user, outcome=form.cleaned_data["outcome"],
                                       rationale=form.cleaned_data["rationale"])
        except ValidationError as error:
            _errors_to_form(form, error, {"decided_at": None})
        else:
            drafts.discard(user, draft_key)
            messages.success(request, _decided(user, referral, decision))
            return redirect(_referral_url(referral, _back(request)))
    return render(request, "referrals/triage/decision.html", {
        "form": form,
        "referral": referral,
        "detail": referral_detail_of(user=user, referral=referral),
        "back": _back(request),
        "referral_url": _referral_url(referral, _back(request)),
        "draft": draft, "action": reverse("referral-decide", args=[referral.pk]),
    })


def _decided(user: User, referral: Referral, decision: Decision) -> str:
    text = f"Decision recorded: {decision.get_outcome_display()}."
    if decision.outcome == Decision.Outcome.STRATEGY_DISCUSSION:
        meeting = referral_detail_of(user=user, referral=referral).strategy_meeting
        if meeting is not None:
            text += f" The strategy meeting is due by {_when(meeting.due_by)}."
    return text


# -- Feedback to the referrer -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def referral_feedback_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = referral_get_for(user, referral_id, log=request.method == "GET")
    feedback_record_check(user)
    posting = request.method == "POST"
    if referral.status == Referral.Status.AWAITING_DECISION:
        return _not_awaiting(request, referral, "There is no decision to feed back yet.")
    if referral.status == Referral.Status.FED_BACK and not posting:
        return _not_awaiting(request, referral, FED_BACK_ALREADY)
    detail = referral_detail_of(user=user, referral=referral)
    if posting:
        # Fed back by a colleague meanwhile: the service refuses it, and the page keeps what was typed.
        form = FeedbackForm(request.POST)
        if referral.status == Referral.Status.FED_BACK and not form.is_valid():
            form.add_error(None, FED_BACK_ALREADY)
    else:
        form = FeedbackForm(initial=FeedbackForm.initial_now())
    if form.is_bound and form.is_valid():
        shared_at = form.cleaned_data["shared_at"]
        if shared_at is not None and detail.decision is not None and (
            shared_at <= detail.decision.decided_at < shared_at + timedelta(minutes=1)
        ):
            # Told in the minute of the decision (the form's default, to the minute): just after it.
            shared_at = detail.decision.decided_at
        try:
            referral_feedback_record(referral=referral, by=user, method=form.cleaned_data["method"],
                                     shared_at=shared_at, note=form.cleaned_data["note"])
        except ValidationError as error:
            _errors_to_form(form, error, {"shared_at": "shared_on"})
        else:
            messages.success(request, f"Feedback to {referral.referrer_agency.name} recorded.")
            return redirect(_referral_url(referral, _back(request)))
    return render(request, "referrals/triage/feedback.html", {
        "form": form,
        "referral": referral,
        "detail": detail,
        "back": _back(request),
        "referral_url": _referral_url(referral, _back(request)),
    })


urlpatterns: list[URLPattern] = [
    path("referrals/", triage_queue_page, name="triage-queue"),
    path("referrals/<int:referral_id>/", referral_detail_page, name="referral-detail"),
    path("referrals/<int:referral_id>/rag/", referral_rate_page, name="referral-rate"),
    path("referrals/<int:referral_id>/allocate/", referral_allocate_page, name="referral-allocate"),
    path("referrals/<int:referral_id>/checks/new/", check_request_page, name="check-request"),
    path("referrals/<int:referral_id>/decision/", referral_decide_page, name="referral-decide"),
    path("referrals/<int:referral_id>/feedback/", referral_feedback_page, name="referral-feedback"),
]
