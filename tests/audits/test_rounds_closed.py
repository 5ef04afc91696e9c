"""Once a round closes, its auditors no longer see the sampled children: not on the round's pages either."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audits.models import AccessLogEntry, AuditReview
from audits.services_rounds import audit_case_moderate, audit_review_submit, audit_round_close
from tests.audits.test_rounds_helpers import cases_to_sample, every_answer, round_drawn, sampled


def test_the_round_pages_stop_naming_the_children_to_its_auditor_when_it_closes(world, client_for):
    cases_to_sample(world, 3)
    audit_round = round_drawn(world, size=3)
    first = sampled(audit_round)[0]
    name = first.case.child.full_name
    round_page = reverse("audit-round-detail", args=[audit_round.pk])
    case_page = reverse("audit-case-detail", args=[audit_round.pk, first.pk])
    auditor = client_for(world.au)
    assert name in auditor.get(round_page).content.decode()
    assert name in auditor.get(case_page).content.decode()

    audit_round_close(audit_round=audit_round, by=world.sm)
    logged = AccessLogEntry.objects.filter(user=world.au, record_type="case", record_id=first.case_id).count()
    assert name not in auditor.get(round_page).content.decode()
    closed_case = auditor.get(case_page)
    assert closed_case.status_code == 200 and name not in closed_case.content.decode()
    # Not shown, so not a view of the case.
    assert AccessLogEntry.objects.filter(user=world.au, record_type="case", record_id=first.case_id).count() == logged
    # The senior manager still sees whom the round sampled.
    assert name in client_for(world.sm).get(round_page).content.decode()


def test_a_review_or_moderation_arriving_after_the_round_closed_is_refused_and_nothing_saved(world):
    cases_to_sample(world, 2)
    audit_round = round_drawn(world, size=2)
    first = sampled(audit_round)[0]
    audit_round_close(audit_round=audit_round, by=world.sm)
    with pytest.raises(ValidationError, match="has closed"):
        audit_review_submit(audit_case=first, by=world.au, agency=world.csc, grade="good", answers=every_answer())
    with pytest.raises(ValidationError, match="has closed"):
        audit_case_moderate(audit_case=first, by=world.sm, grade="good", findings="Seen.", learning_points="Share.",
                            version=first.version)
    assert not AuditReview.objects.filter(audit_case=first).exists()
    first.refresh_from_db()
    assert first.moderated_grade == ""
