"""The pictures in a real browser (issue 10): the family diagram on a child's page, with a risk drawn, and the
density strip on the chronology; axe-core clean, and no sideways scrolling at 320 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, expect

from tests.cases.lived import lived_family
from tests.cases.test_chronology_helpers import voice
from tests.cases.test_family_diagram import jayden_family
from tests.e2e.helpers import assert_accessible, page_width, sign_in

pytestmark = [pytest.mark.e2e]

@pytest.fixture
def family(world):
    """Jayden, his mother Kelly who poses a risk to him and his brother Liam at home, his father Gary elsewhere."""
    return jayden_family(world)


@pytest.fixture
def heard(world):
    """The eldest Okafor child, heard in several months."""
    family = lived_family(world)
    child = family.eldest
    for month, times in ((1, 2), (2, 5), (4, 1), (7, 3)):
        for n in range(times):
            voice(world, family, child, datetime(2026, month, 3 + n, 10, tzinfo=UTC))
    return child


def test_the_family_diagram_is_accessible_and_fits_a_phone(e2e_server, browser: Browser, world, family):
    for width in (1024, 320):
        context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            sign_in(page, e2e_server.url, "sw")
            page.goto(f"{e2e_server.url}/people/{family.pk}/")
            diagram = page.get_by_role("img", name="Family diagram of Jayden Smith")
            expect(diagram).to_be_visible()
            expect(diagram).to_contain_text("Poses risk to Jayden")
            # The lists stay below as the text alternative, with links to each record.
            expect(page.get_by_role("link", name="Kelly Smith")).to_be_visible()
            expect(page.get_by_role("button", name="Make a referral about Jayden")).to_be_visible()
            box = diagram.bounding_box()
            assert box is not None and box["width"] <= width
            assert page_width(page) <= width, f"the person page scrolls sideways at {width}px ({page_width(page)}px)"
            assert_accessible(page, f"a child's page with a family diagram at {width}px")
        finally:
            context.close()


def test_the_density_strip_is_accessible_and_fits_a_phone(e2e_server, browser: Browser, world, heard):
    for width in (1024, 320):
        context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            sign_in(page, e2e_server.url, "sw")
            page.goto(f"{e2e_server.url}/people/{heard.pk}/chronology/?kind=voice")
            strip = page.get_by_role("img", name="Entries by month, January 2026 to July 2026")
            expect(strip).to_be_visible()
            assert page_width(page) <= width, f"the chronology scrolls sideways at {width}px ({page_width(page)}px)"
            assert_accessible(page, f"the chronology with its density strip at {width}px")
            page.get_by_text("Events by month as a table").click()
            assert_accessible(page, f"the chronology's events-by-month table open at {width}px")
            page.get_by_role("link", name=re.compile(r"^February 2026\W+show only this month")).click()
            expect(page.get_by_text("Showing 1 to 5 of 5 events that match the filters.")).to_be_visible()
        finally:
            context.close()
