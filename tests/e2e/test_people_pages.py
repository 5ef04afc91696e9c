"""The people and household pages in a real browser: axe-core, the live duplicate check, the keyboard, 320px."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from cases.models import Case, Person, PersonFlag, RestrictedAccess
from cases.services import people as people_services
from tests.e2e.helpers import assert_accessible, page_width, sign_in
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def family(world):
    """Jayden (flagged escalating, on a plan, gaps in his record) and his mother Kelly, who poses a risk to him."""
    jayden = PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=date(2015, 3, 4))
    kelly = PersonFactory.create(by=world.sw, given_name="Kelly", family_name="Smith", date_of_birth=date(1990, 5, 1),
                                 sex="female", nhs_number="9434765919")
    household = HouseholdFactory.create(by=world.sw, address="12 Acacia Road\nNorthtown", postcode="NT1 2AB",
                                        members=[jayden, kelly])
    people_services.relationship_create(person=kelly, other=jayden, kind="parent", poses_risk=True, by=world.sw)
    PersonFlag.objects.create(partnership=world.north, person=jayden, kind=PersonFlag.Kind.ESCALATING,
                              raised_at=timezone.now(), incident_count=3)
    Case.objects.create(partnership=world.north, child=jayden, status=Case.Status.CHILD_PROTECTION,
                        opened_on=timezone.localdate(), lead_professional=world.sw)
    return jayden, kelly, household


def focus_on(page: Page, element_id: str, *, limit: int = 40) -> None:
    """Tab (only) until the element with this id has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def tab_to_button(page: Page, name: str, *, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def type_date(page: Page, day: str, month: str, year: str) -> None:
    """With the day box focused: the day, the month and the year, moving on with Tab."""
    page.keyboard.type(day)
    page.keyboard.press("Tab")
    page.keyboard.type(month)
    page.keyboard.press("Tab")
    page.keyboard.type(year)


# Find and "already known?"


def test_find_a_person(e2e_server, page: Page, world, family):
    sign_in(page, e2e_server.url, "sw")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a person")
    assert_accessible(page, "find a person, before searching")
    page.get_by_label("Name, date of birth or NHS number").fill("Jayden Smith")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Jayden Smith")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Escalating")).to_be_visible()
    assert_accessible(page, "find a person, with results")
    page.get_by_label("Name, date of birth or NHS number").fill("Nobody Atall")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No one you may see matches this search")).to_be_visible()
    assert_accessible(page, "find a person, nothing found")


def test_already_known(e2e_server, page: Page, world, family):
    sign_in(page, e2e_server.url, "te")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Already known?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is this child already known?")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "already known? with errors")
    page.get_by_label("Child's full name").fill("Jayden Smith")
    page.get_by_label("Day").fill("4")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2015")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Jayden Smith")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Open record"))).to_have_count(0)
    assert_accessible(page, "already known? with a preview")


# Create


def test_create_page_empty_and_with_errors(e2e_server, page: Page, world):
    sign_in(page, e2e_server.url, "sw")
    page.goto(f"{e2e_server.url}/people/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a record for a person")
    assert_accessible(page, "the create form")
    page.get_by_label("Month").first.fill("13")
    page.get_by_role("button", name="Create record").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Create a record"))
    assert_accessible(page, "the create form with errors")
    summary.get_by_role("link", name="Date of birth must include a day and a year").click()
    expect(page.locator("#id_date_of_birth")).to_be_focused()


def test_duplicate_check_shows_possible_records_as_the_details_are_typed(e2e_server, page: Page, world, family):
    sign_in(page, e2e_server.url, "sw")
    page.goto(f"{e2e_server.url}/people/new/")
    region = page.locator("#person-duplicates")
    expect(region).to_have_attribute("aria-live", "polite")
    with page.expect_response(re.compile(r"/people/duplicates/\?.*family_name=Smyth")):
        page.get_by_label("Given name").fill("Jaden")
        page.get_by_label("Family name").fill("Smyth")
        page.locator("#id_date_of_birth").fill("3")
        page.locator("#id_date_of_birth_month").fill("4")
        page.locator("#id_date_of_birth_year").fill("2015")
    expect(region.get_by_role("heading", name="Possible existing records")).to_be_visible()
    expect(region.get_by_role("link", name="Jayden Smith")).to_be_visible()
    expect(region).to_contain_text("4 March 2015")
    assert_accessible(page, "the create form with possible existing records")


def test_duplicate_check_runs_under_the_content_security_policy(e2e_server, strict_context: BrowserContext, world,
                                                                family):
    page = strict_context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    sign_in(page, e2e_server.url, "sw")
    page.goto(f"{e2e_server.url}/people/new/")
    page.get_by_label("Given name").fill("Jayden")
    page.get_by_label("Family name").fill("Smith")
    expect(page.locator("#person-duplicates").get_by_role("link", name="Jayden Smith")).to_be_visible()
    assert not problems, problems


def test_create_a_person_by_keyboard_alone(e2e_server, page: Page, world):
    sign_in(page, e2e_server.url, "sw")
    page.goto(f"{e2e_server.url}/people/new/")
    focus_on(page, "id_given_name")
    page.keyboard.type("Amara")
    page.keyboard.press("Tab")
    page.keyboard.type("Okafor")
    focus_on(page, "id_date_of_birth", limit=3)
    type_date(page, "12", "6", "2017")
    expect(page.locator("#person-duplicates")).to_contain_text("No existing records match these details.")
    focus_on(page, "id_sex", limit=6)
    page.keyboard.press("Space")
    focus_on(page, "id_first_language", limit=6)
    page.keyboard.type("English")
    focus_on(page, "id_nhs_number", limit=10)
    page.keyboard.type("943 476 5919")
    tab_to_button(page, "Create record")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Record created for Amara Okafor.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Amara Okafor")
    amara = Person.objects.get(given_name="Amara")
    assert amara.sex == "female" and amara.date_of_birth == date(2017, 6, 12) and amara.nhs_number == "9434765919"


# The person page


def test_person_page_with_alerts_flags_gaps_and_household(e2e_server, page: Page, world, family):
    jayden, kelly, _ = family
    sign_in(page, e2e_server.url, "sw")
    page.goto(f"{e2e_server.url}/people/{jayden.pk}/")
    bar = page.get_by_role("region", name="Person: Jayden Smith")
    expect(bar.locator(".govuk-tag", has_text="Escalating")).to_be_visible()
    expect(page.get_by_text("Ethnicity not recorded")).to_be_visible()
    family_list = page.locator(".app-family")
    expect(family_list.get_by_role("link", name="Kelly Smith")).to_be_visible()
    expect(family_list.get_by_text("Poses a risk to Jayden")).to_be_visible()
    assert_accessible(page, "a child's page")
    # The identity bar stays in view as the record scrolls.
    page.mouse.wheel(0, 2000)
    expect(bar).to_be_in_viewport()
    page.goto(f"{e2e_server.url}/people/{kelly.pk}/")
    expect(page.get_by_role("region", name="Person: Kelly Smith")).to_contain_text(
        "subject to a child protection plan")
    assert_accessible(page, "an adult's page with an alert")


def test_person_page_fits_320px(e2e_server, browser: Browser, world, family):
    jayden, _, _ = family
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        sign_in(page, e2e_server.url, "sw")
        page.goto(f"{e2e_server.url}/people/{jayden.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Jayden Smith")
        assert page_width(page) <= 320, f"the person page scrolls sideways at 320px ({page_width(page)}px)"
        assert_accessible(page, "a child's page at 320px")
        page.goto(f"{e2e_server.url}/people/new/")
        assert page_width(page) <= 320, f"the create form scrolls sideways at 320px ({page_width(page)}px)"
    finally:
        context.close()


def test_edit_page(e2e_server, page: Page, world, family):
    jayden, _, _ = family
    sign_in(page, e2e_server.url, "sw")
    page.goto(f"{e2e_server.url}/people/{jayden.pk}/")
    page.get_by_role("button", name="Change details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change details")
    assert_accessible(page, "the edit form")
    page.get_by_label("First language").fill("Polish")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Details of Jayden Smith saved.")


def test_restricted_notice_and_breaking_glass(e2e_server, page: Page, world):
    rosa = PersonFactory.create(by=world.sw, given_name="Rosa", family_name="Quinn", date_of_birth=date(2016, 2, 2))
    Person.objects.filter(pk=rosa.pk).update(restricted=True)
    RestrictedAccess.objects.create(partnership=world.north, person=rosa, user=world.sw)
    sign_in(page, e2e_server.url, "mw")
    response = page.goto(f"{e2e_server.url}/people/{rosa.pk}/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("This record is restricted")
    assert_accessible(page, "the restricted-record notice")
    page.get_by_label("Why do you need to open this record?").fill("Strategy meeting about her brother today")
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Quinn")


def test_merge_pages(e2e_server, page: Page, world, family):
    jayden, _, _ = family
    PersonFactory.create(by=world.sw, given_name="Jaden", family_name="Smith", date_of_birth=date(2015, 3, 4))
    sign_in(page, e2e_server.url, "mm")
    page.goto(f"{e2e_server.url}/people/{jayden.pk}/")
    page.get_by_role("link", name="Merge a duplicate record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which record is a duplicate of this one?")
    assert_accessible(page, "choosing a duplicate to merge")
    page.get_by_label(re.compile("^Jaden Smith")).check()
    page.get_by_role("button", name="Compare the records").click()
    expect(page.get_by_role("heading", name="Duplicate to merge into it: Jaden Smith")).to_be_visible()
    assert_accessible(page, "comparing two records before merging")
    page.get_by_role("button", name="Merge Jaden Smith into this record").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("was merged into this one")


def test_household_pages(e2e_server, page: Page, world, family):
    jayden, _, _ = family
    PersonFactory.create(by=world.sw, given_name="Leo", family_name="Smith", date_of_birth=date(2019, 8, 8))
    sign_in(page, e2e_server.url, "sw")
    page.goto(f"{e2e_server.url}/people/{jayden.pk}/")
    page.get_by_role("link", name="Record a household for Jayden Smith").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a household")
    page.get_by_role("button", name="Record household").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "recording a household, with errors")
    page.get_by_label("Address").fill("3 Mill Lane\nNorthtown")
    page.get_by_label("Postcode").fill("nt1 2ab")
    page.get_by_role("button", name="Record household").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("3 Mill Lane")
    expect(page.get_by_role("link", name="Jayden Smith")).to_be_visible()
    page.get_by_label("Find the person by name, date of birth or NHS number").fill("Leo Smith")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page, "a household with people found to add")
    page.get_by_label("Person to add").select_option(label="Leo Smith, born 8 August 2019")
    page.get_by_role("button", name="Add to household").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Leo Smith added to the household.")
    expect(page.get_by_role("link", name="Leo Smith")).to_be_visible()
    assert_accessible(page, "a household")

