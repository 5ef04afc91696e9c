"""SPEC 7.3: every page passes axe-core, as the first persona the access matrix lets see it."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page

from tests.access_matrix import ANON, ENTRIES
from tests.e2e.helpers import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e]

PAGES = [
    entry
    for entry in ENTRIES
    if entry.page and entry.method == "GET" and any(status == 200 for status in entry.expected.values())
]


@pytest.mark.parametrize("entry", PAGES, ids=lambda e: e.name)
def test_every_page_passes_axe(e2e_server, page: Page, world, entry):
    code = next(code for code, status in entry.expected.items() if status == 200)
    if code != ANON:
        sign_in(page, e2e_server.url, world.persona(code).username)
    query = entry.query(world)
    url = f"{e2e_server.url}{entry.path(world)}" + (f"?{urlencode(query, doseq=True)}" if query else "")
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} as {code}: {response and response.status}"
    assert_accessible(page, f"{entry.name} as {code}")
