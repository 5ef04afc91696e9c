"""A strategy meeting in a real browser, by keyboard alone: the MASH manager finds it from the navigation, is
refused when health has not been heard, records why, agrees an action for the police and distributes the
minutes; the invited police officer then reads the minutes and marks the action done. axe-core on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from strategy_meetings.models import Action, MinutesDistribution, StrategyMeeting
from tests.conftest import World
from tests.e2e.helpers import assert_accessible
from tests.e2e.test_triage_pages import sign_in_by_keyboard, tab_to
from tests.matrix.strategy_meetings_api import convened

pytestmark = [pytest.mark.e2e]

SUBMIT = "#main-content form button[type='submit']"


def choose_radio(page: Page, first: str, label: str) -> None:
    """Tab to a group of radios, choose the first with Space, then move with the arrow keys to ``label``."""
    tab_to(page, first)
    page.keyboard.press("Space")
    target = page.get_by_label(label, exact=True)
    for _ in range(10):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"The arrow keys never reached {label}")


def test_a_meeting_held_with_health_unheard_then_minuted_and_actioned_by_keyboard(e2e_server, browser, world: World):
    meeting = convened(world)
    police_name = world.police.name
    manager = browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
    officer = browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
    try:
        page = manager.new_page()
        sign_in_by_keyboard(page, e2e_server.url, "mm")
        tab_to(page, "a.govuk-service-navigation__link[href='/strategy-meetings/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Strategy meetings")
        tab_to(page, f"a[href='/strategy-meetings/{meeting.pk}/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Mia Okafor")

        # Held, with nobody from health heard: refused on the reason's field.
        tab_to(page, f"a[href='/strategy-meetings/{meeting.pk}/hold/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Record the meeting as held")
        choose_radio(page, "#id_outcome", "Section 47 enquiry (joint with police)")
        tab_to(page, SUBMIT)
        page.keyboard.press("Enter")
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("neither attended nor sent information")
        expect(summary).to_contain_text(world.health_visiting.name)
        assert_accessible(page, "the hold form refusing an unheard required agency")
        assert StrategyMeeting.objects.get(pk=meeting.pk).status == StrategyMeeting.Status.DUE

        tab_to(page, "#id_missing_agency_reason")
        page.keyboard.type("The health visitor was on leave; her manager will send the records today.")
        tab_to(page, SUBMIT)
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("recorded as held")
        meeting.refresh_from_db()
        assert meeting.status == StrategyMeeting.Status.HELD and meeting.icpc_due_by is not None

        # An action for the police, due in three days.
        tab_to(page, f"a[href='/strategy-meetings/{meeting.pk}/actions/new/']")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{e2e_server.url}/strategy-meetings/{meeting.pk}/actions/new/")
        tab_to(page, "#id_description")
        page.keyboard.type("Check the household on police systems and share any call-outs.")
        choose_radio(page, "#id_owner_agency", police_name)
        due = timezone.localdate() + timedelta(days=3)
        tab_to(page, "#id_due_by")
        page.keyboard.type(str(due.day))
        page.keyboard.press("Tab")
        page.keyboard.type(str(due.month))
        page.keyboard.press("Tab")
        page.keyboard.type(str(due.year))
        tab_to(page, SUBMIT)
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Action added for {police_name}")
        action = Action.objects.get(meeting=meeting)

        # The minutes start from the record; distributed with one button.
        tab_to(page, f"a[href='/strategy-meetings/{meeting.pk}/minutes/']")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{e2e_server.url}/strategy-meetings/{meeting.pk}/minutes/")
        expect(page.locator("#id_minutes")).to_contain_text("Section 47 enquiry (joint with police)")
        assert_accessible(page, "the minutes page")
        tab_to(page, SUBMIT)
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("distributed to 3 agencies")
        assert MinutesDistribution.objects.filter(meeting=meeting).count() == 3

        # The police officer reads the minutes and marks the action done.
        page = officer.new_page()
        sign_in_by_keyboard(page, e2e_server.url, "po")
        page.goto(f"{e2e_server.url}/strategy-meetings/{meeting.pk}/")
        expect(page.locator("#main-content")).to_contain_text("Check the household on police systems")
        expect(page.locator("#main-content")).to_contain_text("Distributed")
        tab_to(page, f"form[action$='/actions/{action.pk}/done/'] button")
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("marked done")
        action.refresh_from_db()
        assert action.status == Action.Status.DONE
        assert_accessible(page, "the meeting page as an invited police officer")
    finally:
        manager.close()
        officer.close()
