"""SPEC 7.3 in a real browser: axe-core finds nothing, the keyboard reaches everything, 320px fits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from agencies import services
from agencies.models import Membership, Role
from tests.conftest import PERSONA_CODES
from tests.e2e.helpers import assert_accessible, page_width, sign_in
from tests.home_sections import EVERY_ROLE_HEADINGS, ROLE_HEADINGS

pytestmark = [pytest.mark.e2e]

def notify(user, count: int = 3) -> None:
    messages = (
        ("strategy_meeting_overdue", "Strategy meeting for the Okafor children is overdue", 2),
        ("referral_feedback_due", "Feed back the decision to the health visitor", 1),
        ("record_shared", "A police incident was shared with your agency", 0),
    )
    for n in range(count):
        kind, message, level = messages[n % len(messages)]
        services.notification_send(recipient=user, kind=kind, message=message, level=level, link="/inbox/")


# Signed out


def test_sign_in_page(e2e_server, page: Page, world):
    page.goto(f"{e2e_server.url}/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)
    assert_accessible(page, "the sign-in page")


def test_sign_in_page_with_errors(e2e_server, page: Page, world):
    page.goto(f"{e2e_server.url}/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    assert_accessible(page, "the sign-in page with errors")
    summary.get_by_role("link", name="Enter your password").click()
    expect(page.get_by_label("Password")).to_be_focused()


def test_locked_out_page(e2e_server, page: Page, world):
    for _ in range(5):
        page.goto(f"{e2e_server.url}/sign-in/")
        page.get_by_label("Username").fill("sw")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is locked")
    expect(page.get_by_text("30 minutes")).to_be_visible()
    assert_accessible(page, "the locked-out page")


# Signed in


@pytest.mark.parametrize("code", PERSONA_CODES)
def test_home_page_fits_the_role(e2e_server, page: Page, world, code):
    user = world.persona(code)
    membership = Membership.objects.select_related("agency").get(user=user)
    sign_in(page, e2e_server.url, user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(page.locator(".govuk-caption-l")).to_have_text(f"{Role(membership.role).label}, {membership.agency.name}")
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    for heading in (*ROLE_HEADINGS[membership.role], *EVERY_ROLE_HEADINGS):
        assert heading in headings, f"{code}'s home lacks {heading!r}: {headings}"
    expect(page.locator(".app-header__account")).to_contain_text(membership.agency.name)
    assert_accessible(page, f"{code}'s home page")


def test_inbox_empty(e2e_server, page: Page, world):
    sign_in(page, e2e_server.url, "mw")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.get_by_text("You have no notifications.")).to_be_visible()
    assert_accessible(page, "an empty inbox")


def test_inbox_with_notifications_marks_them_read(e2e_server, page: Page, world):
    notify(world.mw, count=30)
    sign_in(page, e2e_server.url, "mw")
    badge = page.locator(".app-header__link .moj-notification-badge")
    expect(badge).to_contain_text("30")
    page.locator(".app-header__link", has=page.locator(".moj-notification-badge")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.locator(".govuk-tag--red").first).to_have_text("Escalation level 2")
    expect(page.get_by_role("navigation", name="Pagination")).to_be_visible()
    assert_accessible(page, "an inbox with notifications")

    page.get_by_label(re.compile("^Mark as read")).first.check()
    page.get_by_role("button", name="Mark selected as read").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("1 notification marked as read.")
    expect(badge).to_contain_text("29")
    assert_accessible(page, "the inbox after marking one read")

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("29 notifications marked as read.")
    expect(badge).to_have_count(0)


def test_history_page(e2e_server, page: Page, world):
    world.sw.last_name = "Okafor-Smith"
    world.sw.save(update_fields=["last_name"])
    sign_in(page, e2e_server.url, "ad")
    page.goto(f"{e2e_server.url}/history/user/{world.sw.pk}/")
    expect(page.get_by_role("table", name="Who viewed and changed this record")).to_be_visible()
    expect(page.locator(".app-change-list__item", has_text="Okafor-Smith").first).to_be_visible()
    assert_accessible(page, "a staff account's history")


# The page shell: Content-Security-Policy, keyboard, "Hide screen", 320px


def test_pages_run_under_the_content_security_policy(e2e_server, strict_context: BrowserContext, world):
    page = strict_context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    sign_in(page, e2e_server.url, "sw")
    page.goto(f"{e2e_server.url}/inbox/")
    # The nonce'd inline script ran, and the module script, which started GOV.UK Frontend.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    expect(page.get_by_role("button", name="Hide screen")).to_be_visible()
    expect(page.locator("[data-module='govuk-service-navigation']")).to_have_attribute(
        "data-govuk-service-navigation-init", ""
    )
    assert not problems, "\n".join(problems)


def tab_to(page: Page, name: str, *, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_hide_screen_by_keyboard(e2e_server, page: Page, world):
    notify(world.sw, count=2)
    sign_in(page, e2e_server.url, "sw")
    page.goto(f"{e2e_server.url}/inbox/")
    main = page.locator("#main-content")
    expect(main).to_be_visible()
    tab_to(page, "Hide screen")
    page.keyboard.press("Enter")
    expect(main).to_be_hidden()
    expect(page.locator("header.govuk-template__header")).to_be_hidden()
    show = page.get_by_role("button", name="Show screen")
    expect(show).to_be_focused()
    expect(page).to_have_title("Blank page")
    assert page.url == f"{e2e_server.url}/", "the address still names the page behind the cover"
    assert_accessible(page, "the page with the screen hidden")

    page.keyboard.press("Enter")
    expect(main).to_be_visible()
    expect(page).to_have_title(re.compile("^Inbox"))
    assert page.url == f"{e2e_server.url}/inbox/"
    expect(page.get_by_role("button", name="Hide screen")).to_be_focused()


def test_escape_twice_hides_the_screen(e2e_server, page: Page, world):
    sign_in(page, e2e_server.url, "hv")
    main = page.locator("#main-content")
    page.keyboard.press("Escape")
    page.wait_for_timeout(1000)
    page.keyboard.press("Escape")
    expect(main).to_be_visible()  # two presses a second apart are not a double press
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(main).to_be_hidden()
    expect(page.get_by_role("button", name="Show screen")).to_be_visible()


@pytest.mark.parametrize("code", ["MW", "AD"])
def test_pages_fit_320px(e2e_server, browser, world, code):
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        user = world.persona(code)
        notify(user, count=4)
        sign_in(page, e2e_server.url, user.username)
        assert page_width(page) <= 320, f"{code}'s home scrolls sideways at 320px ({page_width(page)}px)"
        assert_accessible(page, f"{code}'s home page at 320px")
        if code == "AD":
            world.sw.last_name = "Okafor-Smith"
            world.sw.save(update_fields=["last_name"])
            page.goto(f"{e2e_server.url}/history/user/{world.sw.pk}/")
            assert page_width(page) <= 320, f"the history page scrolls sideways at 320px ({page_width(page)}px)"
        page.goto(f"{e2e_server.url}/inbox/")
        assert page_width(page) <= 320, f"the inbox scrolls sideways at 320px ({page_width(page)}px)"
        # The navigation folds behind a Menu button that the keyboard can open.
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_be_visible()
        menu.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Home")).to_be_visible()
        tab_to(page, "Hide screen", limit=40)
        page.keyboard.press("Enter")
        expect(page.locator("#main-content")).to_be_hidden()
    finally:
        context.close()
