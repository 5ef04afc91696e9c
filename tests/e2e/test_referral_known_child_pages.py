"""A referral about a known child in a real browser (enter once): opened from the child's record, the child is on
the form with nothing about them to type, a sibling from the same household is added by keyboard with one
button, only the concerns are filled in, and the referral is sent; axe-core on each state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Person
from cases.permissions import record_share_with
from referrals.models import Referral
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, sign_in
from tests.factories import HouseholdFactory

pytestmark = [pytest.mark.e2e]


def tab_to(page: Page, selector: str, *, limit: int = 250) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def known_child(world: World, given: str, years: int) -> Person:
    made = Person.objects.create(partnership=world.north, given_name=given, family_name="Ashdown",
                                 date_of_birth=timezone.localdate() - timedelta(days=365 * years + 30),
                                 search_name=f"{given} ashdown")
    record_share_with(record=made, agency=world.health_visiting, what="Health visiting caseload", by=None)
    return made


def test_a_referral_about_a_known_child_and_the_sibling_offered(e2e_server, page: Page, world: World):
    leo, mia = known_child(world, "Leo", 8), known_child(world, "Mia", 3)
    home = HouseholdFactory.create(by=world.sw, members=[leo, mia])
    record_share_with(record=home, agency=world.health_visiting, what="Health visiting caseload", by=None)
    sign_in(page, e2e_server.url, "hv")
    people_before = Person.objects.count()

    page.goto(f"{e2e_server.url}/referrals/new/?child={leo.pk}")
    children = page.get_by_role("term").filter(has_text="Ashdown")
    added = page.locator("dl[aria-labelledby='children-added']")
    expect(added).to_contain_text("Leo Ashdown")
    expect(added).to_contain_text("8 years")
    expect(page.get_by_role("heading", name="Also living with Leo Ashdown")).to_be_visible()
    expect(children).to_have_count(2)
    # Nothing about Leo is asked: the new child's boxes are empty and the referrer is filled in.
    expect(page.get_by_label("Given name")).to_have_value("")
    expect(page.get_by_label("Name of the person referring")).to_have_value(world.hv.display_name)
    assert_accessible(page, "the referral form opened from Leo's record")

    tab_to(page, f"button[value='add:{mia.pk}']")
    expect(page.locator(":focus")).to_have_text("Add Mia Ashdown to this referral")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(added).to_contain_text("Mia Ashdown")
    expect(page.get_by_role("heading", name="Also living with Leo Ashdown")).to_have_count(0)
    assert_accessible(page, "the referral form with Mia added")

    tab_to(page, "#id_concerns")
    page.keyboard.type("Leo and Mia came to clinic hungry and Leo had a burn on his hand.")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "button[value='send']")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    expect(page.locator("#main-content")).to_contain_text("Leo Ashdown, 8 years")
    expect(page.locator("#main-content")).to_contain_text("Mia Ashdown, 3 years")
    assert_accessible(page, "the confirmation")
    referral = Referral.objects.get()
    assert sorted(referral.children.values_list("child_id", flat=True)) == sorted([leo.pk, mia.pk])
    assert Person.objects.count() == people_before
