"""The audit round's pure rules: when auditors read the sample, how the report names and counts cases."""

from __future__ import annotations

from datetime import date

from audits import rules_rounds as rules
from audits.models import Grade


def test_a_round_closes_six_weeks_after_its_draw_by_default():
    assert rules.closes_on_default(date(2026, 4, 1)) == date(2026, 5, 13)


def test_auditors_read_the_sample_until_the_end_of_its_closing_day():
    closes = date(2026, 5, 13)
    assert rules.round_open_for_auditors(status="open", closes_on=closes, today=closes)
    assert not rules.round_open_for_auditors(status="open", closes_on=closes, today=date(2026, 5, 14))
    assert not rules.round_open_for_auditors(status="closed", closes_on=closes, today=date(2026, 5, 1))


def test_cases_are_called_by_their_place_in_the_draw():
    assert rules.case_label(3) == "Case 3"


def test_tallies_keep_every_grade_in_order_with_zeros():
    counted = rules.tallies({"good": 2, "inadequate": 1}, Grade.choices)
    assert [(t.value, t.count) for t in counted] == [("outstanding", 0), ("good", 2), ("requires_improvement", 0),
                                                     ("inadequate", 1)]


def test_the_shortfall_is_told_only_when_fewer_were_drawn():
    assert rules.sample_shortfall(asked=10, drawn=10) == ""
    assert rules.sample_shortfall(asked=10, drawn=1) == (
        "Only 1 case had activity in the last 12 months, so it was drawn instead of 10.")
    assert rules.sample_shortfall(asked=10, drawn=3) == (
        "Only 3 cases had activity in the last 12 months, so all of them were drawn instead of 10.")
    assert rules.sample_shortfall(asked=5, drawn=0) == "No case had activity in the last 12 months, so none was drawn."
