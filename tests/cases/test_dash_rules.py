"""SPEC 3.2 DASH and cumulative-risk rules: pure, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from cases.rules import dash as d
from cases.rules import risk
from tests.cases.test_incidents_helpers import answers, london


def test_the_checklist_has_27_questions_in_order_with_headings():
    assert [q.id for q in d.QUESTIONS] == [f"q{n}" for n in range(1, 28)]
    assert [q.number for q in d.QUESTIONS] == list(range(1, 28))
    assert all(q.text.endswith(("?", ".)", ")")) for q in d.QUESTIONS)
    groups = d.questions_grouped()
    assert [g for g, _ in groups] == list(d.GROUPS)
    assert sum(len(qs) for _, qs in groups) == 27
    assert "strangle" in d.QUESTIONS_BY_ID["q18"].text
    assert "kill" in d.QUESTIONS_BY_ID["q12"].text and "children" in d.QUESTIONS_BY_ID["q12"].text
    assert "police" in d.QUESTIONS_BY_ID["q27"].text


def test_the_partner_version_is_the_same_without_the_three_child_questions():
    assert d.CHILD_QUESTION_IDS == ("q10", "q11", "q12")
    assert len(d.PARTNER_QUESTIONS) == 24
    assert [q.id for q in d.PARTNER_QUESTIONS] == [q.id for q in d.QUESTIONS if q.id not in d.CHILD_QUESTION_IDS]
    assert d.CHILDREN not in [g for g, _ in d.questions_grouped(d.PARTNER_QUESTIONS)]
    partner = answers(24, questions=d.PARTNER_QUESTIONS)
    assert d.dash_answers_errors(partner, questions=d.PARTNER_QUESTIONS) == []
    assert d.dash_score(partner) == 24
    errors = d.dash_answers_errors({"q11": "yes"}, questions=d.PARTNER_QUESTIONS)
    assert errors and "partner-agency version" in errors[0]


def test_score_counts_yes_only():
    assert d.dash_score({}) == 0
    assert d.dash_score(answers(0)) == 0
    assert d.dash_score(answers(14)) == 14
    assert d.dash_score({"q1": "yes", "q2": "not_known", "q3": "no"}) == 1


def test_answers_are_validated():
    assert d.dash_answers_errors(answers(5)) == []
    assert d.dash_answers_errors({"q1": "yes"}) == []  # unanswered questions are allowed
    assert d.dash_answers_errors({"q28": "yes"}) == ["q28 is not a DASH question; the questions are q1 to q27."]
    assert d.dash_answers_errors({"Q1": "yes"})
    assert d.dash_answers_errors({"q1": "maybe"}) == ["q1: answer yes, no or not_known, not 'maybe'."]
    assert d.dash_answers_errors({"q1": True})
    assert d.dash_answers_errors(["q1"]) == ['Give the answers as {"q1": "yes", ...}.']
    with pytest.raises(ValidationError) as raised:
        d.dash_answers_validate({"q0": "yes"})
    assert "answers" in raised.value.message_dict


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, "standard"), (1, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high"), (27, "high")],
)
def test_default_bands(score, level):
    assert d.dash_level(score) == level


def test_partnership_bands():
    assert d.dash_level(8, medium_from=8, high_from=12) == "medium"
    assert d.dash_level(12, medium_from=8, high_from=12) == "high"
    assert d.dash_level(7, medium_from=8, high_from=12) == "standard"
    with pytest.raises(ValueError, match="bands must rise"):
        d.dash_level(3, medium_from=12, high_from=12)
    with pytest.raises(ValueError, match="negative"):
        d.dash_level(-1)


def test_judgement_raises_the_level_and_never_lowers_it():
    assert d.risk_level("standard") == "standard"
    assert d.risk_level("standard", "") == "standard"
    assert d.risk_level("standard", "high") == "high"
    assert d.risk_level("medium", "high") == "high"
    assert d.risk_level("medium", "medium") == "medium"
    with pytest.raises(ValidationError) as raised:
        d.risk_level("high", "standard")
    message = raised.value.message_dict["professional_judgement_level"][0]
    assert message.startswith("Professional judgement can raise the level but not lower it")
    assert "high risk" in message and "standard" in message
    with pytest.raises(ValidationError):
        d.risk_level("medium", "low")
    assert d.judgement_errors("high", " ") == ["Say why your professional judgement sets the level."]
    assert d.judgement_errors("", "") == []


def test_the_12_month_window_is_365_days_up_to_and_including_the_incident():
    at = london(2026, 3, 1, 12)
    assert risk.window_start(at) == at - timedelta(days=365)
    assert risk.in_window(at - timedelta(days=365), at)
    assert not risk.in_window(at - timedelta(days=365, seconds=1), at)
    assert risk.in_window(at, at)
    assert not risk.in_window(at + timedelta(seconds=1), at)
    assert risk.ESCALATING_FROM == 3
    assert not risk.is_escalating(2) and risk.is_escalating(3) and risk.is_escalating(6)


def test_repeat_marac_is_within_12_months_after_an_earlier_referral():
    at = london(2026, 6, 1, 20)
    assert risk.is_repeat_marac([london(2025, 7, 1)], at)
    assert risk.is_repeat_marac([london(2024, 1, 1), at - timedelta(days=365)], at)
    assert not risk.is_repeat_marac([], at)
    assert not risk.is_repeat_marac([at - timedelta(days=366)], at)
    assert not risk.is_repeat_marac([at], at)  # the same moment is not "earlier"
    assert not risk.is_repeat_marac([at + timedelta(days=3)], at)


def test_ages_children_and_school_age():
    assert risk.age_on(date(2016, 2, 29), date(2026, 2, 28)) == 9
    assert risk.age_on(date(2016, 2, 29), date(2026, 3, 1)) == 10
    assert risk.is_child_on(date(2008, 11, 23), date(2026, 11, 22))
    assert not risk.is_child_on(date(2008, 11, 22), date(2026, 11, 22))
    assert risk.is_child_on(None, date(2026, 1, 1))
    day = date(2026, 9, 1)
    assert not risk.is_school_age_on(date(2022, 9, 2), day)  # 3
    assert risk.is_school_age_on(date(2022, 9, 1), day)  # 4 today
    assert risk.is_school_age_on(date(2009, 9, 2), day)  # 16
    assert not risk.is_school_age_on(date(2009, 9, 1), day)  # 17 today
    assert not risk.is_school_age_on(date(2026, 12, 1), day)  # unborn
    assert not risk.is_school_age_on(None, day)
    assert risk.is_school_age_on(None, day, school_known=True)
