"""Signing in through the real form, and axe-core checks, for the browser tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from agencies import two_factor
from agencies.models import User
from tests.factories import PASSWORD, authenticator_app, totp_code

REPO = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
STYLESHEET = REPO / "static" / "dist" / "app.css"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_RUN = """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"""


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in and start at home, whatever page the user's role lands on (a MASH practitioner's is the queue).

    A user who must use two-factor authentication has an authenticator app (set up here if need be), and the code
    typed in is the one the app would show, computed from the device's key.
    """
    user = User.objects.select_related("membership").get(username=username)
    device = None
    if two_factor.two_factor_required(user) or two_factor.has_two_factor(user):
        device = authenticator_app(user)
    page.goto(f"{base_url}/sign-in/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        enter_two_factor_code(page, base_url, username)
    page.wait_for_url(f"{base_url}/")


def finish_sign_in(page: Page, base_url: str, username: str) -> None:
    """After the password step of a test's own sign-in: the code step, for a user who must (or chose to) use
    two-factor authentication (set up for them here if need be); nothing for anyone else."""
    user = User.objects.select_related("membership").get(username=username)
    if two_factor.two_factor_required(user) or two_factor.has_two_factor(user):
        enter_two_factor_code(page, base_url, username)


def enter_two_factor_code(page: Page, base_url: str, username: str) -> None:
    """The second step of signing in, for a user with an authenticator app: wait for "Enter the 6-digit code"
    and type the code their app would show."""
    device = authenticator_app(User.objects.get(username=username))
    page.wait_for_url(f"{base_url}/sign-in/two-factor/**")
    if "/set-up/" in page.url:  # the app was set up for them after the password step: ask for the code now
        page.goto(page.url.replace("/set-up/", "/"))
    page.get_by_label("Enter the 6-digit code", exact=True).fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_TAGS)
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def assert_accessible(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core found problems on {what} ({page.url}):\n{describe(violations)}"


def page_width(page: Page) -> int:
    """How wide the page's content is: more than the viewport means it scrolls sideways."""
    return int(page.evaluate("() => document.documentElement.scrollWidth"))
