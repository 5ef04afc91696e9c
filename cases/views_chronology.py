"""A child's chronology page (SPEC 8 "Chronology"): the MOJ timeline, newest first, filtered by agency, kind and
period, paginated, with the same events downloadable as CSV and PDF. Thin: the person is fetched through
``person_get_for`` (a restricted child shows the people pages' restricted notice), the events come from
``cases.selectors.chronology``, and every export is written to the access log as a download."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies.models import User
from agencies.reauth import reauthentication_required
from agencies.selectors import membership_of
from audits.services import access_record
from cases import diagrams
from cases.forms_dates import DatePartsField
from cases.models import Person
from cases.permissions import person_get_for
from cases.rules import chronology as rules
from cases.rules.people import age_on
from cases.selectors import chronology as selectors
from cases.selectors.chronology import ChronologyFilters
from cases.selectors.people import person_alerts, person_flags
from cases.views_people import _age_text, _flag_labels, _nhs_spaced, restricted_notice


class ChronologyFilterForm(forms.Form):
    """The filters, sent with GET so a filtered chronology can be bookmarked, paged and downloaded."""

    agency = forms.TypedChoiceField(label="Agency", required=False, coerce=int, empty_value=None,
                                    error_messages={"invalid_choice": "Choose an agency from the list"})
    kind = forms.MultipleChoiceField(label="Kind of event", required=False, choices=list(rules.KINDS.items()),
                                     widget=forms.CheckboxSelectMultiple,
                                     error_messages={"invalid_choice": "Choose kinds of event from the list"})
    since = DatePartsField(label="From date", required=False, help_text="For example, 27 3 2025")
    until = DatePartsField(label="To date", required=False, help_text="For example, 30 6 2025")

    def __init__(self, data: Any = None, *, agencies: Sequence[tuple[int, str]]) -> None:
        super().__init__(data)
        self.agency_names = dict(agencies)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.TypedChoiceField)  # noqa: S101 - declared above
        agency.choices = [("", "All agencies"), *agencies]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "To date must be the same as or after the from date")
        return cleaned

    def filters(self) -> ChronologyFilters:
        """The filters that were valid (a mistyped date leaves the others in force)."""
        if not self.is_bound:
            return ChronologyFilters()
        self.is_valid()
        data = self.cleaned_data
        kinds = data.get("kind") or None
        return ChronologyFilters(agency_id=data.get("agency"), kinds=frozenset(kinds) if kinds else None,
                                 since=data.get("since"), until=data.get("until"))

    def described(self) -> list[str]:
        """The filters in words, for the PDF."""
        filters = self.filters()
        words = []
        if filters.agency_id is not None:
            words.append(f"Agency: {self.agency_names.get(filters.agency_id, filters.agency_id)}")
        if filters.kinds:
            words.append("Kinds: " + ", ".join(label for kind, label in rules.KINDS.items() if kind in filters.kinds))
        if filters.since:
            words.append(f"From {rules.day_text(filters.since)}")
        if filters.until:
            words.append(f"To {rules.day_text(filters.until)}")
        return words


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


def _query(request: HttpRequest) -> str:
    """The filters as a query string (without the page), carried by the page links and the downloads."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _month_link(request: HttpRequest) -> Callable[[date], str]:
    """The timeline of one month, keeping the agency and kind filters: the period filter set to that month."""
    query = request.GET.copy()
    for name in ("page", *(f"{end}_{part}" for end in ("since", "until") for part in ("day", "month", "year"))):
        query.pop(name, None)

    def link(month: date) -> str:
        last = calendar.monthrange(month.year, month.month)[1]
        period = query.copy()
        period.update({"since_day": "1", "since_month": str(month.month), "since_year": str(month.year),
                       "until_day": str(last), "until_month": str(month.month), "until_year": str(month.year)})
        return f"?{period.urlencode()}#events"

    return link


def _form(request: HttpRequest, user: User, person: Person) -> ChronologyFilterForm:
    agencies = selectors.chronology_agencies(user=user, child=person)
    return ChronologyFilterForm(request.GET or None, agencies=agencies)


@login_required
@require_GET
@restricted_notice
def chronology_page(request: HttpRequest, person_id: int) -> HttpResponse:
    """Queries, whatever the number of events: the session and user, the person (and the access-log row), the
    agencies for the filter, one page of events, the events counted by month, the person's alerts and flags."""
    user = _user(request)
    person = person_get_for(user, person_id)
    form = _form(request, user, person)
    filters = form.filters()
    page = selectors.chronology_page(user=user, child=person, filters=filters, page=_page_number(request))
    # Only the page links: a range stands in for the events, which the selector has already paged.
    paginator = Paginator(range(page.total), page.per_page)
    window = paginator.page(page.number) if page.total else None
    start = (page.number - 1) * page.per_page
    age = age_on(person.date_of_birth, timezone.localdate()) if person.date_of_birth else None
    months = selectors.chronology_months(user=user, child=person, filters=filters)
    return render(request, "cases/chronology/page.html", {
        "density": diagrams.density_strip(months, href=_month_link(request)),
        "person": person,
        "age": _age_text(age),
        "nhs_number": _nhs_spaced(person.nhs_number),
        "alerts": person_alerts(person),
        "flags": _flag_labels(person_flags(person)),
        "form": form,
        "filtered": filters.any,
        "events": page.events,
        "total": page.total,
        "first": start + 1,
        "last": start + len(page.events),
        "window": window,
        "page_numbers": list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
        if window else [],
        "query": _query(request),
    })


def _logged_download(user: User, person: Person, form: ChronologyFilterForm, what: str) -> None:
    access_record(user=user, action="download", record_type="person", record_id=person.pk,
                  partnership_id=person.partnership_id,
                  fields={"chronology": what, "filters": form.described()})


def _attachment(content: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: not to be kept in shared caches or the browser's.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@restricted_notice
@reauthentication_required
def chronology_csv(request: HttpRequest, person_id: int) -> HttpResponse:
    """The filtered chronology, every event (not one page), as CSV; the download is logged."""
    user = _user(request)
    person = person_get_for(user, person_id, log=False)
    form = _form(request, user, person)
    f = form.filters()
    events = selectors.chronology(user=user, child=person, agency_id=f.agency_id, kinds=f.kinds, since=f.since,
                                  until=f.until)
    _logged_download(user, person, form, "csv")
    text = rules.csv_text(events, link_base=request.build_absolute_uri("/")[:-1])
    # With a byte-order mark, so spreadsheets read the names as UTF-8.
    return _attachment("\ufeff" + text, content_type="text/csv; charset=utf-8",
                       filename=f"chronology-{person.pk}.csv")


def _born(person: Person) -> str:
    if person.date_of_birth:
        return f"Born {rules.day_text(person.date_of_birth)}" + (
            " (estimated)" if person.date_of_birth_estimated else "")
    if person.expected_date_of_birth:
        return f"Unborn, expected {rules.day_text(person.expected_date_of_birth)}"
    return ""


def _produced(user: User) -> str:
    membership = membership_of(user)
    agency = f", {membership.agency.name}" if membership is not None else ""
    return f"Produced {rules.when_text(timezone.now())} by {user.display_name}{agency}."


@login_required
@require_GET
@restricted_notice
@reauthentication_required
def chronology_pdf(request: HttpRequest, person_id: int) -> HttpResponse:
    """The filtered chronology, every event, as a PDF naming the child and the filters; the download is logged."""
    user = _user(request)
    person = person_get_for(user, person_id, log=False)
    form = _form(request, user, person)
    f = form.filters()
    events = selectors.chronology(user=user, child=person, agency_id=f.agency_id, kinds=f.kinds, since=f.since,
                                  until=f.until)
    _logged_download(user, person, form, "pdf")
    paragraphs = rules.pdf_paragraphs(events, child_name=person.full_name, born=_born(person),
                                      filters=form.described(), produced=_produced(user))
    content = rules.pdf_document(paragraphs, title=f"Chronology: {person.full_name}",
                                 footer=f"Chronology of {person.full_name}. OFFICIAL-SENSITIVE.")
    return _attachment(content, content_type="application/pdf", filename=f"chronology-{person.pk}.pdf")

