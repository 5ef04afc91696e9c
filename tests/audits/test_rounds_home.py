"""The auditor's home page lists the audit rounds they are part of, with each round's progress."""

from __future__ import annotations

from django.urls import reverse

from audits.services_rounds import audit_round_close
from tests.audits.test_rounds_helpers import cases_to_sample, round_drawn


def test_the_auditor_finds_their_open_round_on_their_home_page(world, client_for):
    cases_to_sample(world, 4)
    audit_round = round_drawn(world, size=3)
    page = client_for(world.au).get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("audit-round-detail", args=[audit_round.pk]) in html
    assert "Domestic abuse" in html and "0 of 3 cases moderated" in html
    assert f"Closes {audit_round.closes_on:%d %b %Y}" in html


def test_a_closed_round_is_shown_as_closed_on_the_auditors_home(world, client_for):
    cases_to_sample(world, 2)
    audit_round = round_drawn(world, size=2)
    audit_round_close(audit_round=audit_round, by=world.sm)
    assert "Closed" in client_for(world.au).get("/").content.decode()
    # The senior manager's home has no audit-round section; the rounds are in the navigation.
    assert reverse("audit-round-detail", args=[audit_round.pk]) not in client_for(world.sm).get("/").content.decode()
