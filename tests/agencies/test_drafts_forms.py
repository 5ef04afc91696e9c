"""Drafts (SPEC 7.4) on the plan, contribution and audit-review forms: what was typed comes back, rows and all,
to its author alone, under each page's own access rules; saving the record removes it, a refused save keeps it,
and a draft of a plan never silently overwrites a newer version."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Draft, User
from audits.models import AccessLogEntry, AuditReview
from cases.models import Plan, PlanAction
from cases.services import plans as plan_services
from strategy_meetings.models import Contribution
from tests.agencies.test_drafts import DRAFT, checked, text
from tests.audits.test_rounds_helpers import cases_to_sample, review_post, round_drawn, sampled, second_auditor
from tests.audits.test_rounds_pages import tool_url
from tests.cases.test_plans_helpers import for_agency, in_days, make_plan, plan_family
from tests.cases.test_plans_pages import create_body, edit_body
from tests.conftest import World
from tests.matrix.strategy_meetings_api import convened

pytestmark = pytest.mark.django_db

WHAT_MUST_CHANGE = "Tobi must sleep in a home where nobody shouts at night."
CHANGE_NOTE = "Dean has moved out; the nursery place starts in May."
EXTRA_ROW = "Dean will attend the perpetrator programme at the Beacon Centre weekly."
CONTRIBUTION = "Three call-outs since January; the last, a neighbour heard a child crying at 2am."
STRENGTHS = "The social worker saw Tobi alone on every visit."


def selected(html: str, name: str) -> list[str]:
    """The values of the options chosen in the select called ``name``."""
    found = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert found is not None, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"[^>]* selected', found.group(1))


def shows_date(html: str, prefix: str, day: Any) -> bool:
    return all(re.search(rf'name="{prefix}_{part}"[^>]*value="{value}"', html)
               for part, value in (("day", day.day), ("month", day.month), ("year", day.year)))


def row_count(html: str) -> int:
    return len(re.findall(r'<h3 class="govuk-heading-m" id="action-\d+-heading">', html))


def offered(response: Any) -> bool:
    return "Your draft" in text(response) and "is filled in below" in text(response)


# -- The four forms, each described the same way -------------------------------------------------------------


@dataclass
class DraftForm:
    url: str
    author: User
    colleague: User  # another user who may use the same form
    refused: list[tuple[User, int]]  # users who may not, with the page's own refusal
    typed: dict[str, Any]  # what the author types (the draft)
    words: str  # a phrase of it that shows on the page
    valid: dict[str, Any]  # a save that succeeds
    invalid: dict[str, Any]  # a save that the page refuses
    saved: Callable[[], bool]  # whether the record was saved


def _plan_create(world: World) -> DraftForm:
    family = plan_family(world)
    body = create_body(
        action_0={"description": "Ngozi will not let Dean into the house.", "party": "parent_or_carer",
                  "family_member": family.mother.pk, "due_by": in_days(7)},
        action_3={"description": EXTRA_ROW, "party": "person_posing_risk", "family_member": family.partner.pk,
                  "due_by": in_days(21)},
    ) | {"what_must_change": WHAT_MUST_CHANGE, "rows": 4}
    return DraftForm(
        url=f"/cases/{family.case.pk}/plans/new/", author=world.sw, colleague=world.tm,
        # Health visiting works with the baby and reads the case; an auditor outside a round knows of no case.
        refused=[(world.hv, 403), (world.au, 404), (world.out, 404)], typed=body, words=WHAT_MUST_CHANGE,
        valid=body,
        # A written agreement that asks only the victim to act is refused.
        invalid=create_body(action_0={"description": "Ngozi will not let Dean into the house.",
                                      "party": "parent_or_carer", "family_member": family.mother.pk,
                                      "due_by": in_days(7)}) | {"what_must_change": WHAT_MUST_CHANGE},
        saved=lambda: Plan.objects.exists(),
    )


def _plan_edit(world: World) -> DraftForm:
    plan = make_plan(world)
    body = edit_body(plan, what_must_change=WHAT_MUST_CHANGE, change_note=CHANGE_NOTE)
    return DraftForm(
        url=f"/plans/{plan.pk}/edit/", author=world.sw, colleague=world.tm,
        # The police own an action, so they see the plan, but only children's social care changes it.
        refused=[(world.po, 403), (world.au, 404), (world.out, 404)], typed=body, words=WHAT_MUST_CHANGE,
        valid=body, invalid=body | {"change_note": ""},
        saved=lambda: Plan.objects.get(pk=plan.pk).what_must_change == WHAT_MUST_CHANGE,
    )


def _contribution(world: World) -> DraftForm:
    meeting = convened(world)
    body = {"information": CONTRIBUTION}
    return DraftForm(
        url=f"/strategy-meetings/{meeting.pk}/contribute/", author=world.po, colleague=world.hv,
        # The school was not invited; an administrator contributes to no meeting.
        refused=[(world.te, 404), (world.ad, 403), (world.out, 404)], typed=body, words=CONTRIBUTION,
        valid=body, invalid={"information": "  "},
        saved=lambda: Contribution.objects.filter(meeting=meeting).exists(),
    )


def _audit_review(world: World) -> DraftForm:
    cases_to_sample(world, 3)
    audit_round = round_drawn(world, 3)
    audit_case = sampled(audit_round)[0]
    colleague = second_auditor(world, agency=world.police)
    audit_round.auditors.add(colleague)
    body = review_post("partly", "requires_improvement") | {"answer_voice": "no", "strengths": STRENGTHS}
    return DraftForm(
        url=tool_url(audit_case), author=world.au, colleague=colleague,
        # The senior manager moderates but does not review; a social worker is no auditor of the round.
        refused=[(world.sm, 403), (world.sw, 403), (world.out, 404)], typed=body, words=STRENGTHS,
        valid=body, invalid={key: value for key, value in body.items() if key != "grade"},
        saved=lambda: AuditReview.objects.filter(audit_case=audit_case).exists(),
    )


FORMS = pytest.mark.parametrize("make", [_plan_create, _plan_edit, _contribution, _audit_review],
                                ids=["plan-create", "plan-edit", "contribution", "audit-review"])


# -- Each form offers back every value typed -------------------------------------------------------------------


def test_a_new_plan_comes_back_with_every_value_and_the_extra_row(world, client_for):
    family = plan_family(world)
    form = _plan_create(world)
    client = client_for(form.author)
    answer = client.post(form.url, form.typed, **DRAFT)
    assert answer.status_code == 200 and re.fullmatch(r"\d\d:\d\d", answer.json()["saved_at_text"])
    assert not Plan.objects.exists()

    page = client.get(form.url)
    html = unescape(page.content.decode())
    assert page.status_code == 200 and offered(page)
    assert "There is a problem" not in text(page)
    assert checked(html, "kind") == ["written_agreement"]
    assert WHAT_MUST_CHANGE in html
    assert shows_date(html, "starts_on", timezone.localdate())
    assert row_count(html) == 4 and 'name="rows" value="4"' in html
    assert "Ngozi will not let Dean into the house." in html
    assert checked(html, "action_0_party") == ["parent_or_carer"]
    assert selected(html, "action_0_family_member") == [str(family.mother.pk)]
    assert shows_date(html, "action_0_due_by", in_days(7))
    assert EXTRA_ROW in html
    assert checked(html, "action_3_party") == ["person_posing_risk"]
    assert selected(html, "action_3_family_member") == [str(family.partner.pk)]
    assert shows_date(html, "action_3_due_by", in_days(21))


def test_a_changed_plan_comes_back_with_every_value_and_the_new_row(world, client_for):
    form = _plan_edit(world)
    client = client_for(form.author)
    typed = form.typed | {
        **{f"review_by_{part}": value for part, value in
           (("day", in_days(60).day), ("month", in_days(60).month), ("year", in_days(60).year))},
        "action_0_owner": world.po.pk,
        "rows": 3,
        "action_2_description": "The school nurse will see Tobi each term.", "action_2_party": "agency",
        "action_2_agency": world.school.pk,
        **{f"action_2_due_by_{part}": value for part, value in
           (("day", in_days(30).day), ("month", in_days(30).month), ("year", in_days(30).year))},
    }
    assert client.post(form.url, typed, **DRAFT).status_code == 200
    plan = Plan.objects.get()
    assert plan.what_must_change != WHAT_MUST_CHANGE and plan.current_version == 1

    page = client.get(form.url)
    html = unescape(page.content.decode())
    assert page.status_code == 200 and offered(page)
    assert WHAT_MUST_CHANGE in html and CHANGE_NOTE in html
    assert shows_date(html, "review_by", in_days(60))
    assert row_count(html) == 3
    assert "Check police records every month." in html
    assert selected(html, "action_0_agency") == [str(world.police.pk)]
    assert re.search(rf'<option value="{world.po.pk}" selected>', html)
    assert "The school nurse will see Tobi each term." in html
    assert checked(html, "action_2_party") == ["agency"]
    assert selected(html, "action_2_agency") == [str(world.school.pk)]
    assert shows_date(html, "action_2_due_by", in_days(30))


def test_a_contribution_comes_back_as_typed(world, client_for):
    form = _contribution(world)
    client = client_for(form.author)
    assert client.post(form.url, form.typed, **DRAFT).status_code == 200
    assert not Contribution.objects.exists()
    page = client.get(form.url)
    assert page.status_code == 200 and offered(page)
    assert CONTRIBUTION in unescape(page.content.decode())


def test_an_audit_review_comes_back_with_every_answer_comment_and_the_grade(world, client_for):
    form = _audit_review(world)
    client = client_for(form.author)
    assert client.post(form.url, form.typed, **DRAFT).status_code == 200
    assert not AuditReview.objects.exists()
    page = client.get(form.url)
    html = unescape(page.content.decode())
    assert page.status_code == 200 and offered(page)
    assert checked(html, "grade") == ["requires_improvement"]
    assert checked(html, "answer_voice") == ["no"]
    for name in (key for key in form.typed if key.startswith("answer_") and key != "answer_voice"):
        assert checked(html, name) == ["partly"], name
    for name, comment in ((key, value) for key, value in form.typed.items() if key.startswith("comment_")):
        assert comment in html, name
    assert STRENGTHS in html and "Voice thin." in html


# -- The same rules on every form ------------------------------------------------------------------------------


@FORMS
def test_who_may_not_use_the_form_gets_its_refusal_and_keeps_no_draft(world, client_for, make):
    form = make(world)
    for user, status in form.refused:
        assert client_for(user).post(form.url, form.typed, **DRAFT).status_code == status, user.username
    assert not Draft.objects.exists()
    assert not form.saved()


@FORMS
def test_saving_the_record_removes_the_draft_and_a_refused_save_keeps_it(world, client_for, make):
    form = make(world)
    client = client_for(form.author)
    client.post(form.url, form.typed, **DRAFT)

    refused = client.post(form.url, form.invalid)
    assert refused.status_code == 200 and "There is a problem" in text(refused)
    assert not form.saved()
    assert Draft.objects.filter(author=form.author).count() == 1

    saved = client.post(form.url, form.valid)
    assert saved.status_code == 302 and form.saved()
    assert not Draft.objects.exists()
    page = client.get(form.url)
    assert not offered(page)


@FORMS
def test_a_colleague_who_may_use_the_form_does_not_see_the_authors_draft(world, client_for, make):
    form = make(world)
    client_for(form.author).post(form.url, form.typed, **DRAFT)
    page = client_for(form.colleague).get(form.url)
    assert page.status_code == 200
    assert not offered(page)
    assert form.words not in unescape(page.content.decode())
    # The colleague's own draft is theirs alone too: each sees only what they typed.
    theirs = "What the colleague typed, not the author."
    client_for(form.colleague).post(form.url, form.typed | {_long_field(form): theirs}, **DRAFT)
    assert Draft.objects.count() == 2
    authors = unescape(client_for(form.author).get(form.url).content.decode())
    assert form.words in authors and theirs not in authors
    colleagues = unescape(client_for(form.colleague).get(form.url).content.decode())
    assert theirs in colleagues and form.words not in colleagues


@FORMS
def test_the_draft_is_in_the_access_log_without_what_was_typed(world, client_for, make):
    form = make(world)
    client = client_for(form.author)
    client.post(form.url, form.typed, **DRAFT)
    client.get(form.url)
    client.post(form.url, form.valid)
    rows = list(AccessLogEntry.objects.filter(record_type="draft").order_by("id"))
    assert [row.action for row in rows] == ["create", "view", "delete"]
    assert all(row.user_id == form.author.pk for row in rows)
    assert all(form.words not in str(row.fields) for row in rows)


@FORMS
def test_the_page_with_a_draft_asks_a_fixed_number_of_queries_whatever_its_size(world, client_for, make):
    form = make(world)
    client = client_for(form.author)
    client.get(form.url)
    with CaptureQueriesContext(connection) as without:
        client.get(form.url)
    client.post(form.url, form.typed, **DRAFT)
    client.get(form.url)
    with CaptureQueriesContext(connection) as small:
        client.get(form.url)
    long_words = "Seen again. " * 800
    client.post(form.url, form.typed | {_long_field(form): long_words}, **DRAFT)
    with CaptureQueriesContext(connection) as large:
        page = client.get(form.url)
    assert long_words.strip() in unescape(page.content.decode())
    # Offering the draft back adds only the access-log row of that view.
    assert len(small) == len(large) == len(without) + 1


def _long_field(form: DraftForm) -> str:
    return next(name for name in ("what_must_change", "information", "strengths") if name in form.typed)


# -- A draft of a plan never overwrites a newer version ---------------------------------------------------------


def test_a_draft_typed_against_an_older_version_is_offered_back_and_refused_as_stale_when_saved(world, client_for):
    form = _plan_edit(world)
    plan = Plan.objects.get()
    client = client_for(form.author)
    client.post(form.url, form.typed, **DRAFT)
    # A colleague saves the next version meanwhile.
    plan_services.plan_update(
        plan=plan, by=world.tm, version=plan.version, what_must_change="What the manager saved.", review_by=None,
        change_note="Manager's change.", actions=[for_agency(world.police, action_id=PlanAction.objects.get().pk)])
    plan.refresh_from_db()
    assert plan.current_version == 2

    page = client.get(form.url)
    html = page.content.decode()
    assert offered(page) and WHAT_MUST_CHANGE in unescape(html)
    typed_version = form.typed["version"]
    assert f'name="version" value="{typed_version}"' in html  # the draft keeps the version it was typed against

    # The form submits what it shows: the draft's fields, with its version.
    answer = client.post(form.url, form.typed)
    assert answer.status_code == 200
    page_text = text(answer)
    assert "Someone else changed this plan since you opened it" in page_text
    assert WHAT_MUST_CHANGE in page_text and CHANGE_NOTE in page_text
    assert "The plan as it is now (version 2)" in page_text and "What the manager saved." in page_text
    plan.refresh_from_db()
    assert (plan.what_must_change, plan.current_version) == ("What the manager saved.", 2)
    assert Draft.objects.filter(author=form.author).exists()  # still kept until a save succeeds
