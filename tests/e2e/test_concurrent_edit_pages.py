"""Two people changing the same record in real browsers: the second save is refused, the page says why, shows
what is saved now beside what the second person entered, and passes axe-core."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from agencies.models import Role
from referrals.models import Decision
from strategy_meetings.models import StrategyMeeting
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, sign_in
from tests.factories import UserFactory
from tests.matrix.referral_pages_triage import child, referral
from tests.matrix.strategy_meetings_api import convened

pytestmark = [pytest.mark.e2e]

SUBMIT = "#main-content form button[type='submit']"


def _signed_in(browser: Browser, base_url: str, username: str) -> Page:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, base_url, username)
    return page


def _at(day_offset: int, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=day_offset), clock))


def _schedule(page: Page, when: datetime, chair: str) -> None:
    local = timezone.localtime(when)
    page.locator("input[name='scheduled_on_day']").fill(str(local.day))
    page.locator("input[name='scheduled_on_month']").fill(str(local.month))
    page.locator("input[name='scheduled_on_year']").fill(str(local.year))
    page.locator("input[name='scheduled_time']").fill(f"{local:%H:%M}")
    page.get_by_label(chair).check()
    page.locator(SUBMIT).click()


def test_a_meeting_rescheduled_over_a_colleague_is_refused_and_shown(e2e_server, browser, world: World):
    meeting = convened(world)
    url = f"{e2e_server.url}/strategy-meetings/{meeting.pk}/schedule/"
    social_worker = _signed_in(browser, e2e_server.url, "sw")
    mash_worker = _signed_in(browser, e2e_server.url, "mw")
    try:
        social_worker.goto(url)
        mash_worker.goto(url)
        _schedule(social_worker, _at(1, time(10, 15)), f"{world.tm.display_name} (Team manager)")
        expect(social_worker.get_by_role("heading", level=1)).not_to_have_text("Schedule the meeting")
        _schedule(mash_worker, _at(2, time(11, 45)), f"{world.sw.display_name} (Social worker)")

        summary = mash_worker.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Someone else changed this record while you were editing it")
        expect(mash_worker.locator("#saved-now")).to_contain_text(world.tm.display_name)
        expect(mash_worker.locator("input[name='scheduled_time']")).to_have_value("11:45")
        assert_accessible(mash_worker, "the schedule page refused over a colleague's change")
        meeting.refresh_from_db()
        assert meeting.chair_id == world.tm.pk and meeting.status == StrategyMeeting.Status.SCHEDULED
    finally:
        social_worker.context.close()
        mash_worker.context.close()


def test_a_second_decision_is_refused_with_the_first_shown(e2e_server, browser, world: World):
    made = referral(world, [child(world, "Dana", "Decide", 6)])
    UserFactory.create(username="mm2", agency=world.csc, role=Role.MASH_MANAGER, line_manager=world.sm)
    url = f"{e2e_server.url}/referrals/{made.pk}/decision/"
    first = _signed_in(browser, e2e_server.url, "mm")
    second = _signed_in(browser, e2e_server.url, "mm2")
    try:
        first.goto(url)
        second.goto(url)
        for page, outcome, rationale in (
            (first, "Child and family assessment (section 17)", "Repeated shouting; two infants."),
            (second, "Early help", "Family asked for parenting help."),
        ):
            page.get_by_label(outcome, exact=True).check()
            page.locator("#id_rationale").fill(rationale)
            page.locator(SUBMIT).click()
            if page is first:
                first.wait_for_url(lambda address: "/decision/" not in address)
        expect(second.locator(".govuk-error-summary")).to_contain_text("This referral has already been decided.")
        expect(second.locator("#saved-now")).to_contain_text("Repeated shouting; two infants.")
        expect(second.locator("#id_rationale")).to_have_value("Family asked for parenting help.")
        assert_accessible(second, "the decision page refused after a colleague decided")
        assert Decision.objects.get(referral=made).rationale == "Repeated shouting; two infants."
    finally:
        first.context.close()
        second.context.close()
