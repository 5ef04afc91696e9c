"""The training compliance pages (SPEC 3.1): compliance per agency against the partnership's target, an agency's
staff with their courses, and a member of staff's record with the form to record a course completed.

Whose training a manager sees is ``selectors_training.training_scope_for`` (403 for anyone else); an agency or a
member of staff outside the user's partnership is a 404.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import User
from agencies.services import training_record_create
from audits import selectors_training as selectors
from audits.forms_training import TrainingRecordForm

STAFF_PER_PAGE = 25


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def training_compliance_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    scope = selectors.training_scope_for(user)
    today = timezone.localdate()
    target = scope.membership.partnership.training_target_percent
    agencies = selectors.training_compliance_by_agency(scope=scope, as_of=today, target=target)
    staff = sum(row.staff for row in agencies)
    compliant = sum(row.compliant for row in agencies)
    return render(request, "audits/training/compliance.html", {
        "agencies": agencies, "target": target, "today": today, "scope": scope,
        "total": selectors.AgencyCompliance(0, "", staff, compliant, target),
    })


@login_required
@require_GET
def training_agency_page(request: HttpRequest, agency_id: int) -> HttpResponse:
    user = _user(request)
    scope, agency = selectors.training_agency_get_for(user, agency_id)
    today = timezone.localdate()
    page = Paginator(selectors.training_agency_staff(scope=scope, agency=agency, as_of=today),
                     STAFF_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "audits/training/agency.html", {
        "agency": agency, "page": page, "today": today, "scope": scope,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "rows": selectors.training_staff_rows(staff=list(page.object_list), agency=agency, as_of=today),
    })


@login_required
@require_http_methods(["GET", "POST"])
def training_staff_page(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    staff = selectors.training_staff_get_for(user, user_id, write=posting, log=not posting)
    may_record = posting or selectors.training_staff_may_record(user, staff)
    form = TrainingRecordForm(request.POST or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                record = training_record_create(user=staff, course=data["course"],
                                                completed_on=data["completed_on"], expires_on=data["expires_on"])
        except ValidationError as error:
            for key, problems in error.message_dict.items():
                form.add_error(key if key in form.fields and key != NON_FIELD_ERRORS else None, problems)
        else:
            messages.success(request, f"{record.get_course_display()} recorded for {staff.display_name}, in date"
                                      f" until {record.expires_on:%-d %B %Y}.")
            return redirect(reverse("training-staff", args=[staff.pk]))
    today = timezone.localdate()
    records = selectors.training_records_of(staff=staff)
    return render(request, "audits/training/staff.html", {
        "staff": staff, "form": form, "records": records, "today": today,
        "courses": selectors.courses_held(kind=staff.membership.agency.kind, role=staff.membership.role,
                                          records=records, as_of=today),
        "may_record": may_record,
    })
