"""Incident, escalating-review and Operation Encompass pages (SPEC 3.2, 6, 8)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import Agency, User
from agencies.selectors import agencies_visible, membership_of
from cases.forms_incidents import EncompassSchoolForm, EscalatingReviewForm, IncidentChoices, IncidentForm
from cases.models import EncompassNotice, Incident, Person
from cases.permissions import (
    encompass_notice_get_for,
    escalating_flag_get_for,
    escalating_flag_may_review,
    incidents_visible,
    people_visible,
)
from cases.rules import dash as dash_rules
from cases.rules.risk import is_child_on
from cases.selectors import incidents as incident_selectors
from cases.selectors.incidents import (
    IncidentDetail,
    encompass_notices_for,
    encompass_notices_receive,
    incident_detail,
    incident_detail_of,
)
from cases.selectors.people import people_find
from cases.services.incidents import (
    ChildAtIncident,
    DashInput,
    encompass_notice_send,
    escalating_review_record,
    incident_create,
    incident_create_check,
)

PAGE_SIZE = 25
RECORDED_KEY = "incident_recorded"
# Where each of the service's error keys is shown on the form ("" for the error summary only).
SERVICE_FIELDS = {
    "occurred_at": "occurred_on",
    "reference": "reference",
    "location": "location",
    "summary": "summary",
    "dash.professional_judgement_level": "judgement_level",
    "dash.professional_judgement_reason": "judgement_reason",
}
SERVICE_ROLES = {"victims": "victim", "perpetrators": "perpetrator", "children": "child"}


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def _page(request: HttpRequest, items: Any) -> tuple[Any, list[Any]]:
    paginator = Paginator(items, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))


# -- Incidents ----------------------------------------------------------------------------------------------


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page, page_numbers = _page(request, incident_selectors.incidents_listed(user=user))
    return render(request, "cases/incidents/list.html", {
        "page": page, "page_numbers": page_numbers, "may_record": _may_record(user),
    })


def _may_record(user: User) -> bool:
    try:
        incident_create_check(user)
    except PermissionDenied:
        return False
    return True


def _people_for_form(user: User, ids: Sequence[int]) -> list[Person]:
    """The people offered on the form, in the order they were added, among those the user may open."""
    wanted = list(dict.fromkeys(ids))
    found = {p.pk: p for p in people_visible(user).filter(pk__in=wanted)}
    return [found[pk] for pk in wanted if pk in found]


def _people_around(user: User, person_id: int) -> list[int]:
    """Enter once: the person's current household and relatives, offered with them."""
    living_with = Q(household_memberships__left_on__isnull=True,
                    household_memberships__household__memberships__person_id=person_id,
                    household_memberships__household__memberships__left_on__isnull=True)
    related = Q(relationships_from__other_id=person_id) | Q(relationships_to__person_id=person_id)
    around = (
        people_visible(user).filter(living_with | related).exclude(pk=person_id)
        .order_by("date_of_birth", "pk").values_list("pk", flat=True).distinct()
    )
    return [person_id, *around[:20]]


def _ids(values: Iterable[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


@login_required
def incident_create_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    incident_create_check(user)
    membership = membership_of(user)
    if membership is None:
        raise PermissionDenied("Only staff of an agency record incidents.")
    partnership = membership.partnership
    medium_from, high_from = partnership.dash_medium_from, partnership.dash_high_from
    found: list[Any] = []
    searched = ""
    if request.method == "POST":
        finding = request.POST.get("action") == "find"
        ids = _ids(request.POST.getlist("people"))
        if finding:
            searched = " ".join(request.POST.get("find", "").split())
            found = people_find(user=user, q=searched)
            ids += [summary.person_id for summary in found]
        form = IncidentForm(request.POST, candidates=_people_for_form(user, ids), finding=finding,
                            medium_from=medium_from, high_from=high_from)
        if not finding and form.is_valid():
            incident = _incident_record(form, form.choices(), user=user)
            if incident is not None:
                request.session[RECORDED_KEY] = {"id": incident.pk, "lines": _consequences(user, incident)}
                return redirect("incident-detail", incident_id=incident.pk)
    else:
        person_ids = _ids([request.GET.get("person", "")])
        candidates = _people_for_form(user, _people_around(user, person_ids[0]) if person_ids else [])
        initial: dict[str, Any] = {}
        if candidates and candidates[0].pk in person_ids:
            chosen = candidates[0]
            initial[f"role_{chosen.pk}"] = "child" if is_child_on(chosen.date_of_birth, timezone.localdate()) else ""
            initial[f"child_{chosen.pk}"] = ["resident"]
        form = IncidentForm(initial=initial, candidates=candidates, medium_from=medium_from, high_from=high_from)
    return render(request, "cases/incidents/create.html", {
        "form": form, "found": found, "searched": searched,
    })


def _incident_record(form: IncidentForm, chosen: IncidentChoices, *, user: User) -> Incident | None:
    """Record the incident, or put the service's objections on the form (nothing is saved then)."""
    membership = membership_of(user)
    if membership is None:
        raise PermissionDenied("Only staff of an agency record incidents.")
    dash = None
    if chosen.dash_answers:
        dash = DashInput(chosen.dash_answers, chosen.judgement_level, chosen.judgement_reason)
    try:
        return incident_create(
            partnership=membership.partnership, by=user, occurred_at=chosen.occurred_at,
            reported_by=membership.agency, reference=chosen.reference, location=chosen.location,
            summary=chosen.summary, victims=chosen.victims, perpetrators=chosen.perpetrators,
            children=[ChildAtIncident(c.person, c.resident, c.present, c.seen, c.spoken_to) for c in chosen.children],
            dash=dash,
        )
    except ValidationError as error:
        for key, problems in error.message_dict.items():
            form.add_error(_form_field(form, key), problems)
        return None


def _form_field(form: IncidentForm, key: str) -> str | None:
    if key in SERVICE_FIELDS:
        return SERVICE_FIELDS[key]
    role = SERVICE_ROLES.get(key)
    if role is not None:
        for candidate in form.candidates:
            if form.cleaned_data.get(candidate.role_field) == role:
                return candidate.role_field
    return None


def _names(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _consequences(user: User, incident: Incident) -> list[str]:
    """What recording the incident set in motion, for the banner on its page."""
    detail = incident_detail_of(user=user, incident=incident)
    lines = []
    shared = []
    # Children's social care sees every incident with a child by rule (SPEC 6), without a share record.
    if detail.children and detail.incident.reported_by.kind != Agency.Kind.CHILDRENS_SOCIAL_CARE:
        shared.append("children's social care")
    shares = incident_selectors.incident_shares(incident)
    shared += [s.agency.name for s in shares if s.agency_id != incident.reported_by_id]
    if shared:
        lines.append(f"Shared with {_names(list(dict.fromkeys(shared)))}.")
    sent = [n.school.name for n in detail.notices if n.school is not None and n.sent_at is not None]
    if sent:
        lines.append(f"Operation Encompass notice sent to {_names(list(dict.fromkeys(sent)))}.")
    for notice in detail.notices:
        if notice.sent_at is None:
            lines.append(f"No school is recorded for {notice.child.full_name}: choose the school so the Operation "
                         "Encompass notice can be sent.")
    escalating: dict[int, list[str]] = {}
    for row in detail.children:
        if row.escalating is not None:
            escalating.setdefault(row.escalating.incident_count, []).append(row.person.given_name)
    for count, names in escalating.items():
        verb = "is" if len(names) == 1 else "are"
        lines.append(f"{_names(names)} {verb} now flagged escalating ({count} incidents in 12 months).")
    for referral in detail.marac_referrals:
        kind = "Repeat MARAC case" if referral.repeat else "High risk"
        lines.append(f"{kind}: refer {referral.victim.full_name} to the MARAC.")
    return lines


@login_required
def incident_detail_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    user = _user(request)
    detail = incident_detail(user=user, incident_id=incident_id)
    recorded = request.session.get(RECORDED_KEY)
    banner: list[str] | None = None
    if isinstance(recorded, dict) and recorded.get("id") == incident_id:
        banner = list(recorded.get("lines") or [])
        del request.session[RECORDED_KEY]
    return render(request, "cases/incidents/detail.html", {
        "detail": detail,
        "incident": detail.incident,
        "shares": incident_selectors.incident_shares(detail.incident),
        "openable": _openable(user, detail),
        "may_review": escalating_flag_may_review(user),
        "may_see_history": user.has_perm("audits.view_accesslogentry"),
        "banner": banner,
        "questions_total": len(dash_rules.QUESTIONS),
    })


def _openable(user: User, detail: IncidentDetail) -> set[int]:
    """The people on the page whose records the user may open, so only those are links."""
    ids = {p.pk for p in (*detail.victims, *detail.perpetrators)} | {row.person.pk for row in detail.children}
    return set(people_visible(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


# -- Escalating review ---------------------------------------------------------------------------------------


@login_required
def escalating_review(request: HttpRequest, flag_id: int) -> HttpResponse:
    user = _user(request)
    flag = escalating_flag_get_for(user, flag_id)
    form = EscalatingReviewForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            escalating_review_record(flag=flag, by=user, note=form.cleaned_data["note"])
        except ValidationError as error:
            for key, problems in error.message_dict.items():
                form.add_error("note" if key == "note" else None, problems)
        else:
            messages.success(request, f"Review of {flag.person.full_name}'s escalating flag recorded.")
            return redirect("escalating-review", flag_id=flag.pk)
    incidents = (
        incidents_visible(user).filter(children__child_id=flag.person_id)
        .select_related("reported_by").order_by("-occurred_at", "-pk")[:10]
    )
    return render(request, "cases/incidents/escalating_review.html", {
        "form": form, "flag": flag, "incidents": list(incidents),
    })


# -- Operation Encompass -------------------------------------------------------------------------------------


@login_required
def encompass_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not encompass_notices_receive(user):
        raise PermissionDenied("Operation Encompass notices go to schools, the police and children's social care.")
    page, page_numbers = _page(request, encompass_notices_for(user=user))
    membership = membership_of(user)
    is_school = membership is not None and membership.agency.kind == Agency.Kind.EDUCATION
    return render(request, "cases/encompass/list.html", {
        "page": page, "page_numbers": page_numbers, "is_school": is_school,
    })


def _may_send(user: User, notice: EncompassNotice) -> bool:
    """The police of the reporting agency choose a school for a notice that had none."""
    membership = membership_of(user)
    return (
        membership is not None
        and membership.agency.kind == Agency.Kind.POLICE
        and incidents_visible(user).filter(pk=notice.incident_id, reported_by_id=membership.agency_id).exists()
    )


def _schools_for(user: User, notice: EncompassNotice) -> Any:
    return agencies_visible(user=user).filter(kind=Agency.Kind.EDUCATION, partnerships=notice.partnership_id)


def _encompass_page(request: HttpRequest, notice: EncompassNotice, form: EncompassSchoolForm | None,
                    *, may_send: bool) -> HttpResponse:
    user = _user(request)
    membership = membership_of(user)
    is_school = membership is not None and membership.agency.kind == Agency.Kind.EDUCATION
    return render(request, "cases/encompass/detail.html", {
        "notice": notice,
        "form": form,
        "may_send": may_send and notice.sent_at is None,
        "is_school": is_school,
        "incident_visible": not is_school and incidents_visible(user).filter(pk=notice.incident_id).exists(),
    })


@login_required
def encompass_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = _user(request)
    notice = encompass_notice_get_for(user, notice_id)
    may_send = notice.sent_at is None and _may_send(user, notice)
    form = EncompassSchoolForm(schools=_schools_for(user, notice)) if may_send else None
    return _encompass_page(request, notice, form, may_send=may_send)


@login_required
@require_POST
def encompass_send(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = _user(request)
    notice = encompass_notice_get_for(user, notice_id)
    if not _may_send(user, notice):
        raise PermissionDenied("Only the police force that reported the incident chooses the school.")
    if notice.sent_at is not None:
        messages.info(request, f"This notice was already sent to {notice.school}.")
        return redirect(reverse("encompass-detail", args=[notice.pk]))
    form = EncompassSchoolForm(request.POST, schools=_schools_for(user, notice))
    if form.is_valid():
        try:
            sent = encompass_notice_send(notice=notice, school=form.cleaned_data["school"], by=user)
        except ValidationError as error:
            for key, problems in error.message_dict.items():
                form.add_error("school" if key == "school" else None, problems)
        else:
            messages.success(request, f"Operation Encompass notice sent to {sent.school}.")
            return redirect(reverse("encompass-detail", args=[notice.pk]))
    return _encompass_page(request, notice, form, may_send=True)
