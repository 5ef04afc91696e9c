"""The audit round pages (SPEC 3.5, 8): drawing a round, the round with its sample, the audit tool (each
agency's review, the moderation, actions into the improvement plan), closing, and the report naming no child."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from agencies.models import User
from audits.models import AuditAnswer, AuditCase, AuditReview, AuditRound, ImprovementAction
from audits.services_rounds import audit_case_moderate, audit_review_submit, audit_round_close
from tests.audits.test_rounds_helpers import (
    SEED,
    cases_to_sample,
    every_answer,
    improvement_theme,
    review_post,
    round_drawn,
    sampled,
    second_auditor,
)


def date_parts(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


# -- Drawing a round --------------------------------------------------------------------------------------------

def test_the_senior_manager_draws_a_round_from_the_page(world, client_for):
    cases_to_sample(world, 12)
    page = client_for(world.sm)
    form = page.get("/audit-rounds/new/")
    assert form.status_code == 200
    # Only the partnership's auditors are offered.
    assert f'name="auditors" type="checkbox" value="{world.au.pk}"' in form.content.decode()
    assert f'name="auditors" type="checkbox" value="{world.sw.pk}"' not in form.content.decode()
    body = {"theme": "Domestic abuse", "sample_size": "10", "seed": str(SEED), "auditors": [str(world.au.pk)],
            **date_parts("closes_on", timezone.localdate() + timedelta(weeks=4))}
    response = page.post("/audit-rounds/new/", body)
    audit_round = AuditRound.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/audit-rounds/{audit_round.pk}/"
    assert audit_round.seed == SEED and audit_round.cases.count() == 10
    assert list(audit_round.auditors.all()) == [world.au]
    again = round_drawn(world, 10, seed=SEED)
    assert [ac.case_id for ac in sampled(again)] == [ac.case_id for ac in sampled(audit_round)]


def test_the_page_says_when_fewer_cases_were_eligible_than_asked(world, client_for):
    cases_to_sample(world, 3)
    page = client_for(world.sm)
    response = page.post("/audit-rounds/new/", {"theme": "Neglect", "sample_size": "10", "auditors": [world.au.pk],
                                                **date_parts("closes_on", timezone.localdate() + timedelta(days=30))},
                         follow=True)
    text = response.content.decode()
    assert "Only 3 cases had activity in the last 12 months, so all of them were drawn instead of 10." in text
    assert "3 cases drawn of 10 asked for" in text


def test_the_create_form_refuses_bad_input_field_by_field(world, client_for):
    cases_to_sample(world, 3)
    response = client_for(world.sm).post("/audit-rounds/new/", {"theme": "", "sample_size": "0",
                                                                "auditors": [str(world.sw.pk)]})
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert 'href="#id_theme"' in text and 'href="#id_sample_size"' in text and 'href="#id_auditors"' in text
    assert "The sample must be between 1 and 100 cases." in text
    assert not AuditRound.objects.exists()


# -- The round page ------------------------------------------------------------------------------------------

def test_the_round_page_shows_the_sample_with_names_for_those_entitled(world, client_for):
    cases_to_sample(world, 12)
    audit_round = round_drawn(world, 5)
    first = sampled(audit_round)[0]
    for code in ("SM", "AD", "AU"):
        text = client_for(world.persona(code)).get(f"/audit-rounds/{audit_round.pk}/").content.decode()
        assert first.case.child.full_name in text, code
        assert str(SEED) in text and "5 cases drawn of 5 asked for" in text
    assert client_for(world.sw).get(f"/audit-rounds/{audit_round.pk}/").status_code == 403
    assert client_for(world.out).get(f"/audit-rounds/{audit_round.pk}/").status_code == 404


def test_an_auditor_lists_only_their_own_rounds(world, client_for):
    cases_to_sample(world, 5)
    round_drawn(world, 2, theme="Neglect")
    theirs = round_drawn(world, 2, theme="Exploitation", auditors=(second_auditor(world),))
    text = client_for(world.au).get("/audit-rounds/").content.decode()
    assert "Neglect" in text and "Exploitation" not in text
    assert client_for(world.au).get(f"/audit-rounds/{theirs.pk}/").status_code == 403
    sm_text = client_for(world.sm).get("/audit-rounds/").content.decode()
    assert "Neglect" in sm_text and "Exploitation" in sm_text


# -- The audit tool ------------------------------------------------------------------------------------------

@pytest.fixture
def one_case(world):
    cases_to_sample(world, 3)
    audit_round = round_drawn(world, 3)
    return audit_round, sampled(audit_round)[0]


def tool_url(audit_case: AuditCase, tail: str = "") -> str:
    return f"/audit-rounds/{audit_case.round_id}/cases/{audit_case.pk}/{tail}"


def test_the_auditor_submits_their_agencys_review_and_submitting_again_updates_it(world, client_for, one_case):
    _, audit_case = one_case
    auditor = client_for(world.au)
    assert auditor.get(tool_url(audit_case)).status_code == 200
    response = auditor.post(tool_url(audit_case), review_post("yes", "good"))
    assert response.status_code == 302
    review = AuditReview.objects.get(audit_case=audit_case)
    assert review.agency == world.csc and review.grade == "good" and review.reviewer == world.au
    assert AuditAnswer.objects.filter(review=review, answer="yes").count() == 9
    again = auditor.post(tool_url(audit_case), review_post("partly", "requires_improvement", version=review.version))
    assert again.status_code == 302
    review.refresh_from_db()
    assert review.grade == "requires_improvement" and review.version == 2
    assert AuditAnswer.objects.filter(review=review, answer="partly").count() == 9
    assert AuditReview.objects.filter(audit_case=audit_case).count() == 1


def test_a_missing_grade_and_answer_are_refused_and_nothing_is_saved(world, client_for, one_case):
    _, audit_case = one_case
    body = review_post()
    del body["grade"]
    del body["answer_voice"]
    response = client_for(world.au).post(tool_url(audit_case), body)
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert 'href="#id_grade"' in text and "Choose the grade for your agency" in text
    assert 'href="#id_answer_voice"' in text
    assert not AuditReview.objects.exists() and not AuditAnswer.objects.exists()


def test_a_stale_review_does_not_silently_overwrite_another_reviewers(world, client_for, one_case):
    _, audit_case = one_case
    colleague = second_auditor(world, agency=world.csc)
    audit_case.round.auditors.add(colleague)
    # Both open the empty form (version 0); the colleague submits first.
    client_for(colleague).post(tool_url(audit_case), review_post("no", "inadequate", version=0))
    response = client_for(world.au).post(tool_url(audit_case), review_post("yes", "outstanding", version=0))
    text = response.content.decode()
    assert response.status_code == 200
    assert "submitted North Children&#x27;s Services&#x27;s review since you opened this page" in text
    review = AuditReview.objects.get(audit_case=audit_case)
    assert review.grade == "inadequate" and review.reviewer == colleague
    # The form now carries the saved version: submitting again knowingly replaces it.
    assert f'name="version" value="{review.version}"' in text
    client_for(world.au).post(tool_url(audit_case), review_post("yes", "outstanding", version=review.version))
    review.refresh_from_db()
    assert review.grade == "outstanding"


def test_only_the_rounds_auditors_review(world, client_for, one_case):
    _, audit_case = one_case
    for code in ("SM", "AD"):
        assert client_for(world.persona(code)).post(tool_url(audit_case), review_post()).status_code == 403
    assert client_for(world.sw).post(tool_url(audit_case), review_post()).status_code == 403
    assert client_for(world.out).post(tool_url(audit_case), review_post()).status_code == 404
    assert not AuditReview.objects.exists()


def moderation(grade="good", findings="Checks timely; the plan vague.", learning="Name owners in plans.",
               version=1):
    return {"moderation-moderated_grade": grade, "moderation-findings": findings,
            "moderation-learning_points": learning, "moderation-version": str(version)}


def test_moderation_is_saved_with_its_findings(world, client_for, one_case):
    _, audit_case = one_case
    response = client_for(world.sm).post(tool_url(audit_case, "moderate/"), moderation())
    assert response.status_code == 302
    audit_case.refresh_from_db()
    assert audit_case.moderated_grade == "good" and audit_case.moderated_by == world.sm
    assert audit_case.findings == "Checks timely; the plan vague."


def test_moderation_refuses_missing_fields_and_saves_nothing(world, client_for, one_case):
    _, audit_case = one_case
    response = client_for(world.au).post(tool_url(audit_case, "moderate/"), moderation(grade="", findings=" "))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_moderation-moderated_grade"' in text and 'href="#id_moderation-findings"' in text
    audit_case.refresh_from_db()
    assert audit_case.moderated_grade == "" and audit_case.findings == ""


def test_a_stale_moderation_is_refused(world, client_for, one_case):
    _, audit_case = one_case
    client_for(world.sm).post(tool_url(audit_case, "moderate/"), moderation("inadequate", version=1))
    response = client_for(world.au).post(tool_url(audit_case, "moderate/"), moderation("outstanding", version=1))
    assert response.status_code == 200
    assert "moderated this case since you opened this page" in response.content.decode()
    audit_case.refresh_from_db()
    assert audit_case.moderated_grade == "inadequate"


def test_an_action_from_the_audit_flows_into_the_improvement_plan(world, client_for, one_case):
    audit_round, audit_case = one_case
    theme = improvement_theme(world)
    page = client_for(world.au)
    assert page.get(tool_url(audit_case, "actions/new/")).status_code == 200
    refused = page.post(tool_url(audit_case, "actions/new/"), {"theme": theme.pk, "description": ""})
    assert refused.status_code == 200 and not ImprovementAction.objects.exists()
    assert 'href="#id_description"' in refused.content.decode()
    response = page.post(tool_url(audit_case, "actions/new/"), {
        "theme": theme.pk, "description": "Audit the child's voice in every plan review.",
        "owner_agency": world.csc.pk, "timescale_months": "6",
        "expected_impact": "Plans say what children told us.",
    })
    assert response.status_code == 302
    action = ImprovementAction.objects.get()
    assert action.theme == theme and action.audit_round == audit_round and action.audit_case == audit_case
    assert action.timescale_months == 6 and action.owner_agency == world.csc
    assert "Audit the child&#x27;s voice in every plan review." in page.get(tool_url(audit_case)).content.decode()


def test_closing_the_round_ends_the_auditors_access_at_once(world, client_for, one_case):
    audit_round, audit_case = one_case
    auditor = client_for(world.au)
    assert auditor.get(f"/cases/{audit_case.case_id}/").status_code == 200
    assert client_for(world.sw).post(f"/audit-rounds/{audit_round.pk}/close/", {}).status_code == 403
    assert auditor.post(f"/audit-rounds/{audit_round.pk}/close/", {}).status_code == 403
    response = client_for(world.sm).post(f"/audit-rounds/{audit_round.pk}/close/", {"summary": "Plans vague."})
    assert response.status_code == 302
    audit_round.refresh_from_db()
    assert audit_round.status == "closed" and audit_round.closed_at is not None
    assert auditor.get(f"/cases/{audit_case.case_id}/").status_code == 404
    # Closed: no more reviews.
    assert auditor.post(tool_url(audit_case), review_post()).status_code == 403
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("closed" in m for m in messages)


# -- The report -----------------------------------------------------------------------------------------------

def _reviewed_and_moderated(world, audit_round):
    for n, audit_case in enumerate(sampled(audit_round)):
        audit_review_submit(audit_case=audit_case, by=world.au, agency=world.csc,
                            grade=["good", "requires_improvement"][n % 2], answers=every_answer(["yes", "no"][n % 2]))
        audit_case.refresh_from_db()
        audit_case_moderate(audit_case=audit_case, by=world.sm, grade="good",
                            findings=f"Finding {n + 1}.", learning_points=f"Learning {n + 1}.",
                            version=audit_case.version)


def test_the_report_names_no_child_and_practitioners_read_it_once_closed(world, client_for):
    # The staff's names are made up at random and could share a sampled child's given name ("Signed in as
    # Dylan …"): fixed here, so a child's name on the page can only be the report's.
    User.objects.update(first_name="Staff", last_name="Member")
    cases_to_sample(world, 6)
    audit_round = round_drawn(world, 4)
    _reviewed_and_moderated(world, audit_round)
    names = [ac.case.child.full_name for ac in sampled(audit_round)]
    families = {ac.case.child.given_name for ac in sampled(audit_round)}
    url = f"/audit-rounds/{audit_round.pk}/report/"
    assert client_for(world.sw).get(url).status_code == 403
    assert client_for(world.sm).get(url).status_code == 200
    audit_round_close(audit_round=audit_round, by=world.sm)
    for code in ("MW", "SW", "PO", "HV", "TE", "AU", "AD"):
        response = client_for(world.persona(code)).get(url)
        assert response.status_code == 200, code
        text = response.content.decode()
        assert not any(name in text for name in names) and not any(given in text for given in families)
    text = client_for(world.sw).get(url).content.decode()
    assert "Case 1" in text and "Case 4" in text and "Finding 3." in text
    pdf = client_for(world.sw).get(f"/audit-rounds/{audit_round.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"Case 1" in pdf.content and b"Finding 2." in pdf.content
    assert not any(given.encode() in pdf.content for given in families)
    assert client_for(world.out).get(url).status_code == 404


def test_the_report_counts_grades_and_answers(world, client_for):
    cases_to_sample(world, 4)
    audit_round = round_drawn(world, 4)
    _reviewed_and_moderated(world, audit_round)
    from audits.selectors_rounds import round_report

    report = round_report(audit_round=audit_round)
    assert {t.value: t.count for t in report.moderated} == {"outstanding": 0, "good": 4, "requires_improvement": 0,
                                                            "inadequate": 0}
    (csc,) = report.by_agency
    assert {t.value: t.count for t in csc.tallies}["requires_improvement"] == 2
    voice = next(q for q in report.questions if q.question == "voice")
    assert {t.value: t.count for t in voice.tallies} == {"yes": 2, "partly": 0, "no": 2, "not_applicable": 0}


# -- Query counts --------------------------------------------------------------------------------------------

def _count_queries(django_assert_num_queries, client, url, expected):
    client.get(url)  # the session's first request of the test refreshes it; count a settled one
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [2, 8])
def test_query_counts_stay_fixed_as_the_sample_grows(world, client_for, django_assert_num_queries, size):
    cases_to_sample(world, size)
    audit_round = round_drawn(world, size)
    _reviewed_and_moderated(world, audit_round)
    theme = improvement_theme(world)
    from audits.services_rounds import audit_action_raise

    for audit_case in sampled(audit_round):
        audit_action_raise(audit_case=audit_case, by=world.sm, theme_id=theme.pk, description="Do it.",
                           owner_agency=world.csc, timescale_months=3, expected_impact="Safer children.")
    page = client_for(world.sm)
    # Every page: the session, the user, the access log's session settings, the request's savepoint and its
    # release, the navigation's unread count (6). Then:
    # the list: the paginator's count and the rounds with their counts (2);
    _count_queries(django_assert_num_queries, page, "/audit-rounds/", 6 + 2)
    # the round: the round, may the user open it, its cases with their children, their reviews, its auditors (5);
    _count_queries(django_assert_num_queries, page, f"/audit-rounds/{audit_round.pk}/", 6 + 5)
    # the report: the round, may the user read it, the cases' moderation, the agencies' grades, the answers per
    # question, the actions raised (6);
    _count_queries(django_assert_num_queries, page, f"/audit-rounds/{audit_round.pk}/report/", 6 + 6)
    # the audit tool: the round, may the user open it, the case, the access-log row, the reviews, their answers,
    # the actions, whether the case opens (8); for an auditor, whether they are the round's auditor (1).
    audit_case = sampled(audit_round)[-1]
    _count_queries(django_assert_num_queries, page, tool_url(audit_case), 6 + 8)
    # An auditor's page also asks for their draft of the review (none here).
    _count_queries(django_assert_num_queries, client_for(world.au), tool_url(audit_case), 6 + 10)


def test_past_its_closing_date_the_auditor_no_longer_reviews_but_the_senior_manager_closes_it(world, client_for,
                                                                                              one_case):
    audit_round, audit_case = one_case
    AuditRound.objects.filter(pk=audit_round.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    assert client_for(world.au).post(tool_url(audit_case), review_post()).status_code == 403
    assert client_for(world.au).post(tool_url(audit_case, "moderate/"), moderation()).status_code == 403
    assert "Past its closing date" in client_for(world.sm).get("/audit-rounds/").content.decode()
    assert client_for(world.sm).post(tool_url(audit_case, "moderate/"), moderation()).status_code == 302
    assert client_for(world.sm).post(f"/audit-rounds/{audit_round.pk}/close/", {}).status_code == 302
    assert not AuditReview.objects.exists()
