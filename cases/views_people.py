"""The people and household pages (SPEC 8 "Person"): find, "already known?", create with the duplicate
check, the person page, edit, merge, break glass, and households. Thin: reads through cases.permissions
and the people selectors, writes through the people services."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.views.decorators.http import require_http_methods

from agencies.models import Agency, Partnership, User
from agencies.reauth import reauthentication_required
from agencies.selectors import agencies_visible, membership_of
from cases import diagrams
from cases.forms_people import (
    BreakGlassForm,
    DuplicateCheckForm,
    FindForm,
    HouseholdForm,
    KnownSearchForm,
    MemberAddForm,
    MergeChooseForm,
    PersonCreateForm,
    PersonEditForm,
    PersonForm,
)
from cases.models import Case, Household, Person, PersonFlag
from cases.permissions import (
    RestrictedRecord,
    cases_visible,
    household_get_for,
    people_known_to,
    people_visible,
    person_get_for,
    sees_whole_partnership,
    voice_may_record,
)
from cases.selectors import incidents as incident_selectors
from cases.selectors import people as selectors
from cases.services import people as services
from referrals.permissions import referral_may_create

# A match this close is "likely" the same person, and creating another record needs a confirmation;
# below it (down to the selector's own floor) it is "possible", shown but not asked about.
LIKELY_DUPLICATE_SCORE = 0.8
PERSON_INCIDENTS_SHOWN = 10

Handler = Callable[..., HttpResponse]


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _partnership_for_records(user: User) -> Partnership:
    """The partnership a user records people in: their own; auditors and accounts without one record nothing."""
    membership = membership_of(user)
    if membership is None or not services.records_may_create(user):
        raise PermissionDenied("Your role does not record people or households.")
    return membership.partnership


def _errors_to_form(form: Form, error: ValidationError) -> None:
    """A service's field-by-field errors onto the form; a field the form does not have goes to the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def restricted_notice(view: Handler) -> Handler:
    """A restricted record the user may know of but not open (any page about that person, or a record of theirs):
    the notice with the break-glass form, as a 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except RestrictedRecord as restricted:
            return render(request, "cases/people/restricted.html",
                          {"person_id": restricted.person.pk, "form": BreakGlassForm()}, status=403)

    return wrapped


def _age_text(age: int | None) -> str:
    if age is None:
        return ""
    return "Under 1" if age == 0 else str(age)


def _flag_labels(kinds: Iterable[str]) -> list[str]:
    labels = dict(PersonFlag.Kind.choices)
    return [labels.get(kind, kind.replace("_", " ").capitalize()) for kind in kinds]


# Find a person


@login_required
def people_find(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = FindForm(request.GET or None)
    query = ""
    found: list[selectors.PersonSummary] = []
    if form.is_valid():
        query = " ".join(form.cleaned_data["q"].split())
        found = selectors.people_find(user=user, q=query, limit=selectors.FIND_LIMIT + 1)
    more = len(found) > selectors.FIND_LIMIT
    found = found[: selectors.FIND_LIMIT]
    flags = selectors.people_active_flags([p.person_id for p in found]) if found else {}
    rows = [
        {"summary": p, "age": _age_text(p.age), "flags": _flag_labels(flags.get(p.person_id, ()))} for p in found
    ]
    return render(request, "cases/people/find.html", {
        "form": form, "query": query, "rows": rows, "more": more,
        "may_create": services.records_may_create(user),
    })


@login_required
def people_known(request: HttpRequest) -> HttpResponse:
    """Is this child already known? Previews only: a link appears only where the user may open the record."""
    user = _user(request)
    searched = bool(request.GET)
    form = KnownSearchForm(request.GET if searched else None)
    previews: list[dict[str, Any]] = []
    if searched and form.is_valid():
        found = selectors.people_known_search(
            user=user, name=form.cleaned_data["name"], date_of_birth=form.cleaned_data["date_of_birth"]
        )
        ids = [p.id for p in found if p.id is not None]
        openable = set(people_visible(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        previews = [
            {
                "name": p.name,
                "age": _age_text(p.age),
                "agencies": p.agencies_involved,
                "contact": p.contact,
                "restricted": p.restricted,
                "href": reverse("person-detail", args=[p.id]) if p.id in openable else "",
            }
            for p in found
        ]
    return render(request, "cases/people/known.html", {
        "form": form, "searched": searched and form.is_valid(), "previews": previews,
    })


# Create, with the duplicate check


@dataclass(frozen=True)
class DuplicateRow:
    name: str
    date_of_birth: date | None
    likely: bool
    href: str


def _duplicate_rows(
    user: User, partnership: Partnership, *, given_name: str, family_name: str, date_of_birth: date | None
) -> list[DuplicateRow]:
    """Possible existing records among the people the user may know of; a name and link only where they may open it."""
    matches = selectors.person_possible_duplicates(
        partnership_id=partnership.pk, given_name=given_name, family_name=family_name,
        date_of_birth=date_of_birth, within=people_known_to(user),
    )
    if not matches:
        return []
    ids = [m.person_id for m in matches]
    openable = set(people_visible(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [
        DuplicateRow(
            name=m.name if m.person_id in openable else "A restricted record",
            date_of_birth=m.date_of_birth if m.person_id in openable else None,
            likely=m.score >= LIKELY_DUPLICATE_SCORE,
            href=reverse("person-detail", args=[m.person_id]) if m.person_id in openable else "",
        )
        for m in matches
    ]


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    partnership = _partnership_for_records(user)
    form = PersonCreateForm(request.POST or None, agencies=agencies_visible(user=user))
    duplicates: list[DuplicateRow] = []
    confirm_needed = False
    if request.method == "POST" and form.is_valid():
        values = form.person_values()
        duplicates = _duplicate_rows(user, partnership, given_name=values["given_name"],
                                     family_name=values["family_name"], date_of_birth=values["date_of_birth"])
        confirm_needed = any(d.likely for d in duplicates)
        if confirm_needed and not form.cleaned_data["confirm_new"]:
            form.add_error("confirm_new", "This person may already have a record. Open it from the list, or "
                                          "confirm that this is a new person")
        else:
            try:
                person = services.person_create(partnership=partnership, by=user, **values)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, f"Record created for {person.full_name}.")
                return redirect("person-detail", person_id=person.pk)
    return render(request, "cases/people/create.html", {
        "form": form,
        "duplicates": duplicates,
        "confirm_needed": confirm_needed,
        "confirm_error": " ".join(str(error) for error in form.errors.get("confirm_new", [])),
        "confirm_checked": form.is_bound and form.data.get("confirm_new") == "on",
        "checked": False,
    })


@login_required
def person_duplicates(request: HttpRequest) -> HttpResponse:
    """The create form's live duplicate check (a partial for htmx; a page of its own otherwise)."""
    user = _user(request)
    partnership = _partnership_for_records(user)
    form = DuplicateCheckForm(request.GET)
    duplicates: list[DuplicateRow] = []
    checked = False
    if form.is_valid() and form.cleaned_data["given_name"].strip() and form.cleaned_data["family_name"].strip():
        checked = True
        duplicates = _duplicate_rows(
            user, partnership, given_name=form.cleaned_data["given_name"],
            family_name=form.cleaned_data["family_name"], date_of_birth=form.cleaned_data["date_of_birth"],
        )
    context = {
        "duplicates": duplicates,
        "checked": checked,
        "confirm_needed": any(d.likely for d in duplicates),
        "confirm_checked": request.GET.get("confirm_new") == "on",
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "cases/people/duplicates_panel.html", context)
    return render(request, "cases/people/duplicates.html", context)


# The person page


@login_required
@restricted_notice
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    detail = selectors.person_detail(user=user, person_id=person_id)
    person = detail.person
    incidents = list(incident_selectors.incidents_for_person(user=user, person=person)[:PERSON_INCIDENTS_SHOWN + 1])
    header = person_header(detail)
    return render(request, "cases/people/detail.html", {
        **header,
        "diagram": _family_diagram(detail, header["family"]),
        "unborn": person.date_of_birth is None and person.expected_date_of_birth is not None,
        "details": _detail_rows(person, detail.data_quality.gaps),
        "incidents": incidents[:PERSON_INCIDENTS_SHOWN],
        "more_incidents": len(incidents) > PERSON_INCIDENTS_SHOWN,
        "may_record": services.records_may_create(user),
        "may_merge": services.person_may_merge(user),
        "may_see_history": user.has_perm("audits.view_accesslogentry"),
        "may_record_voice": voice_may_record(user),
        "may_refer": referral_may_create(user),
        "cases_openable": _cases_openable(user, detail.open_cases),
    })


def _family_diagram(detail: selectors.PersonDetail, family: dict[str, Any]) -> diagrams.FamilyDiagram | None:
    """The family drawn from the same people the lists below show (nothing more is read)."""
    person = detail.person
    return diagrams.family_diagram(
        full_name=person.full_name, given_name=person.given_name, age=_age_text(detail.age),
        is_child=detail.is_child,
        households=[(item["household"], item["members"]) for item in family["households"]],
        elsewhere=family["elsewhere"],
    )


def _cases_openable(user: User, cases: list[Case]) -> set[int]:
    """Which of the open cases the user may open: all for children's social care, else those their agency is
    involved in (one query, and only then)."""
    if not cases or sees_whole_partnership(user):
        return {case.pk for case in cases}
    return set(cases_visible(user).filter(pk__in=[case.pk for case in cases]).values_list("pk", flat=True))


def person_header(detail: selectors.PersonDetail) -> dict[str, Any]:
    """What a page about a person shows of them at the top and in their family diagram: the identity bar's
    name, age, NHS number, flags and alerts, and the family (the person page and the case page)."""
    return {
        "detail": detail,
        "person": detail.person,
        "age": _age_text(detail.age),
        "nhs_number": _nhs_spaced(detail.person.nhs_number),
        "flags": _flag_labels(detail.flags),
        "family": _family(detail),
    }


@dataclass(frozen=True)
class DetailRow:
    label: str
    value: str
    # The data-quality gap this row shows, in words, when the value is missing or uncertain.
    gap: str = ""


# Which rows of the details a data-quality gap (cases.rules.people.data_quality) is about.
_GAP_ROWS = {
    "Date of birth missing": "Date of birth",
    "Date of birth estimated": "Date of birth",
    "Ethnicity not recorded": "Ethnicity",
    "First language not recorded": "First language",
    "Interpreter need not recorded": "Interpreter needed",
    "NHS number missing": "NHS number",
    "School not recorded": "School",
    "Sex not recorded": "Sex",
}


def _detail_rows(person: Person, gaps: Sequence[str]) -> list[DetailRow]:
    gap_for = {_GAP_ROWS[gap]: gap for gap in gaps if gap in _GAP_ROWS}
    if person.date_of_birth:
        born = _long_date(person.date_of_birth) + (" (estimated)" if person.date_of_birth_estimated else "")
    elif person.expected_date_of_birth:
        born = "Unborn, expected " + _long_date(person.expected_date_of_birth)
    else:
        born = ""
    interpreter = {True: "Yes", False: "No", None: ""}[person.interpreter_needed]
    values = [
        ("Other names", ", ".join(person.other_names)),
        ("Date of birth", born),
        ("Sex", "" if person.sex == Person.Sex.UNKNOWN else person.get_sex_display()),
        ("Ethnicity", person.get_ethnicity_display() if person.ethnicity else ""),
        ("Religion", person.religion),
        ("First language", person.first_language),
        ("Interpreter needed", interpreter),
        ("Disabilities", person.disabilities),
        ("NHS number", _nhs_spaced(person.nhs_number)),
        ("Unique pupil number", person.upn),
        ("School", person.school.name if person.school else ""),
        ("GP practice", person.gp_practice.name if person.gp_practice else ""),
        ("Health visiting", person.health_visiting.name if person.health_visiting else ""),
    ]
    return [DetailRow(label, value, gap_for.get(label, "")) for label, value in values]


def _long_date(value: date) -> str:
    return dateformat.format(value, "j F Y")


def _nhs_spaced(number: str) -> str:
    """NHS numbers are read out in groups of 3, 3 and 4."""
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


@dataclass(frozen=True)
class Relation:
    """One relationship as the other person's card shows it: "Parent of Jayden", and who poses a risk to whom."""

    other_is: str
    risk_to_this_person: bool
    risk_from_this_person: bool


def _relation(relationship: selectors.RelationshipSummary) -> Relation:
    return Relation(relationship.other_is, relationship.risk_from_other, relationship.risk_to_other)


@dataclass(frozen=True)
class FamilyMember:
    summary: selectors.PersonSummary
    age: str
    is_self: bool
    relations: list[Relation]

    @property
    def poses_risk(self) -> bool:
        return any(r.risk_to_this_person for r in self.relations)


def _family(detail: selectors.PersonDetail) -> dict[str, Any]:
    """The family diagram: each household with its members and how each is related to this person;
    relatives living elsewhere listed after."""
    by_person: dict[int, list[Relation]] = {}
    others: dict[int, selectors.PersonSummary] = {}
    for relationship in detail.relationships:
        by_person.setdefault(relationship.other.person_id, []).append(_relation(relationship))
        others[relationship.other.person_id] = relationship.other
    housed: set[int] = set()
    households = []
    for household in detail.households:
        members = []
        for member in household.members:
            housed.add(member.person_id)
            is_self = member.person_id == detail.person.pk
            members.append(FamilyMember(member, _age_text(member.age), is_self,
                                        [] if is_self else by_person.get(member.person_id, [])))
        members.sort(key=lambda m: not m.is_self)
        households.append({"household": household.household, "members": members})
    elsewhere: list[FamilyMember] = []
    for person_id, relations in by_person.items():
        if person_id not in housed:
            elsewhere.append(FamilyMember(others[person_id], _age_text(others[person_id].age), False, relations))
    return {"households": households, "elsewhere": elsewhere}


# Edit


_EDIT_LABELS = {name: str(field.label).removesuffix(" (optional)") for name, field in PersonForm.base_fields.items()}


@login_required
@require_http_methods(["GET", "POST"])
@restricted_notice
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    person = person_get_for(user, person_id, write=True, log=request.method == "GET")
    agencies = agencies_visible(user=user)
    theirs: list[tuple[str, str]] = []
    if request.method == "POST":
        form = PersonEditForm(request.POST, agencies=agencies)
        if form.is_valid():
            values = form.person_values()
            version = values.pop("version")
            try:
                services.person_update(person=person, by=user, version=version, **values)
            except services.StaleRecord:
                form.add_error(None, "Someone else changed this record since you opened it. Your changes are "
                                     "kept below: check what they changed, then save again")
                # The next save is made against what is stored now, so what the user typed can still win.
                current = person_get_for(user, person_id, log=False)
                theirs = _changed_since(current, values)
                data = request.POST.copy()
                data["version"] = str(current.version)
                form.data = data
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, f"Details of {person.full_name} saved.")
                return redirect("person-detail", person_id=person.pk)
    else:
        form = PersonEditForm(initial={**PersonForm.initial_for(person), "version": person.version}, agencies=agencies)
    return render(request, "cases/people/edit.html", {"form": form, "person": person, "theirs": theirs})


def _changed_since(current: Person, typed: dict[str, Any]) -> list[tuple[str, str]]:
    """The stored values that differ from what the user typed, in words, for them to compare."""
    stored = PersonForm.initial_for(current)
    rows = []
    for name, value in typed.items():
        was = stored.get(name)
        mine = value.pk if isinstance(value, Agency) else value
        if name == "other_names":
            mine = "\n".join(value)
        if name == "interpreter_needed":
            mine = {True: "yes", False: "no", None: "not_known"}[value]
        if (was or None) != (mine or None):
            rows.append((_EDIT_LABELS[name], _stored_text(current, name)))
    return rows


def _stored_text(person: Person, name: str) -> str:
    value = getattr(person, name)
    if isinstance(value, Agency):
        return value.name
    if isinstance(value, date):
        return _long_date(value)
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool) or value is None:
        return {True: "Yes", False: "No", None: ""}[value]
    if name in ("sex", "ethnicity") and value:
        return str(getattr(person, f"get_{name}_display")())
    return str(value)


# Merge


@login_required
@require_http_methods(["GET", "POST"])
@restricted_notice
def person_merge(request: HttpRequest, person_id: int) -> HttpResponse:
    """Merge a duplicate into this record: choose it, compare the two side by side, confirm."""
    user = _user(request)
    person = person_get_for(user, person_id, log=False)
    if not services.person_may_merge(user):
        raise PermissionDenied("Only children's social care managers may merge records.")
    matches = selectors.person_possible_duplicates(
        partnership_id=person.partnership_id, given_name=person.given_name, family_name=person.family_name,
        date_of_birth=person.date_of_birth, exclude_id=person.pk, nhs_number=person.nhs_number,
        within=people_visible(user),
    )
    data = request.POST if request.method == "POST" else (request.GET if "duplicate" in request.GET else None)
    form = MergeChooseForm(data, choices=[(m.person_id, _match_label(m)) for m in matches])
    if not form.is_valid():
        return render(request, "cases/people/merge.html", {"person": person, "form": form, "matches": matches})
    # Both records are shown in full on the comparison, so both views are logged.
    keep = person_get_for(user, person.pk)
    duplicate = person_get_for(user, form.cleaned_data["duplicate"])
    if request.method == "POST":
        try:
            services.person_merge(keep=keep, duplicate=duplicate, by=user)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"{duplicate.full_name}'s duplicate record was merged into this one. "
                                      "Both histories are kept.")
            return redirect("person-detail", person_id=person.pk)
    return render(request, "cases/people/merge_confirm.html", {
        "person": person,
        "form": form,
        "duplicate": duplicate,
        "compare": [
            {"title": "Record to keep", "person": keep, "rows": _detail_rows(keep, [])},
            {"title": "Duplicate to merge into it", "person": duplicate, "rows": _detail_rows(duplicate, [])},
        ],
    })


def _match_label(match: selectors.DuplicateMatch) -> str:
    born = _long_date(match.date_of_birth) if match.date_of_birth else "date of birth not recorded"
    likely = "likely match" if match.score >= LIKELY_DUPLICATE_SCORE else "possible match"
    return f"{match.name}, born {born} ({likely})"


# Break glass


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def person_break_glass(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    try:
        person_get_for(user, person_id, log=False)
    except RestrictedRecord as restricted:
        person = restricted.person
    else:
        return redirect("person-detail", person_id=person_id)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_break_glass(person=person, user=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "You broke glass to open this restricted record. Your reason was recorded "
                                      "and the record's manager was told.")
            return redirect("person-detail", person_id=person_id)
    return render(request, "cases/people/break_glass.html", {"person_id": person_id, "form": form})


# Households


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    partnership = _partnership_for_records(user)
    first = _person_openable(user, request.POST.get("person") or request.GET.get("person"))
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(
                partnership=partnership, by=user, address=form.cleaned_data["address"],
                postcode=form.cleaned_data["postcode"], members=[first] if first is not None else [],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "Household recorded.")
            return redirect("household-detail", household_id=household.pk)
    return render(request, "cases/people/household_create.html", {"form": form, "first": first})


def _person_openable(user: User, person_id: str | None) -> Person | None:
    """The person named in a form or link, if the user may open their record."""
    if not person_id or not person_id.isdigit():
        return None
    return people_visible(user).filter(pk=int(person_id)).first()


@login_required
@require_http_methods(["GET", "POST"])
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    """A household: its address and current members, and adding a member found by searching."""
    user = _user(request)
    household = household_get_for(user, household_id, write=request.method == "POST")
    may_change = request.method == "POST" or _household_may_change(user, household_id)
    query = " ".join(request.GET.get("q", "").split())
    found = selectors.people_find(user=user, q=query) if query and may_change else []
    chosen = _person_openable(user, request.POST.get("person")) if request.method == "POST" else None
    choices = [(chosen.pk, chosen.full_name)] if chosen is not None else [(p.person_id, _found_label(p)) for p in found]
    form = MemberAddForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid() and chosen is not None:
        try:
            services.household_member_add(household=household, person=chosen, by=user,
                                          joined_on=form.cleaned_data["joined_on"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"{chosen.full_name} added to the household.")
            return redirect("household-detail", household_id=household.pk)
    return render(request, "cases/people/household_detail.html", {
        "household": household, "members": _household_members(user, household), "form": form, "query": query,
        "found": found, "may_change": may_change,
    })


def _household_may_change(user: User, household_id: int) -> bool:
    if not services.records_may_create(user):
        return False
    try:
        household_get_for(user, household_id, write=True)
    except PermissionDenied:
        return False
    return True


def _found_label(summary: selectors.PersonSummary) -> str:
    born = _long_date(summary.date_of_birth) if summary.date_of_birth else "date of birth not recorded"
    return f"{summary.name}, born {born}"


# Reads of rows belonging to records the user was already allowed (by a selector or an access helper)


@dataclass(frozen=True)
class MemberRow:
    person_id: int
    name: str  # blank for a restricted record the user may not open
    date_of_birth: date | None
    age: str
    may_open: bool
    joined_on: date | None


def _household_members(user: User, household: Household) -> list[MemberRow]:
    return [
        MemberRow(
            person_id=member.person_id,
            name=member.name,
            date_of_birth=member.date_of_birth,
            age=_age_text(member.age),
            may_open=member.may_open,
            joined_on=joined_on,
        )
        for member, joined_on in selectors.household_members(user=user, household=household)
    ]
