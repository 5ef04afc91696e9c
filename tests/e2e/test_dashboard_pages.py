"""The dashboard in a real browser: the MASH manager opens it from the navigation, its trends are drawn by
Chart.js under the Content-Security-Policy with no console errors, each chart's table gives the same figures,
a figure's link leads by keyboard to the records behind it, and axe-core finds no problems."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from audits.dashboard import value_text
from audits.measures import measure_get
from audits.views_dashboard import TREND_NONE
from tests.audits.test_dashboard_pages import DECISIONS, front_door
from tests.conftest import World
from tests.e2e.helpers import assert_accessible
from tests.e2e.test_triage_pages import sign_in_by_keyboard, tab_to

pytestmark = [pytest.mark.e2e]

DRAWN = """(key) => {
  const canvas = document.querySelector(`canvas[data-dashboard-chart="${key}"]`);
  const chart = window.Chart && window.Chart.getChart(canvas);
  return chart ? {values: chart.data.datasets[0].data, months: chart.data.labels, width: canvas.width} : null;
}"""
TABLE = """(key) => Array.from(document.querySelectorAll(`#table-${key} tbody tr`)).map(
  (row) => [row.querySelector("th").textContent.trim(), row.querySelector("td").textContent.trim()])"""


def open_dashboard(page: Page, base_url: str) -> None:
    sign_in_by_keyboard(page, base_url, "mm")
    tab_to(page, "a.govuk-service-navigation__link[href='/dashboard/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("MASH dashboard")


def test_the_trends_are_drawn_with_their_figures_in_a_table(e2e_server, strict_context: BrowserContext,
                                                           world: World):
    front_door(world, n=2)
    page = strict_context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    open_dashboard(page, e2e_server.url)
    page.wait_for_function(f"() => window.Chart && window.Chart.getChart("
                           f"document.querySelector('canvas[data-dashboard-chart=\"{DECISIONS}\"]'))")
    drawn: dict[str, Any] = page.evaluate(DRAWN, DECISIONS)
    assert drawn["width"] > 0 and len(drawn["values"]) == 12
    table = page.evaluate(TABLE, DECISIONS)
    unit = measure_get(DECISIONS).unit
    # The table beside the chart: the same months, the same figures.
    assert [month for month, _ in table] == drawn["months"]
    assert [value for _, value in table] == [
        TREND_NONE if value is None else value_text(unit, value) for value in drawn["values"]]
    assert table[-1][1] == "33%"  # two of six decided within a working day, this month
    assert not problems, "\n".join(problems)


def test_a_figure_leads_to_its_records_by_keyboard(e2e_server, page: Page, world: World):
    made = front_door(world)
    open_dashboard(page, e2e_server.url)
    assert_accessible(page, "the MASH dashboard")
    tab_to(page, f"#measure-{DECISIONS} a[href*='part=missed']")
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(f"{measure_get(DECISIONS).label}: not met, ")
    expect(page.get_by_text("Showing 1 to 2 of 2 records")).to_be_visible()
    expect(page.locator(f"a[href='/referrals/{made.late[0].pk}/']")).to_be_visible()
    expect(page.get_by_role("cell", name="Perpetua Fairweather").first).to_be_visible()
    assert_accessible(page, "the records behind a dashboard figure")
    tab_to(page, f"a[href='/referrals/{made.late[0].pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{e2e_server.url}/referrals/{made.late[0].pk}/")


def test_bad_filters_are_shown_accessibly(e2e_server, page: Page, world: World):
    open_dashboard(page, e2e_server.url)
    page.locator("#id_start").fill("31")
    page.locator("#id_start_month").fill("2")
    page.locator("#id_start_year").fill("2026")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("From must be a real date")
    assert_accessible(page, "the dashboard with a filter wrong")
