"""Incident, escalating-review and Operation Encompass pages in a real browser: axe-core, the DASH running
score, recording an incident by keyboard alone, and 320px."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from cases.models import EncompassNotice, Incident, Person, PersonFlag
from cases.permissions import record_share_with
from cases.services.incidents import ChildAtIncident, DashInput, incident_create
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, page_width, sign_in

pytestmark = [pytest.mark.e2e]


def person(world: World, given: str, born: date, **extra) -> Person:
    made = Person.objects.create(partnership=world.north, given_name=given, family_name="Ashdown", date_of_birth=born,
                                 search_name=f"{given} ashdown".lower(), **extra)
    record_share_with(record=made, agency=world.police, what="Earlier call-out", by=world.po)
    return made


@pytest.fixture
def ashdowns(world: World) -> dict[str, Person]:
    today = timezone.localdate()
    return {
        "amira": person(world, "Amira", date(1990, 3, 4)),
        "dean": person(world, "Dean", date(1987, 11, 20)),
        "leo": person(world, "Leo", today - timedelta(days=365 * 8 + 30), school=world.school,
                      health_visiting=world.health_visiting),
    }


def record(world: World, people: dict[str, Person], *, days_ago: int = 2, yes: int = 0) -> Incident:
    answers = {f"q{n}": "yes" if n <= yes else "no" for n in range(1, 28)}
    return incident_create(
        partnership=world.north, by=world.po, reported_by=world.police, reference=f"NP-{days_ago}",
        occurred_at=timezone.now() - timedelta(days=days_ago), victims=[people["amira"]], perpetrators=[people["dean"]],
        children=[ChildAtIncident(people["leo"], resident=True, present=True, seen=True)], dash=DashInput(answers),
        summary="Neighbours heard shouting and a window breaking.",
    )


def tab_to(page: Page, selector: str, *, limit: int = 200) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


SCORE = "[data-dash-score]"


def test_incident_list_empty_and_with_rows(e2e_server, page: Page, world, ashdowns):
    sign_in(page, e2e_server.url, "po")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Incidents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incidents")
    expect(page.get_by_text("There are no incidents for you to see.")).to_be_visible()
    assert_accessible(page, "an empty incident list")
    record(world, ashdowns, days_ago=40, yes=15)
    record(world, ashdowns, days_ago=3, yes=11)
    page.reload()
    table = page.get_by_role("table", name="Domestic-abuse incidents you can see, newest first")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator(".govuk-tag").first).to_have_text("Medium risk")
    assert_accessible(page, "the incident list with incidents")


def test_create_page_with_errors_and_a_running_score(e2e_server, page: Page, world, ashdowns):
    sign_in(page, e2e_server.url, "po")
    page.goto(f"{e2e_server.url}/incidents/new/?person={ashdowns['leo'].pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a domestic-abuse incident")
    score = page.locator(SCORE)
    expect(score).to_have_text("Score 0 of 27: standard risk")
    expect(score).to_have_attribute("aria-live", "polite")
    assert_accessible(page, "the empty incident form")

    page.get_by_role("button", name="Record the incident").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: Record an incident"))
    assert_accessible(page, "the incident form with errors")
    summary.get_by_role("link", name="Enter the time of the incident").click()
    expect(page.get_by_label("Time of the incident")).to_be_focused()

    # The score moves as answers are chosen, by the partnership's bands (10 medium, 14 high).
    page.locator("#id_q1").check()
    expect(score).to_have_text("Score 1 of 27: standard risk")
    page.locator("#id_q2-2").check()  # "no" leaves the score alone
    expect(score).to_have_text("Score 1 of 27: standard risk")
    for n in range(3, 12):
        page.locator(f"#id_q{n}").check()
    expect(score).to_have_text("Score 10 of 27: medium risk")
    page.locator("#id_q1-3").check()  # "not known" is not a yes
    expect(score).to_have_text("Score 9 of 27: standard risk")
    for n in range(12, 17):
        page.locator(f"#id_q{n}").check()
    expect(score).to_have_text("Score 14 of 27: high risk")
    page.get_by_label("Yes, medium risk").check()
    expect(score).to_have_text("Score 14 of 27: high risk; your professional judgement cannot lower it")
    assert_accessible(page, "the incident form with the DASH part-answered")


def test_the_running_score_works_under_the_content_security_policy(e2e_server, strict_context: BrowserContext,
                                                                   world):
    page = strict_context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, e2e_server.url, "mw")
    page.goto(f"{e2e_server.url}/incidents/new/")
    page.locator("#id_q4").check()
    expect(page.locator(SCORE)).to_have_text("Score 1 of 27: standard risk")
    assert not problems, "\n".join(problems)


def test_incident_page(e2e_server, page: Page, world, ashdowns):
    record(world, ashdowns, days_ago=200)
    record(world, ashdowns, days_ago=100)
    incident = record(world, ashdowns, yes=14)
    sign_in(page, e2e_server.url, "mm")
    page.goto(f"{e2e_server.url}/incidents/{incident.pk}/")
    expect(page.locator(".govuk-tag", has_text="High risk").first).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Escalating")).to_be_visible()
    expect(page.get_by_role("link", name="History of this incident")).to_be_visible()
    assert_accessible(page, "an incident page")


def test_notices_as_the_teacher(e2e_server, page: Page, world, ashdowns):
    incident = record(world, ashdowns, yes=5)
    notice = EncompassNotice.objects.get(incident=incident)
    sign_in(page, e2e_server.url, "te")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Operation Encompass").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Operation Encompass")
    assert_accessible(page, "the school's notice list")
    page.get_by_role("link", name="Leo Ashdown").click()
    expect(page).to_have_url(f"{e2e_server.url}/encompass/{notice.pk}/")
    expect(page.locator("#main-content")).to_contain_text("NP-2")
    expect(page.locator("#main-content")).not_to_contain_text("window breaking")
    expect(page.locator("#main-content")).not_to_contain_text("Dean")
    assert_accessible(page, "a notice as the school sees it")


def test_escalating_review_form(e2e_server, page: Page, world, ashdowns):
    for days_ago in (250, 120, 4):
        record(world, ashdowns, days_ago=days_ago)
    flag = PersonFlag.objects.get(person=ashdowns["leo"], kind=PersonFlag.Kind.ESCALATING)
    sign_in(page, e2e_server.url, "mm")
    page.goto(f"{e2e_server.url}/escalating/{flag.pk}/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review of an escalating child")
    assert_accessible(page, "the escalating review form")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "the escalating review form with errors")
    page.get_by_label("What the review found and what happens next").fill("Strategy discussion convened.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Review of Leo Ashdown's")


def test_record_an_incident_by_keyboard_alone(e2e_server, page: Page, world, ashdowns):
    amira, dean, leo = ashdowns["amira"], ashdowns["dean"], ashdowns["leo"]
    sign_in(page, e2e_server.url, "po")
    page.goto(f"{e2e_server.url}/incidents/new/")
    tab_to(page, "#id_find")
    page.keyboard.type("Ashdown")
    page.keyboard.press("Enter")
    expect(page.get_by_text("3 people found for “Ashdown”")).to_be_visible()

    # A group of radios takes focus on its chosen answer ("Not involved"); the arrow keys choose another.
    tab_to(page, f"#id_role_{leo.pk}")
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#id_role_{leo.pk}-2")).to_be_checked()
    for fact in ("", "-2", "-3", "-4"):
        tab_to(page, f"#id_child_{leo.pk}{fact}")
        page.keyboard.press("Space")
    tab_to(page, f"#id_role_{amira.pk}")
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#id_role_{amira.pk}-2")).to_be_checked()
    tab_to(page, f"#id_role_{dean.pk}")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#id_role_{dean.pk}-3")).to_be_checked()

    yesterday = timezone.localdate() - timedelta(days=1)
    tab_to(page, "#id_occurred_on")
    page.keyboard.type(str(yesterday.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(yesterday.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(yesterday.year))
    page.keyboard.press("Tab")
    page.keyboard.type("22:15")
    tab_to(page, "#id_reference")
    page.keyboard.type("NP-KEY/1")
    # The first DASH question: Tab reaches its "Yes", Space chooses it.
    tab_to(page, "#id_q1")
    page.keyboard.press("Space")
    expect(page.locator(SCORE)).to_have_text("Score 1 of 27: standard risk")
    tab_to(page, "button[value='record']")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/incidents/[0-9]+/$"))
    incident = Incident.objects.get(reference="NP-KEY/1")
    assert page.url == f"{e2e_server.url}/incidents/{incident.pk}/"
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Incident recorded")
    expect(banner).to_contain_text("Operation Encompass notice sent to Northgate Primary School.")
    assert incident.children.get().spoken_to and incident.parties.count() == 2


def test_create_page_fits_320px(e2e_server, browser, world, ashdowns):
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        sign_in(page, e2e_server.url, "po")
        page.goto(f"{e2e_server.url}/incidents/new/?person={ashdowns['leo'].pk}")
        page.locator("#id_q1").check()
        assert page_width(page) <= 320, f"the incident form scrolls sideways at 320px ({page_width(page)}px)"
        page.get_by_role("button", name="Record the incident").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert page_width(page) <= 320, f"the form with errors scrolls sideways at 320px ({page_width(page)}px)"
        assert_accessible(page, "the incident form at 320px")
    finally:
        context.close()
