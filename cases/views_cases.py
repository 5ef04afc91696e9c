"""The case page (SPEC 3.2, 8): a child's case for the social worker: summary, family, each child's voice, plans,
open tasks, the chronology's latest and the case's files, all within the access rules."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies.models import User
from cases.models import Attachment
from cases.permissions import plan_may_change, voice_may_record
from cases.selectors.cases import case_page
from cases.views_people import person_header


@login_required
@require_GET
def case_detail_page(request: HttpRequest, case_id: int) -> HttpResponse:
    user = cast(User, request.user)
    now = timezone.now()
    page = case_page(user=user, case_id=case_id, now=now)
    return render(request, "cases/case/detail.html", {
        **person_header(page.detail),
        "page": page,
        "case": page.case,
        "child": page.case.child,
        "now": now,
        "today": timezone.localdate(),
        "may_record_voice": voice_may_record(user),
        "may_plan": plan_may_change(user) and page.case.status != page.case.Status.CLOSED,
        "attachment_record_type": Attachment.RecordType.CASE,
    })
