"""The audit round's report PDF is an export: the password again first, unless given in the last 10 minutes."""

from __future__ import annotations

from urllib.parse import quote

from audits.services_rounds import audit_round_close
from tests.agencies.test_reauth import CONFIRM, age_sign_in
from tests.audits.test_rounds_helpers import cases_to_sample, round_drawn
from tests.factories import PASSWORD


def test_the_report_pdf_asks_for_the_password_again_after_ten_minutes(world, client_for):
    cases_to_sample(world, 2)
    audit_round = round_drawn(world, 2)
    audit_round_close(audit_round=audit_round, by=world.sm)
    pdf_url = f"/audit-rounds/{audit_round.pk}/report.pdf"
    client = client_for(world.sw)
    assert client.get(pdf_url)["Content-Type"] == "application/pdf"  # just signed in
    age_sign_in(client)
    asked = client.get(pdf_url)
    assert asked.status_code == 302 and asked["Location"] == f"{CONFIRM}?next={quote(pdf_url, safe='')}"
    confirmed = client.post(asked["Location"], {"password": PASSWORD, "next": pdf_url})
    assert confirmed["Location"] == pdf_url
    assert client.get(pdf_url)["Content-Type"] == "application/pdf"
