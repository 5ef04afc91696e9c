"""The front door's pages for every agency in a real browser: axe-core on each, a health visitor's referral and a
teacher's answer to an agency check by keyboard alone, the consent reason revealed under the strict
Content-Security-Policy, and 320px without sideways scrolling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from cases.models import Person
from cases.permissions import record_share_with
from referrals.models import AgencyCheck, Escalation, Referral
from referrals.services import (
    agency_check_answer,
    agency_check_request,
    escalation_raise,
    referral_create,
    referral_decide,
    referral_feedback_record,
)
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, page_width, sign_in

pytestmark = [pytest.mark.e2e]


@dataclass
class FrontDoor:
    leo: Person
    mia: Person
    referral: Referral  # awaiting a decision; the school was asked for a check
    check: AgencyCheck
    decided: Referral  # decided, fed back, and challenged by the health visitor
    escalation: Escalation


def tab_to(page: Page, selector: str, *, limit: int = 250) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def child(world: World, given: str, years: int) -> Person:
    made = Person.objects.create(partnership=world.north, given_name=given, family_name="Ashdown",
                                 date_of_birth=timezone.localdate() - timedelta(days=365 * years + 30),
                                 search_name=f"{given} ashdown".lower())
    record_share_with(record=made, agency=world.health_visiting, what="Health visiting caseload", by=None)
    return made


@pytest.fixture
def front_door(world: World) -> FrontDoor:
    leo, mia = child(world, "Leo", 8), child(world, "Mia", 3)

    def refer(children: list[Person], hours_ago: int) -> Referral:
        return referral_create(by=world.hv, received_at=timezone.now() - timedelta(hours=hours_ago),
                               referrer_agency=world.health_visiting, children=children, consent="given",
                               concerns="Leo has bruises on his back and says Dad hit him.", urgency="urgent")

    decided = refer([leo, mia], 30)
    agency_check_answer(check=agency_check_request(referral=decided, by=world.mw, agency=world.school),
                        by=world.te, information="Leo's attendance is 72%.")
    referral_decide(referral=decided, by=world.mm, outcome="early_help", rationale="Family support will help.")
    referral_feedback_record(referral=decided, by=world.mw, method="phone")
    escalation = escalation_raise(referral=decided, by=world.hv, reason="Leo disclosed being hit.")
    referral = refer([leo], 2)
    check = agency_check_request(referral=referral, by=world.mw, agency=world.school,
                                 question="Is Leo attending, and has school noticed anything?")
    return FrontDoor(leo, mia, referral, check, decided, escalation)


def test_every_partner_page_passes_axe(e2e_server, page: Page, world, front_door):
    sign_in(page, e2e_server.url, "hv")
    page.goto(f"{e2e_server.url}/referrals/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a referral")
    assert_accessible(page, "the referral form")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "the referral form with errors")
    page.get_by_label("Find a child by name").fill("Ashdown")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.get_by_text("2 children found for “Ashdown”")).to_be_visible()
    assert_accessible(page, "the referral form with children found")
    page.get_by_role("button", name="Add Leo Ashdown").click()
    page.get_by_label("Given name").fill("Mya")
    page.get_by_label("Family name").fill("Ashdown")
    page.get_by_role("button", name="Check and add this child").click()
    expect(page.get_by_role("heading", name="This child may already be known")).to_be_visible()
    assert_accessible(page, "the referral form with possible existing records")

    page.goto(f"{e2e_server.url}/referrals/made/")
    expect(page.get_by_role("table")).to_contain_text("Early help")
    assert_accessible(page, "the referrer's own referrals")
    page.goto(f"{e2e_server.url}/referrals/new/{front_door.referral.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    assert_accessible(page, "the confirmation")
    page.goto(f"{e2e_server.url}/escalations/{front_door.escalation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Challenge to the decision")
    assert_accessible(page, "the escalation as the agency that raised it")

    page.context.clear_cookies()
    sign_in(page, e2e_server.url, "te")
    page.goto(f"{e2e_server.url}/checks/")
    expect(page.get_by_role("table")).to_contain_text("To answer")
    assert_accessible(page, "the agency checks inbox")
    page.goto(f"{e2e_server.url}/referrals/{front_door.decided.pk}/escalate/")
    # The health visitor's challenge: the school is told of it, without a way into another agency's challenge.
    expect(page.get_by_text("This decision is already being challenged by another agency.")).to_be_visible()
    assert_accessible(page, "the challenge page with a challenge open")

    page.context.clear_cookies()
    sign_in(page, e2e_server.url, "mm")
    page.goto(f"{e2e_server.url}/escalations/{front_door.escalation.pk}/")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "the escalation answer form with errors")
    page.goto(f"{e2e_server.url}/checks/{front_door.check.pk}/")
    expect(page.get_by_text("Waiting for Northgate Primary School to answer.")).to_be_visible()
    assert_accessible(page, "a check as the MASH sees it")


def test_a_health_visitor_refers_a_new_child_by_keyboard_alone(e2e_server, page: Page, world, front_door):
    sign_in(page, e2e_server.url, "hv")
    page.goto(f"{e2e_server.url}/referrals/new/")

    # A child not on the system: her details, then "Check and add this child".
    tab_to(page, "#id_new_given_name")
    page.keyboard.type("Nova")
    page.keyboard.press("Tab")
    page.keyboard.type("Quill")
    page.keyboard.press("Tab")
    page.keyboard.type("14")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.type(str(timezone.localdate().year - 4))
    tab_to(page, "#id_new_sex")
    page.keyboard.press("Space")
    tab_to(page, "button[value='add_new']")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Nova Quill added.")).to_be_visible()
    expect(page.locator("input[name='new_child']")).to_have_count(1)

    tab_to(page, "#id_concerns")
    page.keyboard.type("Nova was found alone at home at 10pm; the flat was cold and there was no food.")
    tab_to(page, "#id_categories-5")  # neglect
    page.keyboard.press("Space")
    # Urgency starts at "Standard", so Tab lands on it; the arrow keys choose "Urgent" above it.
    tab_to(page, "#id_urgency-3")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#id_urgency-2")).to_be_checked()

    # Consent: no radio chosen yet, so Tab lands on the first; two arrows down choose "not sought", which
    # reveals the box for the reason right after it.
    reason = page.locator("#id_consent_reason_not_sought")
    expect(reason).to_be_hidden()
    tab_to(page, "#id_consent")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_consent-3")).to_be_checked()
    expect(reason).to_be_visible()
    page.keyboard.press("Tab")
    expect(reason).to_be_focused()
    page.keyboard.type("Mum's partner is violent; asking would put Nova at risk.")

    tab_to(page, "button[value='send']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/referrals/new/[0-9]+/$"))
    referral = Referral.objects.exclude(pk__in=[front_door.referral.pk, front_door.decided.pk]).get()
    expect(page.locator(".govuk-panel__body")).to_contain_text(str(referral.pk))
    expect(page.locator("#main-content")).to_contain_text("The MASH will decide by")
    assert referral.consent == "not_sought" and "violent" in referral.consent_reason
    assert referral.urgency == "urgent" and referral.categories == ["neglect"]
    nova = referral.children.get().child
    assert (nova.full_name, nova.sex) == ("Nova Quill", "female")
    assert_accessible(page, "the confirmation after a keyboard referral")


def test_a_teacher_answers_a_check_by_keyboard_alone(e2e_server, page: Page, world, front_door):
    sign_in(page, e2e_server.url, "te")
    # From the home page's requests for information, to the check, to the answer.
    tab_to(page, f"a[href='/checks/{front_door.check.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{e2e_server.url}/checks/{front_door.check.pk}/")
    expect(page.locator("#main-content")).to_contain_text("Is Leo attending, and has school noticed anything?")
    tab_to(page, "#id_information")
    page.keyboard.type("Leo's attendance has fallen to 80% this term. He said Dad shouts a lot.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your answer has been sent to the MASH")
    expect(page.get_by_role("heading", name="The answer from Northgate Primary School")).to_be_visible()
    expect(page.locator("#id_information")).to_have_count(0)
    front_door.check.refresh_from_db()
    assert front_door.check.answered_by == world.te and "80%" in front_door.check.information
    assert_accessible(page, "an answered check")


def test_the_consent_reason_is_revealed_under_the_content_security_policy(e2e_server, strict_context: BrowserContext,
                                                                           world, front_door):
    page = strict_context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, e2e_server.url, "hv")
    page.goto(f"{e2e_server.url}/referrals/new/")
    expect(page.locator("#id_consent_reason_refused")).to_be_hidden()
    page.get_by_label("No, the family refused").check()
    expect(page.locator("#id_consent_reason_refused")).to_be_visible()
    expect(page.locator("#id_consent_reason_not_sought")).to_be_hidden()
    assert not problems, "\n".join(problems)


def test_the_partner_pages_fit_320px(e2e_server, browser: Browser, world, front_door):
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        sign_in(page, e2e_server.url, "hv")
        for path in ("/referrals/new/", "/referrals/made/", f"/referrals/new/{front_door.referral.pk}/",
                     f"/escalations/{front_door.escalation.pk}/"):
            page.goto(f"{e2e_server.url}{path}")
            assert page_width(page) <= 320, f"{path} scrolls sideways at 320px ({page_width(page)}px)"
        page.goto(f"{e2e_server.url}/referrals/new/")
        page.get_by_label("Find a child by name").fill("Ashdown")
        page.get_by_role("button", name="Find", exact=True).click()
        page.get_by_role("button", name="Send the referral").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert page_width(page) <= 320, f"the referral form with errors scrolls sideways ({page_width(page)}px)"
        assert_accessible(page, "the referral form at 320px")

        page.context.clear_cookies()
        sign_in(page, e2e_server.url, "te")
        for path in ("/", "/checks/", f"/checks/{front_door.check.pk}/",
                     f"/referrals/{front_door.decided.pk}/escalate/"):
            page.goto(f"{e2e_server.url}{path}")
            assert page_width(page) <= 320, f"{path} scrolls sideways at 320px ({page_width(page)}px)"
        assert_accessible(page, "the challenge page at 320px")
    finally:
        context.close()
