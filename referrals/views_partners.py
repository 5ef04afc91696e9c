"""Front-door pages for every agency (SPEC 3.3, 8): making a referral, the referrer's own referrals with their
outcomes, agency checks to answer, and challenging a decision (escalation)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agencies import drafts
from agencies.models import Agency, Draft, User
from agencies.selectors import agencies_visible, calendar_for, membership_of
from agencies.views import as_id
from cases.models import Incident, IncidentChild, Person
from cases.permissions import incidents_visible, people_visible, sees_whole_partnership
from cases.rules.risk import is_child_on
from cases.selectors.people import people_find
from referrals import rules
from referrals.forms_partners import (
    NEW_CHILD_FIELDS,
    CheckAnswerForm,
    EscalationRaiseForm,
    EscalationRespondForm,
    ReferralForm,
    UnsavedAnswerForm,
    new_child_encode,
    new_children_decode,
)
from referrals.models import AgencyCheck, Decision, Escalation, EscalationStage, Feedback, Referral
from referrals.permissions import (
    NOT_CASEWORK,
    agency_check_get_for,
    escalation_get_for,
    escalation_may_respond,
    escalation_raise_check,
    referral_create_check,
    referral_get_for,
)
from referrals.selectors import (
    ChildRow,
    DuplicatePreview,
    HouseholdChild,
    agency_checks_inbox,
    household_children_offered,
    new_child_matches,
    referral_children,
    referral_decision_of,
    referral_open_escalation,
    referrals_made,
    referrals_with_children,
    staff_by_id,
)
from referrals.services import (
    NewChild,
    agency_check_answer,
    escalation_raise,
    escalation_respond,
    referral_create,
)

PAGE_SIZE = 25
# A user's unsent referral: one at a time, whichever record it was started from.
REFERRAL_DRAFT = drafts.key("referral")
CHECK_ANSWERED_MEANWHILE = ("This check has already been answered: your answer was not saved. It is shown below"
                            " so that you can copy it.")
ESCALATION_CLOSED_MEANWHILE = ("This escalation was closed while you were answering: your answer was not saved. It"
                               " is shown below so that you can copy it.")
# Incidents offered to link: the newest that involve the children on the form.
INCIDENTS_OFFERED = 20
NO_CHILDREN = "Add the children the referral is about: find a child, or add a child who is not on the system"
# The search box's field allows as many characters.
SEARCH_MAX = 100
# A person's given and family names are as long at most (cases.models.Person).
NAME_MAX = 100
# Where each of referral_create's error keys is shown on the form.
SERVICE_FIELDS = {
    "received_at": "received_time",
    "children": "find",
    "concerns": "concerns",
    "categories": "categories",
    "urgency": "urgency",
    "incident": "incident",
    "consent": "consent",
    "lawful_basis": "lawful_basis",
    "source_code": None,
}


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def _page(request: HttpRequest, items: Any) -> tuple[Any, list[Any]]:
    paginator = Paginator(items, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))


def _casework_check(user: User, what: str) -> None:
    """Auditors and administrators do not do casework; everyone else works in an agency."""
    membership = membership_of(user)
    if membership is None or membership.role in NOT_CASEWORK:
        raise PermissionDenied(f"{what} are for practitioners and managers of the partnership's agencies.")


def _service_errors(form: Any, error: ValidationError, fields: dict[str, str | None]) -> None:
    """Put a service's field-level objections on the form's fields (the rest in the error summary)."""
    for key, problems in error.message_dict.items():
        field = fields.get(key) if key != NON_FIELD_ERRORS else None
        form.add_error(field if field in form.fields else None, problems)


# -- Making a referral --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChosenChild:
    person: Person
    age: str


@dataclass(frozen=True)
class NewChildRow:
    child: NewChild
    encoded: str
    age: str


@dataclass(frozen=True)
class FoundChild:
    person_id: int
    name: str
    date_of_birth: date | None
    age: str


@dataclass(frozen=True)
class LivingWith:
    """A child on the form and the other children living with them, offered to add."""

    name: str
    children: list[HouseholdChild]


@dataclass
class ReferralPage:
    """What the referral form shows besides its fields: the children so far, search results, duplicates."""

    chosen: list[ChosenChild]
    new_children: list[NewChildRow]
    found: list[FoundChild]
    searched: str = ""
    adults_found: int = 0
    duplicates: list[DuplicatePreview] | None = None
    note: str = ""
    living_with: list[LivingWith] = field(default_factory=list)


def _ids(values: Iterable[str]) -> list[int]:
    return list(dict.fromkeys(pk for pk in map(as_id, values) if pk is not None))


def _children_for_form(user: User, ids: Sequence[int]) -> list[Person]:
    """The children on the form, in the order they were added, among those the user may open."""
    found = {p.pk: p for p in people_visible(user).filter(pk__in=ids)} if ids else {}
    return [found[pk] for pk in ids if pk in found]


def _incidents_offered(user: User, child_ids: Sequence[int], linked: int | None) -> list[Incident]:
    """Incidents the user may see involving the children on the form, and the one linked already."""
    if not child_ids and linked is None:
        return []
    wanted = Q(pk__in=IncidentChild.objects.filter(child_id__in=child_ids).values("incident_id")) if child_ids \
        else Q(pk=linked)
    if child_ids and linked is not None:
        wanted |= Q(pk=linked)
    return list(incidents_visible(user).filter(wanted).select_related("reported_by")
                .order_by("-occurred_at", "-pk")[:INCIDENTS_OFFERED])


def _without_new_child(data: QueryDict) -> QueryDict:
    """The posted form with the new child's boxes emptied, once the child is on the list."""
    data = data.copy()
    for name in (*NEW_CHILD_FIELDS, "new_date_of_birth_day", "new_date_of_birth_month", "new_date_of_birth_year"):
        data.pop(name, None)
    return data


def _searched(data: QueryDict) -> str:
    """The text to find children by, tidied: no NUL characters (which the database refuses), no longer than
    the box allows."""
    return " ".join(str(data.get("find", "")).replace("\x00", "").split())[:SEARCH_MAX]


def _action(data: QueryDict) -> tuple[str, str]:
    action, _, argument = str(data.get("action", "send")).partition(":")
    return action, argument


def _referral_initial(user: User) -> dict[str, Any]:
    now = timezone.localtime()
    membership = membership_of(user)
    return {
        "received_on": now.date(),
        "received_time": f"{now:%H:%M}",
        "referrer_agency": membership.agency_id if membership is not None else None,
        "referrer_name": user.display_name,
        "referrer_contact": user.email,
    }


@login_required
@require_http_methods(["GET", "POST"])
def referral_create_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    referral_create_check(user)
    membership = membership_of(user)
    assert membership is not None  # noqa: S101 - referral_create_check says so
    agencies = (
        agencies_visible(user=user).filter(partnerships=membership.partnership_id).prefetch_related(None)
        if sees_whole_partnership(user) else None
    )
    if (answered := drafts.handle(request, REFERRAL_DRAFT)) is not None:
        return answered
    draft = None
    if request.method != "POST":
        draft = drafts.offered(request, REFERRAL_DRAFT)
        if draft is None:
            return _referral_get(request, user, agencies)
    # A draft is shown as it was typed, its children those the user may still open; nothing is checked yet.
    data: QueryDict = request.POST if draft is None else drafts.as_data(draft)
    action, argument = _action(data) if draft is None else ("draft", "")
    child_ids = _ids(data.getlist("child"))
    new_children = new_children_decode(data.getlist("new_child"))
    page = ReferralPage(chosen=[], new_children=[], found=[], searched=_searched(data))

    chosen = as_id(argument)
    if action in ("add", "use") and chosen is not None:
        child_ids = list(dict.fromkeys([*child_ids, chosen]))
        if action == "use":
            # A known child picked in place of the new one typed: the new child's boxes are emptied.
            data = _without_new_child(data)
    elif action == "remove" and chosen is not None:
        child_ids = [pk for pk in child_ids if pk != chosen]
    elif action == "remove_new" and chosen is not None and chosen < len(new_children):
        del new_children[chosen]
    children = _children_for_form(user, child_ids)

    linked = as_id(data.get("incident", ""))
    form = ReferralForm(data, action=action, agencies=agencies,
                        incidents=_incidents_offered(user, [c.pk for c in children], linked))
    if action in ("find", "add") and page.searched:
        _search(user, page, page.searched, exclude={c.pk for c in children})
    elif action == "find":
        page.note = "Enter a name, a date of birth or an NHS number to find a child."
    elif action in ("add_new", "confirm_new") and form.is_valid():
        new = form.cleaned_data["new_child"]
        page.duplicates = (new_child_matches(user=user, partnership_id=membership.partnership_id, child=new)
                           if action == "add_new" else [])
        if not page.duplicates:
            new_children.append(new)
            form = ReferralForm(_without_new_child(data), action=action, agencies=agencies,
                                incidents=_incidents_offered(user, [c.pk for c in children], linked))
            page.duplicates = None
            page.note = f"{new.given_name} {new.family_name} added. They are recorded when you send the referral."
    elif action == "send":
        if not children and not new_children and not form.new_child_typed():
            form.add_error("find", NO_CHILDREN)
        referral = _referral_send(user, form, page, children=children, new_children=new_children,
                                  partnership_id=membership.partnership_id)
        if referral is not None:
            drafts.discard(user, REFERRAL_DRAFT)
            return redirect("referral-created", referral_id=referral.pk)
    _page_children(user, page, children, new_children)
    return _referral_render(request, form, page, draft=draft)


def _referral_get(request: HttpRequest, user: User, agencies: Any) -> HttpResponse:
    """A new form (enter once): from an incident (?incident=), the incident linked and its children added; from
    a child's record (?child=, repeatable), that child added. Only children the user may open are added; any
    other id is ignored without a word, so that the page says nothing of records the user may not see."""
    incident = None
    wanted = as_id(request.GET.get("incident", ""))
    if wanted is not None:
        incident = incidents_visible(user).filter(pk=wanted).first()
    child_ids: list[int] = []
    if incident is not None:
        child_ids = list(incident.children.order_by("pk").values_list("child_id", flat=True))
    child_ids = list(dict.fromkeys([*child_ids, *_ids(request.GET.getlist("child"))]))
    children = [c for c in _children_for_form(user, child_ids) if is_child_on(c.date_of_birth, timezone.localdate())
                or c.expected_date_of_birth is not None]
    initial = _referral_initial(user)
    if incident is not None:
        initial["incident"] = str(incident.pk)
    form = ReferralForm(initial=initial, agencies=agencies,
                        incidents=_incidents_offered(user, [c.pk for c in children],
                                                     incident.pk if incident is not None else None))
    page = ReferralPage(chosen=[], new_children=[], found=[])
    _page_children(user, page, children, [])
    return _referral_render(request, form, page)


def _search(user: User, page: ReferralPage, searched: str, *, exclude: set[int]) -> None:
    found = people_find(user=user, q=searched)
    today = timezone.localdate()
    page.found = [FoundChild(p.person_id, p.name, p.date_of_birth, rules.age_text(p.date_of_birth, today=today))
                  for p in found if p.is_child and p.person_id not in exclude]
    page.adults_found = sum(1 for p in found if not p.is_child)


def _page_children(user: User, page: ReferralPage, children: Sequence[Person],
                   new_children: Sequence[NewChild]) -> None:
    today = timezone.localdate()
    page.chosen = [ChosenChild(c, rules.age_text(c.date_of_birth, c.expected_date_of_birth, today=today))
                   for c in children]
    # The other children of their households, to add with one button rather than find or type (enter once).
    offered = household_children_offered(user=user, child_ids=[c.pk for c in children])
    page.living_with = [
        LivingWith(child.full_name, [o for o in offered if o.living_with == child.pk]) for child in children
        if any(o.living_with == child.pk for o in offered)
    ]
    page.new_children = [NewChildRow(c, new_child_encode(c), rules.age_text(c.date_of_birth, today=today))
                         for c in new_children]


def _referral_send(user: User, form: ReferralForm, page: ReferralPage, *, children: Sequence[Person],
                   new_children: Sequence[NewChild], partnership_id: int) -> Referral | None:
    """Make the referral, or put the objections on the form (nothing is saved then)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    new = data.get("new_child")
    if new is not None:
        # Typed but not yet added: checked for duplicates before it is recorded.
        page.duplicates = new_child_matches(user=user, partnership_id=partnership_id, child=new)
        if page.duplicates:
            form.add_error("new_given_name", f"{new.given_name} {new.family_name} may already be known. Refer a "
                                             "record below, or confirm that this is a new child")
            return None
        # Only on the list once saved: if the service refuses the referral, the boxes still hold the child.
        new_children = [*new_children, new]
        page.duplicates = None
    if not children and not new_children:
        form.add_error("find", NO_CHILDREN)
        return None
    if any(len(c.given_name) > NAME_MAX or len(c.family_name) > NAME_MAX for c in new_children):
        # Only a changed hidden input carries one: the boxes take no more.
        form.add_error("find", f"A child's name is longer than {NAME_MAX} characters: remove the child and add"
                               " them again")
        return None
    membership = membership_of(user)
    assert membership is not None  # noqa: S101 - the page checked
    agency: Agency = data["referrer_agency"] if form.picks_agency else membership.agency
    incident = None
    if data.get("incident"):
        wanted = as_id(data["incident"])
        incident = incidents_visible(user).filter(pk=wanted).first() if wanted is not None else None
        if incident is None:
            form.add_error("incident", "Choose an incident from the list")
            return None
    try:
        return referral_create(
            by=user, received_at=data["received_at"], referrer_agency=agency, children=list(children),
            new_children=list(new_children), concerns=data["concerns"], categories=data["categories"],
            urgency=data["urgency"], incident=incident, consent=data["consent"],
            consent_reason=data["consent_reason"], lawful_basis=data["lawful_basis"],
            referrer_name=data["referrer_name"], referrer_contact=data["referrer_contact"],
            family_told=data["family_told"],
        )
    except ValidationError as error:
        fields: dict[str, str | None] = {**SERVICE_FIELDS, "referrer_agency": "referrer_agency",
                                         "consent_reason": form.consent_reason_field()}
        # A new child's objections (new_children.<n>.<field>) are shown with the children.
        fields.update({key: "find" for key in error.message_dict if key.startswith("new_children.")})
        _service_errors(form, error, fields)
        return None


def _referral_render(request: HttpRequest, form: ReferralForm, page: ReferralPage, *,
                     draft: Draft | None = None) -> HttpResponse:
    membership = membership_of(_user(request))
    return render(request, "referrals/partners/create.html", {
        "form": form, "page": page, "own_agency": membership.agency if membership is not None else None,
        "draft": draft, "action": reverse("referral-create"),
    })


@login_required
def referral_created(request: HttpRequest, referral_id: int) -> HttpResponse:
    """The confirmation: the reference, when the MASH will decide, and children referred before."""
    user = _user(request)
    referral = referral_get_for(user, referral_id)
    children = referral_children(user=user, referral_ids=[referral.pk]).get(referral.pk, [])
    return render(request, "referrals/partners/created.html", {
        "referral": referral,
        "children": _child_lines(children),
        "repeats": [child for child in children if "repeat_referral" in child.flags],
    })


# -- The referrer's own referrals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildLine:
    """A child as the lists show them: name and age."""

    name: str
    age: str


def _child_lines(children: Sequence[ChildRow]) -> list[ChildLine]:
    today = timezone.localdate()
    return [ChildLine(c.name, rules.age_text(c.date_of_birth, c.expected_date_of_birth, today=today)) for c in children]


def _loaded(record: Referral, name: str) -> Any:
    """A one-to-one the selector loaded with select_related, or None when the referral has none."""
    try:
        return getattr(record, name)
    except ObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class MadeRow:
    referral: Referral
    children: list[ChildLine]
    decision: Decision | None
    feedback: Feedback | None


@login_required
def referrals_made_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _casework_check(user, "Your agency's referrals")
    page, page_numbers = _page(request, referrals_made(user=user))
    membership = membership_of(user)
    rows = [MadeRow(referral, _child_lines(children), _loaded(referral, "decision"), _loaded(referral, "feedback"))
            for referral, children in referrals_with_children(user=user, referrals=page.object_list)]
    return render(request, "referrals/partners/made.html", {
        "page": page,
        "page_numbers": page_numbers,
        "rows": rows,
        "agency": membership.agency if membership is not None else None,
    })


# -- Agency checks ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    check: AgencyCheck
    children: list[ChildLine]
    time_left: rules.TimeLeft | None


@login_required
def checks_inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _casework_check(user, "Agency checks")
    page, page_numbers = _page(request, agency_checks_inbox(user=user))
    checks = list(page.object_list)
    children = referral_children(user=user, referral_ids=list({c.referral_id for c in checks}))
    now = timezone.now()
    rows = [CheckRow(c, _child_lines(children.get(c.referral_id, [])),
                     rules.time_left(c.due_at, now) if c.answered_at is None else None) for c in checks]
    membership = membership_of(user)
    return render(request, "referrals/partners/checks.html", {
        "page": page, "page_numbers": page_numbers, "rows": rows,
        "agency": membership.agency if membership is not None else None,
    })


def _may_answer(user: User, check: AgencyCheck) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.agency_id == check.agency_id and membership.role not in NOT_CASEWORK


@login_required
@require_http_methods(["GET", "POST"])
def check_answer_page(request: HttpRequest, check_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    check = agency_check_get_for(user, check_id, answer=posting)
    addressed = _may_answer(user, check)
    may_answer = addressed and check.answered_at is None
    form = CheckAnswerForm(request.POST if posting else None) if may_answer or posting else None
    if form is not None and form.is_bound and check.answered_at is not None:
        # A colleague answered while this user was typing: their text stays on the page; nothing is saved.
        form.is_valid()
        form.add_error(None, CHECK_ANSWERED_MEANWHILE)
    elif form is not None and form.is_bound and form.is_valid():
        try:
            agency_check_answer(check=check, by=user, information=form.cleaned_data["information"])
        except ValidationError as error:
            _service_errors(form, error, {"information": "information"})
            # Refused as answered a moment ago (under the service's conditional update): show that answer.
            check.refresh_from_db(fields=["information", "answered_at", "answered_by", "version"])
        else:
            messages.success(request, "Your answer has been sent to the MASH.")
            return redirect("check-answer", check_id=check.pk)
    referral = check.referral
    children = _child_lines(referral_children(user=user, referral_ids=[referral.pk]).get(referral.pk, []))
    staff = staff_by_id([check.created_by_id, check.answered_by_id])
    asked_by = staff.get(check.created_by_id) if check.created_by_id else None
    asked_by_membership = membership_of(asked_by) if asked_by is not None else None
    return render(request, "referrals/partners/check.html", {
        "check": check,
        "referral": referral,
        "children": children,
        "asked_by": asked_by,
        "asked_by_agency": asked_by_membership.agency if asked_by_membership is not None else None,
        "answered_by": staff.get(check.answered_by_id) if check.answered_by_id else None,
        "time_left": rules.time_left(check.due_at, timezone.now()) if check.answered_at is None else None,
        # Once answered, a form is only shown to give back what was typed and not saved.
        "form": form if check.answered_at is None or (form is not None and form.is_bound) else None,
        "addressed": addressed,
    })


# -- Escalations (resolving professional disagreement) -------------------------------------------------------


@dataclass(frozen=True)
class StageGuide:
    number: int
    name: str
    working_days: int


def _stage_guide() -> list[StageGuide]:
    return [StageGuide(n, rules.STAGE_NAMES[n], rules.ESCALATION_STAGE_WORKING_DAYS[n])
            for n in sorted(rules.STAGE_NAMES)]


@login_required
@require_http_methods(["GET", "POST"])
def escalation_raise_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = referral_get_for(user, referral_id)
    escalation_raise_check(user, referral)
    decision = referral_decision_of(referral)
    form = EscalationRaiseForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            escalation = escalation_raise(referral=referral, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _service_errors(form, error, {"reason": "reason"})
        else:
            messages.success(request, "Your escalation has been raised. Stage 1 is with the person who made the"
                                      " decision.")
            return redirect("escalation-detail", escalation_id=escalation.pk)
    # The open challenge is linked only for those who may follow it (a partner agency follows its own);
    # another agency's is only said to exist.
    open_escalation = referral_open_escalation(user=user, referral=referral)
    challenged = open_escalation is not None or referral.escalations.filter(status=Escalation.Status.OPEN).exists()
    now = timezone.now()
    return render(request, "referrals/partners/escalation_raise.html", {
        "referral": referral,
        "decision": decision,
        "form": form,
        "open_escalation": open_escalation,
        "challenged": challenged,
        "stages": _stage_guide(),
        "first_due": rules.escalation_stage_due_at(now, 1, calendar_for(referral.partnership)),
    })


def _stage_moved_on(answered: EscalationStage, current: EscalationStage | None) -> str:
    """Why an answer to ``answered`` was not saved: the escalation closed or climbed while the user typed."""
    if current is None:
        return ESCALATION_CLOSED_MEANWHILE
    if answered.outcome == EscalationStage.Outcome.ESCALATE:
        return (f"Stage {answered.number} was answered while you were typing and the escalation has moved to stage"
                f" {current.number}: your answer was not saved.")
    return (f"Stage {answered.number} was not answered in time and the escalation has moved to stage"
            f" {current.number}: your answer was not saved.")


@login_required
@require_http_methods(["GET", "POST"])
def escalation_detail_page(request: HttpRequest, escalation_id: int) -> HttpResponse:
    user = _user(request)
    escalation = escalation_get_for(user, escalation_id)
    stages = list(escalation.stages.select_related("respondent", "responded_by").order_by("number"))
    is_open = escalation.status == Escalation.Status.OPEN
    current = next((s for s in stages if s.number == escalation.stage), None) if is_open else None
    form: EscalationRespondForm | UnsavedAnswerForm | None = None
    if request.method == "POST":
        posted = as_id(request.POST.get("stage", ""))
        answered = next((s for s in stages if s.number == posted), None)
        if answered is not None and answered is not current and escalation_may_respond(user, answered):
            # The stage the user was answering is over (the escalation climbed or closed meanwhile): nothing is
            # saved, what they typed stays on the page, with the next stage's form if it is theirs too.
            if current is not None and escalation_may_respond(user, current):
                form = EscalationRespondForm(request.POST, stage=current.number)
            else:
                form = UnsavedAnswerForm(request.POST)
            form.is_valid()
            form.add_error(None, _stage_moved_on(answered, current))
            return _escalation_render(request, escalation, stages, current, form)
        if current is None:
            messages.info(request, "This escalation is closed: there is no stage left to answer.")
            return redirect("escalation-detail", escalation_id=escalation.pk)
        if not escalation_may_respond(user, current):
            raise PermissionDenied("This stage of the escalation is answered by its respondent or a manager at that"
                                   " level.")
        form = EscalationRespondForm(request.POST, stage=current.number)
        if form.is_valid():
            try:
                escalation_respond(escalation=escalation, by=user, outcome=form.cleaned_data["outcome"],
                                   response=form.cleaned_data["response"], stage_number=form.cleaned_data["stage"])
            except ValidationError as error:
                _service_errors(form, error, {"outcome": "outcome", "response": "response"})
            else:
                messages.success(request, f"Your answer to stage {current.number} has been recorded.")
                return redirect("escalation-detail", escalation_id=escalation.pk)
    elif current is not None and escalation_may_respond(user, current):
        form = EscalationRespondForm(stage=current.number)
    return _escalation_render(request, escalation, stages, current, form)


def _escalation_render(request: HttpRequest, escalation: Escalation, stages: list[EscalationStage],
                       current: EscalationStage | None,
                       form: EscalationRespondForm | UnsavedAnswerForm | None) -> HttpResponse:
    return render(request, "referrals/partners/escalation.html", {
        "escalation": escalation,
        "referral": escalation.referral,
        "decision": referral_decision_of(escalation.referral),
        "raised_by": escalation.raised_by,
        "stages": stages,
        "current": current,
        "form": form,
        # The form answers the current stage; otherwise it only gives back an answer that was not saved.
        "answering": isinstance(form, EscalationRespondForm),
        "guide": _stage_guide(),
    })


urlpatterns = [
    path("referrals/new/", referral_create_page, name="referral-create"),
    path("referrals/new/<int:referral_id>/", referral_created, name="referral-created"),
    path("referrals/made/", referrals_made_page, name="referrals-made"),
    path("referrals/<int:referral_id>/escalate/", escalation_raise_page, name="escalation-raise"),
    path("escalations/<int:escalation_id>/", escalation_detail_page, name="escalation-detail"),
    path("checks/", checks_inbox, name="checks-inbox"),
    path("checks/<int:check_id>/", check_answer_page, name="check-answer"),
]
