"""The two daily tasks in a real browser, by keyboard alone, counting the user's actions (SPEC 7.4; issue 10):
a MASH manager from the triage queue to a recorded decision, and a practitioner from a child's page to a saved
record of the child's voice, each in at most 8 actions.

An action is a key press that submits a form or follows a link. Typing, Tab, the arrow keys and Space on a
radio neither submit nor navigate, so they are not counted; every counted press is checked against the pages
the browser actually asked for (its document requests), so an action cannot hide."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Request, expect

from cases.models import ChildVoice
from referrals.models import Decision, Referral
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, sign_in
from tests.matrix.referral_pages_triage import child, referral

pytestmark = [pytest.mark.e2e]

MOST_ACTIONS = 8
# Far more Tabs than any page here has controls before the one wanted: a page that hides it fails, not hangs.
MOST_TABS = 150


class KeyboardTask:
    """A task done with the keyboard alone, counting the presses that submit or navigate."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.name = name
        self.actions = 0
        self.documents: list[str] = []
        page.on("request", self._seen)

    def _seen(self, request: Request) -> None:
        # A page the browser asks for of itself, following the redirect after a form is sent, is no action.
        if request.resource_type == "document" and request.redirected_from is None:
            self.documents.append(f"{request.method} {request.url}")

    def tab_to(self, selector: str) -> None:
        """Press Tab until the element matching ``selector`` has focus; fail after MOST_TABS presses."""
        for _ in range(MOST_TABS):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{self.name}: {MOST_TABS} presses of Tab never reached {selector}")

    def act(self, selector: str, what: str) -> None:
        """Tab to a link or button and press Enter on it: one action, the page it leads to checked by axe-core."""
        self.tab_to(selector)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.actions += 1
        self.page.wait_for_load_state()
        assert_accessible(self.page, what)

    def done(self) -> int:
        """The actions counted, printed, checked against the documents requested and against the most allowed."""
        print(f"{self.name}: {self.actions} actions ({', '.join(self.documents)})")  # noqa: T201
        assert self.actions == len(self.documents), (self.actions, self.documents)
        assert self.actions <= MOST_ACTIONS, f"{self.name} took {self.actions} actions"
        return self.actions


@pytest.fixture
def start(e2e_server, page: Page) -> Iterator[tuple[Page, str]]:
    """Signed in (not part of the task) and on the starting page, from which only the keyboard is used."""
    yield page, e2e_server.url


def test_from_the_queue_to_a_recorded_decision(start, world: World):
    page, base = start
    isla = child(world, "Isla", "Immediate", 1)
    waiting = referral(world, [isla], hours_ago=1, urgency=Referral.Urgency.IMMEDIATE,
                       concerns="Baby Isla has a bruise on her face; mother's partner was drunk last night.")
    referral(world, [child(world, "Olly", "Other", 9)], hours_ago=3)
    sign_in(page, base, "mm")  # with the code from the authenticator app
    page.goto(f"{base}/referrals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
    assert_accessible(page, "the triage queue")

    task = KeyboardTask(page, "Queue to decision")
    task.act(f"#queue-referral-{waiting.pk}", "the referral")
    expect(page.get_by_role("heading", level=1)).to_have_text("Isla Immediate")
    task.act("a[href$='/decision/']", "the decision form")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the decision")
    # A group of radios: Tab reaches the first, Space chooses it, the arrow keys move the choice (none counted).
    task.tab_to("#id_outcome")
    page.keyboard.press("Space")
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Strategy discussion (section 47)")).to_be_checked()
    task.tab_to("#id_rationale")
    page.keyboard.type("A bruise on a non-mobile baby's face; the police know the household.")
    task.act("#main-content form button[type='submit']", "the referral with its decision")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Decision recorded: Strategy discussion (section 47).")
    decision = Decision.objects.get(referral=waiting)
    assert decision.decided_by == world.mm and decision.outcome == Decision.Outcome.STRATEGY_DISCUSSION
    assert task.done() == 3


def test_from_the_child_s_page_to_a_saved_voice_record(start, world: World):
    page, base = start
    leo = child(world, "Leo", "Ashdown", 8)
    sign_in(page, base, "sw")
    page.goto(f"{base}/people/{leo.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Leo Ashdown")
    assert_accessible(page, "Leo's page")

    task = KeyboardTask(page, "Child's page to voice record")
    task.act(f"a[href$='/voice/new/?child={leo.pk}']", "the voice form")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the child's voice")
    # How Leo was heard: the first method (a conversation), chosen with Space.
    task.tab_to("#id_method")
    page.keyboard.press("Space")
    # The date and time are today's, already filled in. Seen alone: yes; no interpreter.
    task.tab_to("#id_seen_alone")
    page.keyboard.press("Space")
    task.tab_to("#id_interpreter_used")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_interpreter_used-2")).to_be_checked()
    task.tab_to("#id_childs_words")
    page.keyboard.type("\"I don't like it when Dad shouts. I hide under my bed with my rabbit.\"")
    task.tab_to("#id_observations")
    page.keyboard.type("Leo was quiet at first, then drew his bedroom with a big door shut.")
    task.act("#main-content form[data-app-draft] > button[type='submit']", "the saved voice record")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Leo Ashdown's voice is recorded.")
    voice = ChildVoice.objects.get(child=leo)
    assert voice.created_by == world.sw and "hide under my bed" in voice.childs_words
    assert voice.seen_alone is True and voice.interpreter_used is False
    assert task.done() == 2
