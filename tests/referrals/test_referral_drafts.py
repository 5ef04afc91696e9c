"""Drafts of a referral and of a decision's rationale (SPEC 7.4): what was typed comes back to its author, with
the children they may still open, and is gone once sent."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from agencies.models import Draft
from referrals.models import Decision, Referral
from tests.conftest import World
from tests.referrals import test_referral_known_child as known
from tests.referrals.test_referral_known_child import CREATE, on_form, send_data
from tests.referrals.test_triage_pages import child, referral

pytestmark = pytest.mark.django_db

DRAFT: dict[str, Any] = {"HTTP_X_APP_DRAFT": "save", "HTTP_ACCEPT": "application/json"}
CONCERNS = "Leo said his stepdad hit his mum with a phone charger; Leo has a mark on his cheek."
family = known.family  # Leo and the children living with him

RATIONALE = "A child with a facial injury after a reported assault at home: threshold for section 47 met."


def page_text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_half_written_referral_comes_back_with_its_children_and_every_word(world: World, client_for, family):
    leo, mia = family["leo"], family["mia"]
    client = client_for(world.hv)
    saved = client.post(CREATE, {"child": [leo.pk, mia.pk], "concerns": CONCERNS, "urgency": "urgent",
                                 "referrer_name": "Hana Visitor"}, **DRAFT)
    assert saved.status_code == 200 and not Referral.objects.exists()

    html = client.get(CREATE).content.decode()
    assert "Your draft" in page_text(html)
    assert on_form(html) == [str(leo.pk), str(mia.pk)]
    assert CONCERNS in unescape(html)
    assert re.search(r'<input[^>]*value="urgent"[^>]*checked', html)
    assert "There is a problem" not in html  # shown as typed, not judged

    sent = client.post(CREATE, send_data(child=[leo.pk, mia.pk], concerns=CONCERNS))
    assert sent.status_code == 302
    assert not Draft.objects.exists()


def test_a_draft_names_no_child_the_author_may_no_longer_open(world: World, client_for, family):
    zoe = family["zoe"]  # restricted: not open to health visiting
    client = client_for(world.hv)
    client.post(CREATE, {"child": [family["leo"].pk, zoe.pk], "concerns": CONCERNS}, **DRAFT)
    html = client.get(CREATE).content.decode()
    assert on_form(html) == [str(family["leo"].pk)]
    assert "Zoe" not in html


def test_who_may_not_refer_keeps_no_draft_of_a_referral(world: World, client_for):
    for user in (world.au, world.ad):
        assert client_for(user).post(CREATE, {"concerns": CONCERNS}, **DRAFT).status_code == 403
    assert not Draft.objects.exists()


def test_a_rationale_comes_back_to_the_manager_who_typed_it_and_goes_once_decided(world: World, client_for):
    made = referral(world, [child(world, "Rae", "Rationale", 6)])
    url = f"/referrals/{made.pk}/decision/"
    manager = client_for(world.mm)
    manager.post(url, {"outcome": "strategy_discussion", "rationale": RATIONALE}, **DRAFT)

    html = manager.get(url).content.decode()
    assert "Your draft" in page_text(html) and RATIONALE in unescape(html)
    assert re.search(r'<input[^>]*value="strategy_discussion"[^>]*checked', html)
    other = client_for(world.sm).get(url).content.decode()
    assert RATIONALE not in unescape(other)

    manager.post(url, {"outcome": "strategy_discussion", "rationale": RATIONALE})
    assert Decision.objects.get(referral=made).rationale == RATIONALE
    assert not Draft.objects.exists()


def test_who_may_not_decide_keeps_no_draft_of_a_decision(world: World, client_for):
    made = referral(world, [child(world, "Nod", "Decider", 6)])
    url = f"/referrals/{made.pk}/decision/"
    for user in (world.mw, world.hv):
        assert client_for(user).post(url, {"rationale": RATIONALE}, **DRAFT).status_code in (403, 404)
    assert not Draft.objects.exists()
