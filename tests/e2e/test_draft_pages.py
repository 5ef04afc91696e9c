"""Nothing typed is lost, in a real browser (SPEC 7.4): a half-typed voice record is kept as a draft while the
worker types; the GOV.UK time-out warning comes before the session ends and can keep it going by keyboard; when
it ends anyway, signing in again returns to the form with every word."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from agencies import drafts
from agencies.models import Draft
from cases.models import ChildVoice
from tests.cases.lived import lived_family
from tests.e2e.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD
from tests.matrix.referral_pages_triage import child, referral

pytestmark = [pytest.mark.e2e]

WORDS = "Mummy shouts at night. I hide under the duvet with Rabbit and sing so I can't hear."
OBSERVED = "She held the toy rabbit throughout and looked at the door whenever it opened"


@pytest.fixture
def short_sessions(settings):
    """Sessions that end after 12 idle seconds, warned of 8 seconds before: the same code as 30 and 2 minutes."""
    settings.SESSION_IDLE_SECONDS = 12
    settings.SESSION_WARNING_SECONDS = 8


def open_voice_form(page: Page, base_url: str, child_id: int) -> None:
    page.goto(f"{base_url}/voice/new/?child={child_id}")
    expect(page.get_by_role("heading", name="Record the child's voice")).to_be_visible()


def test_half_a_voice_record_survives_the_session_ending(e2e_server, page, world, short_sessions):
    family = lived_family(world)
    base = e2e_server.url
    sign_in(page, base, world.hv.username)
    open_voice_form(page, base, family.eldest.pk)

    page.get_by_label("The child's own words").press_sequentially(WORDS, delay=5)
    page.get_by_label("What the child's behaviour and presentation showed").press_sequentially(OBSERVED, delay=5)
    expect(page.locator("[data-app-draft-status]")).to_contain_text("Draft saved at")

    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_visible(timeout=12_000)
    expect(warning).to_contain_text("we will sign you out in")
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page, "the time-out warning")

    # Nobody answers: the session ends and the page goes to sign-in, saying why.
    page.wait_for_url(f"{base}/sign-in/**", timeout=15_000)
    expect(page.get_by_text("You were signed out because you had not used the service for a while.")).to_be_visible()
    page.get_by_label("Username").fill(world.hv.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{base}/voice/new/?child={family.eldest.pk}")
    expect(page.get_by_role("region", name="Your draft")).to_be_visible()
    expect(page.get_by_label("The child's own words")).to_have_value(WORDS)
    expect(page.get_by_label("What the child's behaviour and presentation showed")).to_have_value(OBSERVED)
    assert_accessible(page, "the voice form with its draft back")

    page.get_by_role("group", name="How did you hear from the child?").get_by_label(
        "Direct conversation").check()
    page.get_by_role("group", name="Did you see the child on their own?").get_by_label("Yes").check()
    page.get_by_role("group", name="Was an interpreter used?").get_by_label("No").check()
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_text("voice is recorded")).to_be_visible()
    voice = ChildVoice.objects.get()
    assert voice.childs_words == WORDS and voice.observations == OBSERVED
    assert not Draft.objects.exists()


def test_stay_signed_in_by_keyboard_keeps_the_session(e2e_server, page, world, short_sessions):
    family = lived_family(world)
    base = e2e_server.url
    sign_in(page, base, world.hv.username)
    open_voice_form(page, base, family.eldest.pk)
    field = page.get_by_label("Your analysis")
    field.focus()

    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_visible(timeout=12_000)
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()
    expect(field).to_be_focused()  # back where the worker was

    # Past when the session would have ended: still signed in, and warned again later rather than signed out.
    page.wait_for_timeout(6_000)
    assert "/sign-in/" not in page.url
    expect(warning).to_be_visible(timeout=12_000)
    page.keyboard.press("Escape")  # Escape keeps the session too, as the pattern says
    expect(warning).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", name="Record the child's voice")).to_be_visible()


def test_a_draft_given_back_is_accessible_on_the_referral_and_decision_forms(e2e_server, page, world):
    """The banner and the form filled from a draft, on the two front-door forms, pass axe-core; discarding the
    decision's draft by keyboard empties the form."""
    waiting = referral(world, [child(world, "Dara", "Draft", 7)])
    rationale = "Dara disclosed being hit with a belt; police attended; threshold met."
    Draft.objects.create(author=world.mm, key=drafts.key("decision", waiting.pk), partnership=world.north,
                         url=f"/referrals/{waiting.pk}/decision/",
                         data={"outcome": ["strategy_discussion"], "rationale": [rationale]})
    Draft.objects.create(author=world.mm, key=drafts.key("referral"), partnership=world.north, url="/referrals/new/",
                         data={"concerns": ["Neighbour heard screaming from the flat."], "urgency": ["urgent"]})
    base = e2e_server.url
    sign_in(page, base, world.mm.username)

    # Home lists both, each linking back to its form.
    listed = page.get_by_role("region", name="Unfinished drafts")
    expect(listed.get_by_role("link", name=f"The decision on referral {waiting.pk}")).to_be_visible()
    assert_accessible(page, "home with unfinished drafts")
    listed.get_by_role("link", name="A referral not yet sent").click()
    page.wait_for_url(f"{base}/referrals/new/")
    expect(page.get_by_role("region", name="Your draft")).to_be_visible()
    expect(page.locator("textarea[name=concerns]")).to_have_value("Neighbour heard screaming from the flat.")
    assert_accessible(page, "the referral form with its draft back")

    page.goto(f"{base}/referrals/{waiting.pk}/decision/")
    expect(page.get_by_role("region", name="Your draft")).to_be_visible()
    expect(page.locator("textarea[name=rationale]")).to_have_value(rationale)
    assert_accessible(page, "the decision form with its draft back")
    page.get_by_role("button", name="Discard the draft and start again").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("region", name="Your draft")).to_have_count(0)
    expect(page.locator("textarea[name=rationale]")).to_have_value("")
    assert not Draft.objects.filter(key=drafts.key("decision", waiting.pk)).exists()
