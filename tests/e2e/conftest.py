"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser per test process (session scope), a fresh browser context per test.
"""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told that this is safe (it is: nothing here is async).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.db import connections  # noqa: E402
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from tests.e2e.helpers import AXE_SCRIPT, CHROMIUM, CHROMIUM_ARGS, STYLESHEET  # noqa: E402


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (bin/test does)")
    if not STYLESHEET.exists() or not AXE_SCRIPT.exists():
        pytest.fail("static/dist/ or node_modules/ is missing: run bin/setup (npm ci and npm run build)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # Connections opened while Playwright's loop ran are kept apart from the thread's
        # usual ones; close them so the test database can be dropped at the end.
        connections.close_all()


@pytest.fixture
def e2e_server(live_server):
    """The live server. Each test's data is committed, and the tables emptied when it ends
    (the role groups are laid again on the flush's post_migrate: agencies.apps), once the server has answered
    every request the browser sent: see ``requests_finished``."""
    yield live_server
    requests_finished()


# How long a request the browser sent as it closed may take to arrive, and the longest wait for the server to
# answer everything.
ARRIVAL_SECONDS = 0.3
MOST_WAIT_SECONDS = 10.0


def requests_finished() -> None:
    """Wait until the live server is handling no request. A page with a draft saves it as it closes
    (static/src/drafts.js); emptying the tables while that save is writing would deadlock. The server handles
    each connection in a thread of its own, named after socketserver's ``process_request_thread``."""
    time.sleep(ARRIVAL_SECONDS)
    deadline = time.monotonic() + MOST_WAIT_SECONDS
    while time.monotonic() < deadline:
        if not any("process_request_thread" in thread.name for thread in threading.enumerate()):
            return
        time.sleep(0.05)


def _context(browser: Browser, *, bypass_csp: bool) -> Iterator[BrowserContext]:
    context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 1024, "height": 768})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A browser context that lets axe-core be injected despite the Content-Security-Policy."""
    yield from _context(browser, bypass_csp=True)


@pytest.fixture
def strict_context(browser: Browser) -> Iterator[BrowserContext]:
    """A browser context that enforces the Content-Security-Policy, as users' browsers do."""
    yield from _context(browser, bypass_csp=False)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
