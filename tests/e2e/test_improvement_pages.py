"""An improvement plan in a real browser, by keyboard alone: the senior manager finds the plan from the
navigation, records a quarter's progress without its evidence, is shown the error summary first, follows it to
the evidence box, and saves; the plan then shows the amber action with its evidence. axe-core on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from audits.models import ProgressUpdate
from tests.audits.test_improvement_helpers import add_action, days_ago, make_plan, set_due
from tests.conftest import World
from tests.e2e.helpers import assert_accessible
from tests.e2e.test_meeting_pages import choose_radio
from tests.e2e.test_triage_pages import sign_in_by_keyboard, tab_to

pytestmark = [pytest.mark.e2e]

SUBMIT = "#main-content form button[type='submit']"


def test_the_senior_manager_records_progress_by_keyboard_after_an_error(e2e_server, browser, world: World):
    plan = make_plan(world)
    action = set_due(add_action(world, plan, agency=world.police), days_ago(2))
    add_action(world, plan, months=6, position=2, owner=world.tm,
               description="Screen every contact at the front door within 24 hours.")
    context = browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        sign_in_by_keyboard(page, e2e_server.url, "sm")
        tab_to(page, "a.govuk-service-navigation__link[href='/improvement-plans/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Improvement plans")
        assert_accessible(page, "the improvement plans")
        tab_to(page, f"a[href='/improvement-plans/{plan.pk}/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Priority action plan")
        card = page.locator(f"#action-{action.pk}")
        expect(card).to_contain_text("Overdue")
        expect(card).to_contain_text("No update yet")
        assert_accessible(page, "the improvement plan")

        tab_to(page, f"a[href='/improvement-actions/{action.pk}/progress/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Record quarterly progress")
        choose_radio(page, "#id_rag", "Amber: some progress, at risk of missing the due date")
        tab_to(page, "#id_progress")
        page.keyboard.type("Seven in ten strategy meetings held within 24 hours.")
        tab_to(page, SUBMIT)
        page.keyboard.press("Enter")

        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(page).to_have_title(re.compile(r"^Error: Record quarterly progress"))
        expect(summary).to_contain_text("Enter the evidence of the progress")
        assert_accessible(page, "the progress form with an error")
        assert not ProgressUpdate.objects.exists()
        # What was typed stays; the summary's link takes the keyboard to the evidence box.
        expect(page.locator("#id_progress")).to_have_value("Seven in ten strategy meetings held within 24 hours.")
        page.keyboard.press("Tab")
        expect(summary.get_by_role("link", name="Enter the evidence of the progress")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#id_evidence")).to_be_focused()
        page.keyboard.type("Dip sample of 20 meetings by the MASH manager.")
        tab_to(page, SUBMIT)
        page.keyboard.press("Enter")

        expect(page.get_by_role("heading", level=1)).to_have_text("Priority action plan")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Progress recorded")
        card = page.locator(f"#action-{action.pk}")
        expect(card).to_contain_text("Amber")
        expect(card).to_contain_text("Dip sample of 20 meetings by the MASH manager.")
        assert_accessible(page, "the improvement plan after an update")
        assert ProgressUpdate.objects.get().by == world.sm
    finally:
        context.close()
