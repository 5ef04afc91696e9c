"""A breakdown row that is not an agency's (escalations by stage and outcome) links to its own records only."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from django.utils import timezone

from referrals import services
from referrals.models import Escalation
from tests.audits.test_dashboard_pages import page
from tests.cases.test_incidents_helpers import person


def test_a_stage_and_outcome_row_lists_exactly_its_escalations(world, client_for):
    w = world
    now = timezone.now()
    referral = services.referral_create(by=w.mw, received_at=now - timedelta(days=20), referrer_agency=w.school,
                                        children=[person(w.north, "Mia", "Cole")], concerns="Bruising.",
                                        consent="given")
    services.referral_decide(referral=referral, by=w.mm, outcome="no_further_action", rationale="Explained.",
                             decided_at=now - timedelta(days=19))

    def escalation(days_ago: int, stage: int, status: str) -> Escalation:
        raised = now - timedelta(days=days_ago)
        return Escalation.objects.create(partnership=w.north, referral=referral, raised_by=w.te,
                                         raised_by_agency=w.school, raised_at=raised, reason="We disagree.",
                                         stage=stage, status=status,
                                         closed_at=None if status == "open" else raised + timedelta(days=2))

    still_open = escalation(10, 1, "open")
    resolved = [escalation(12, 2, "resolved"), escalation(14, 2, "resolved")]
    mash = client_for(w.mm)
    hrefs = re.findall(r'href="(/dashboard/escalations/\?[^"]*)"', html_lib.unescape(page(mash)))
    stage_2 = [urlsplit(href) for href in hrefs if ("group", "2:resolved") in parse_qsl(urlsplit(href).query)]
    assert stage_2, "the stage 2 row links to its records"
    listed = html_lib.unescape(page(mash, stage_2[0].path, dict(parse_qsl(stage_2[0].query))))
    assert "Stage 2 (line manager): resolved" in listed
    for record in resolved:
        assert f"/escalations/{record.pk}/" in listed
    assert f"/escalations/{still_open.pk}/" not in listed
