"""The MASH pages in a real browser: axe-core on the queue, the referral page and its forms; the live countdown;
the filters swapping the queue in place; 320px; and a referral triaged from the queue to a decision by keyboard
alone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from referrals.models import AgencyCheck, Decision, Referral
from referrals.services import referral_rate
from strategy_meetings.models import StrategyMeeting
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, finish_sign_in, page_width, sign_in
from tests.factories import PASSWORD
from tests.matrix.referral_pages_triage import child, decided, referral, referral_checked, siblings

pytestmark = [pytest.mark.e2e]

FIRST_ROW = ".app-queue__open"


def tab_to(page: Page, selector: str, *, limit: int = 200) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def sign_in_by_keyboard(page: Page, base_url: str, username: str) -> None:
    """Sign in with the keyboard, landing where the user's role lands (no ``next``)."""
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    finish_sign_in(page, base_url, username)
    page.wait_for_url(lambda url: "/sign-in/" not in url)


@pytest.fixture
def morning(world: World) -> dict[str, Referral]:
    """A morning's queue: an immediate referral, siblings referred twice, one overdue, one rated green."""
    leo, kai = siblings(world, "Ashdown", ("Leo", 8), ("Kai", 3))
    made = {
        "immediate": referral(world, [child(world, "Isla", "Immediate", 1)], hours_ago=1,
                              urgency=Referral.Urgency.IMMEDIATE,
                              concerns="Baby Isla has a bruise on her face; mother's partner was drunk last night."),
        "leo": referral(world, [leo], hours_ago=3, concerns="Leo told his teacher his dad hit his mum."),
        "kai": referral(world, [kai], hours_ago=2, concerns="Kai's nursery saw a mark on his arm."),
        "overdue": referral(world, [child(world, "Olly", "Overdue", 12)], hours_ago=24 * 8,
                            concerns="Olly is missing school and seen out late with older men.",
                            categories=["exploitation"], referrer=world.police),
        "green": referral(world, [child(world, "Gwen", "Green", 6)], hours_ago=2,
                          concerns="Gwen's mother asked for parenting help.", categories=["other"]),
    }
    referral_rate(referral=made["green"], by=world.mw, rag="green")
    return made


def test_the_queue_passes_axe_and_shows_the_whole_queue(e2e_server, page: Page, world, morning):
    sign_in_by_keyboard(page, e2e_server.url, "mw")
    # A MASH practitioner lands on the queue.
    expect(page).to_have_url(f"{e2e_server.url}/referrals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
    summary = page.locator("#triage-queue-summary")
    expect(summary).to_contain_text("5 referrals")
    expect(summary).to_contain_text("1 overdue")
    table = page.get_by_role("table", name="Referrals waiting for a decision, most urgent first")
    expect(table.locator(FIRST_ROW).first).to_have_text("Isla Immediate")
    expect(table.locator(".app-queue__siblings")).to_contain_text("Siblings: 2 referrals about children of one")
    expect(table.locator(".govuk-tag--red", has_text="Overdue by")).to_have_count(1)
    assert_accessible(page, "the triage queue")


def test_the_filters_swap_the_queue_in_place_and_keep_its_place(e2e_server, page: Page, world, morning):
    sign_in(page, e2e_server.url, "mw")
    page.goto(f"{e2e_server.url}/referrals/")
    page.evaluate("() => { window.stillTheSamePage = true; }")
    page.get_by_label("RAG rating").select_option("green")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{e2e_server.url}/referrals/?rag=green")
    table = page.get_by_role("table", name="1 referral matching the filters, most urgent first")
    expect(table.locator(FIRST_ROW)).to_have_text("Gwen Green")
    # Swapped in place by htmx, not a new page; the whole queue's figures stay.
    assert page.evaluate("() => window.stillTheSamePage === true")
    expect(page.locator("#triage-queue-summary")).to_contain_text("5 referrals")
    assert_accessible(page, "the filtered queue")
    # Opening a referral and coming back returns to the same view of the queue.
    table.locator(FIRST_ROW).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gwen Green")
    page.get_by_role("link", name="Back to the triage queue").click()
    expect(page).to_have_url(f"{e2e_server.url}/referrals/?rag=green")
    expect(page.locator(FIRST_ROW)).to_have_count(1)


def test_the_countdown_counts_down_and_turns_red_when_overdue(e2e_server, strict_context: BrowserContext, world):
    made = referral(world, [child(world, "Tia", "Timer", 4)], hours_ago=1)
    Referral.objects.filter(pk=made.pk).update(decision_due_at=timezone.now() + timedelta(minutes=10))
    page = strict_context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.clock.install()
    sign_in(page, e2e_server.url, "mw")
    # The referral page: the queue would also refresh itself from the server every minute, and the server's
    # clock does not move when the browser's fake one does.
    page.goto(f"{e2e_server.url}/referrals/{made.pk}/")
    countdown = page.locator("[data-countdown]").first
    expect(countdown).to_have_text(re.compile(r"^(9|10) minutes left$"))
    expect(countdown).to_have_class(re.compile(r"govuk-tag--orange"))
    page.clock.fast_forward("11:00")
    expect(countdown).to_have_text(re.compile(r"^Overdue by [01] minutes?$"))
    expect(countdown).to_have_class(re.compile(r"govuk-tag--red"))
    assert not problems, "\n".join(problems)


def test_the_queue_refreshes_itself_every_minute_keeping_focus(e2e_server, strict_context: BrowserContext, world):
    first = referral(world, [child(world, "Pat", "Poll", 4)], hours_ago=3)
    page = strict_context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.clock.install()
    sign_in(page, e2e_server.url, "mw")
    page.goto(f"{e2e_server.url}/referrals/")
    expect(page.locator("#triage-queue-summary")).to_contain_text("1 referral")
    page.locator(f"#queue-referral-{first.pk}").focus()
    newer = referral(world, [child(world, "Nia", "New", 2)], hours_ago=1, urgency=Referral.Urgency.IMMEDIATE)
    page.clock.fast_forward("01:01")
    # The new, more urgent referral comes in at the top, without a reload, and focus stays where it was.
    expect(page.locator(FIRST_ROW).first).to_have_text("Nia New")
    expect(page.locator("#triage-queue-summary")).to_contain_text("2 referrals")
    expect(page.locator(f"#queue-referral-{first.pk}")).to_be_focused()
    assert newer.pk != first.pk and not problems, "\n".join(problems)


def test_the_referral_page_and_its_forms_pass_axe(e2e_server, page: Page, world):
    checked = referral_checked(world, referral(world, siblings(world, "Okafor", ("Ada", 0), ("Ben", 4)),
                                               consent=Referral.Consent.NOT_SOUGHT,
                                               consent_reason="Asking would put the children at risk."),
                               by=world.mm)
    sign_in(page, e2e_server.url, "mm")
    page.goto(f"{e2e_server.url}/referrals/{checked.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Okafor and Ada Okafor")
    assert_accessible(page, "the referral page")

    page.get_by_role("link", name="Ask an agency what it knows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask an agency what it knows")
    assert_accessible(page, "the check request form")
    page.get_by_role("button", name="Send the check").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "the check request form with errors")

    page.goto(f"{e2e_server.url}/referrals/{checked.pk}/decision/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the decision")
    assert_accessible(page, "the decision form")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "the decision form with errors")
    page.locator(".govuk-error-summary").get_by_role("link", name="Give the rationale").click()
    expect(page.get_by_label("Rationale")).to_be_focused()

    made = decided(world, referral(world, [child(world, "Fen", "Feedback", 5)]))
    page.goto(f"{e2e_server.url}/referrals/{made.pk}/feedback/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record feedback to the referrer")
    assert_accessible(page, "the feedback form")
    page.get_by_role("button", name="Record feedback").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "the feedback form with errors")
    page.get_by_label("Telephone").check()
    page.get_by_role("button", name="Record feedback").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Feedback to North Health Visiting")
    assert_accessible(page, "a referral page, decided and fed back")


def test_the_queue_and_the_referral_fit_320px(e2e_server, browser, world, morning):
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        sign_in(page, e2e_server.url, "mw")
        page.goto(f"{e2e_server.url}/referrals/")
        expect(page.locator(FIRST_ROW).first).to_be_visible()
        assert page_width(page) <= 320, f"the queue scrolls sideways at 320px ({page_width(page)}px)"
        assert_accessible(page, "the triage queue at 320px")
        page.goto(f"{e2e_server.url}/referrals/{morning['leo'].pk}/")
        assert page_width(page) <= 320, f"the referral page scrolls sideways at 320px ({page_width(page)}px)"
    finally:
        context.close()


def test_triage_from_queue_to_decision_by_keyboard_alone(e2e_server, browser, world, morning):
    immediate = morning["immediate"]
    worker = browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
    manager = browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
    try:
        # The MASH worker opens the queue (where signing in lands) and the most urgent referral.
        page = worker.new_page()
        sign_in_by_keyboard(page, e2e_server.url, "mw")
        expect(page).to_have_url(f"{e2e_server.url}/referrals/")
        tab_to(page, FIRST_ROW)
        expect(page.locator(":focus")).to_have_text("Isla Immediate")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Isla Immediate")

        # Rates it red: Tab reaches the first colour (red), Space chooses it, Enter on the button saves it.
        tab_to(page, "#id_rag")
        page.keyboard.press("Space")
        expect(page.locator("#id_rag")).to_be_checked()
        tab_to(page, "form[action$='/rag/'] button")
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"Referral {immediate.pk} rated red.")

        # Asks the police what they know.
        tab_to(page, "a[href$='/checks/new/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Ask an agency what it knows")
        tab_to(page, "#id_agency")
        page.keyboard.type("Shire")
        expect(page.locator("#id_agency")).to_have_value(str(world.police.pk))
        tab_to(page, "#id_question")
        page.keyboard.type("Any call-outs to the address in the last year?")
        tab_to(page, "#main-content form button[type='submit']")
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Shire Police has been asked.")
        check = AgencyCheck.objects.get(referral=immediate)
        assert check.agency == world.police and check.created_by == world.mw

        # The MASH manager opens it from the queue and records a strategy discussion.
        page = manager.new_page()
        sign_in_by_keyboard(page, e2e_server.url, "mm")
        tab_to(page, "a.govuk-service-navigation__link[href='/referrals/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
        tab_to(page, f"#queue-referral-{immediate.pk}")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Isla Immediate")
        expect(page.locator("#main-content")).to_contain_text("Any call-outs to the address in the last year?")
        tab_to(page, "a[href$='/decision/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Record the decision")
        assert_accessible(page, "the decision form")
        # A group of radios: Tab reaches the first, Space chooses it, the arrow keys move the choice.
        tab_to(page, "#id_outcome")
        page.keyboard.press("Space")
        for _ in range(4):
            page.keyboard.press("ArrowDown")
        expect(page.get_by_label("Strategy discussion (section 47)")).to_be_checked()
        page.keyboard.press("Tab")
        expect(page.get_by_label("Rationale")).to_be_focused()
        page.keyboard.type("A bruise on a non-mobile baby's face; the police know the household.")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")

        banner = page.locator(".govuk-notification-banner--success")
        expect(banner).to_contain_text("Decision recorded: Strategy discussion (section 47).")
        meeting = StrategyMeeting.objects.get(referral=immediate)
        due = timezone.localtime(meeting.due_by)
        expect(banner).to_contain_text(f"The strategy meeting is due by {due:%H:%M} on {due:%A} {due.day} {due:%B %Y}.")
        assert Decision.objects.get(referral=immediate).decided_by == world.mm
        assert_accessible(page, "the referral page after the decision")
    finally:
        worker.close()
        manager.close()
