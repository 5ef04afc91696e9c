"""Two-factor sign-in in a real browser: a manager sets up an app from the key the page shows, keeps the
recovery codes, signs in again with a code and with a recovery code, and confirms it is them; axe-core on
every page."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import hotp
from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_accessible, enter_two_factor_code, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e]


def password_step(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/sign-in/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def code_from_key(key_text: str) -> str:
    """What an authenticator app shows now for the key typed into it."""
    key = b32decode(key_text.replace(" ", "").upper() + "=" * (-len(key_text.replace(" ", "")) % 8))
    return f"{hotp(key, int(time.time()) // 30, digits=6):06d}"


def test_a_manager_sets_up_an_app_and_signs_in_with_a_code_or_a_recovery_code(e2e_server, page: Page, world):
    base = e2e_server.url
    password_step(page, base, "tm")
    page.wait_for_url(re.compile(r"/sign-in/two-factor/set-up/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page, "the set-up page")

    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "the set-up page with an error")

    key_text = page.locator("#secret-key").inner_text()
    page.get_by_label("Enter the 6-digit code from your app").fill(code_from_key(key_text))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page, "the recovery codes page")
    page.get_by_role("button", name="I have saved my recovery codes").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/account/two-factor/")
    expect(page.get_by_text("Two-factor authentication is on")).to_be_visible()
    assert_accessible(page, "the two-factor settings page")

    page.goto(f"{base}/account/confirm-it-is-you/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    assert_accessible(page, "the confirm-it-is-you page")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "the confirm-it-is-you page with errors")

    page.context.clear_cookies()
    password_step(page, base, "tm")
    page.wait_for_url(re.compile(r"/sign-in/two-factor/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the 6-digit code")
    assert_accessible(page, "the code page")
    page.get_by_label("Enter the 6-digit code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "the code page with an error")
    time.sleep(1.1)  # a wrong code makes the next try wait a second
    page.get_by_label("Enter the 6-digit code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_text("You used a recovery code")).to_be_visible()


def test_the_sign_in_helper_types_the_apps_code_for_an_auditor(e2e_server, page: Page, world):
    sign_in(page, e2e_server.url, "au")
    expect(page).to_have_url(f"{e2e_server.url}/")
    page.context.clear_cookies()
    password_step(page, e2e_server.url, "au")
    enter_two_factor_code(page, e2e_server.url, "au")
    page.wait_for_url(f"{e2e_server.url}/")
