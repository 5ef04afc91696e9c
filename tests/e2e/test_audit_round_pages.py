"""The audit tool in a real browser, by keyboard alone: the auditor finds their round from the navigation, opens a
sampled case, answers every question of the tool, is refused on the missing grade (the error summary, axe clean),
then chooses the grade and submits their agency's review."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from audits.models import AuditAnswer, AuditQuestion, AuditReview
from tests.audits.test_rounds_helpers import cases_to_sample, round_drawn, sampled
from tests.conftest import World
from tests.e2e.helpers import assert_accessible
from tests.e2e.test_triage_pages import sign_in_by_keyboard, tab_to

pytestmark = [pytest.mark.e2e]

SUBMIT = "#review ~ form button[type='submit']"


def answer_by_keyboard(page: Page, question: str, downs: int = 0, comment: str = "") -> None:
    """Tab to the question's first answer, choose it with Space, move down ``downs`` answers, type a comment."""
    tab_to(page, f"#id_answer_{question}")
    page.keyboard.press("Space")
    for _ in range(downs):
        page.keyboard.press("ArrowDown")
    if comment:
        tab_to(page, f"#id_comment_{question}")
        page.keyboard.type(comment)


def test_the_auditor_reviews_a_case_by_keyboard(e2e_server, page: Page, world: World):
    cases_to_sample(world, 3)
    audit_round = round_drawn(world, 3, theme="Domestic abuse")
    audit_case = sampled(audit_round)[0]
    child_name = audit_case.case.child.full_name

    sign_in_by_keyboard(page, e2e_server.url, "au")
    tab_to(page, "a[href='/audit-rounds/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit rounds")
    tab_to(page, f"a[href='/audit-rounds/{audit_round.pk}/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Domestic abuse")
    tab_to(page, f"a[href='/audit-rounds/{audit_round.pk}/cases/{audit_case.pk}/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(child_name)
    assert_accessible(page, "the audit tool")

    for question in AuditQuestion.values:
        # Voice answered "partly" (one down from "yes"), with a comment; the rest "yes".
        if question == "voice":
            answer_by_keyboard(page, question, downs=1, comment="The baby's routine is observed; no analysis.")
        else:
            answer_by_keyboard(page, question)
    tab_to(page, SUBMIT)
    page.keyboard.press("Enter")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose the grade for your agency's work on this case.")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page, "the audit tool with an error")
    assert not AuditReview.objects.exists()
    # What was typed is kept.
    expect(page.locator("#id_comment_voice")).to_have_value("The baby's routine is observed; no analysis.")

    # The error summary's link takes the keyboard to the grade.
    tab_to(page, ".govuk-error-summary a[href='#id_grade']")
    page.keyboard.press("Enter")
    tab_to(page, "#id_grade")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # Outstanding, then Good
    tab_to(page, SUBMIT)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner").first).to_contain_text("review of this case is submitted")
    review = AuditReview.objects.get(audit_case=audit_case)
    assert review.grade == "good" and review.agency == world.csc
    answers = dict(AuditAnswer.objects.filter(review=review).values_list("question", "answer"))
    assert answers["voice"] == "partly" and answers["threshold"] == "yes" and len(answers) == 9
    assert_accessible(page, "the audit tool after submitting")
