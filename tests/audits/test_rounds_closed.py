"""Once a round closes, its auditors no longer see the sampled children: not on the round's pages either."""

from __future__ import annotations

from django.urls import reverse

from audits.models import AccessLogEntry
from audits.services_rounds import audit_round_close
from tests.audits.test_rounds_helpers import cases_to_sample, round_drawn, sampled


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
