"""Front-door timescales and the triage order (referrals/rules.py): pure rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agencies.rules import DEFAULT_TZ, WorkingCalendar
from referrals import rules

CALENDAR = WorkingCalendar()


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DEFAULT_TZ)


def test_a_referral_received_on_the_friday_before_a_bank_holiday_monday_is_due_on_tuesday():
    # Monday 31 August 2026 is the late summer bank holiday.
    assert rules.decision_due_at(at(2026, 8, 28, 16), CALENDAR) == at(2026, 9, 1, 16)


def test_a_referral_received_at_the_weekend_is_due_at_the_start_of_the_second_working_day():
    assert rules.decision_due_at(at(2026, 11, 21, 14), CALENDAR) == at(2026, 11, 24, 9)


def test_a_partnership_closure_day_does_not_count():
    closed = WorkingCalendar(closures=frozenset({at(2026, 11, 24).date()}))
    assert rules.decision_due_at(at(2026, 11, 23, 11), closed) == at(2026, 11, 25, 11)


def test_a_red_check_is_due_in_four_working_hours_across_the_night():
    assert rules.check_due_at(at(2026, 11, 23, 15), red=True, calendar=CALENDAR) == at(2026, 11, 24, 11)


def test_other_checks_are_due_at_the_close_of_the_next_working_day():
    assert rules.check_due_at(at(2026, 8, 28, 10), red=False, calendar=CALENDAR) == at(2026, 9, 1, 17)


@pytest.mark.parametrize(("stage", "due"), [(1, at(2026, 11, 25, 10)), (2, at(2026, 11, 30, 10)),
                                            (3, at(2026, 11, 25, 10)), (4, at(2026, 11, 30, 10))])
def test_escalation_stages_have_their_own_deadlines(stage, due):
    assert rules.escalation_stage_due_at(at(2026, 11, 23, 10), stage, CALENDAR) == due


def test_there_is_no_fifth_stage():
    with pytest.raises(ValueError, match="stages 1 to 4"):
        rules.escalation_stage_due_at(at(2026, 11, 23, 10), 5, CALENDAR)


def test_repeat_referral_window_is_the_twelve_months_before():
    received = at(2026, 11, 23, 10)
    assert rules.is_repeat(received - timedelta(days=365), received)
    assert not rules.is_repeat(received - timedelta(days=366), received)
    assert not rules.is_repeat(received, received)


@pytest.mark.parametrize(("rag", "urgency", "rank"), [
    ("red", "standard", 0), ("", "immediate", 0), ("amber", "standard", 1), ("", "urgent", 1),
    ("", "standard", 2), ("green", "standard", 3),
    # Once rated, the MASH practitioner's rating is the risk, whatever the referrer's urgency said.
    ("green", "immediate", 3), ("amber", "immediate", 1), ("red", "standard", 0),
])
def test_risk_rank(rag, urgency, rank):
    assert rules.risk_rank(rag=rag, urgency=urgency) == rank


@pytest.mark.parametrize(("left", "text", "state"), [
    (timedelta(days=1, hours=3), "1 day 3 hours left", "ok"),
    (timedelta(hours=1, minutes=5), "1 hour 5 minutes left", "soon"),
    (timedelta(minutes=1), "1 minute left", "soon"),
    (timedelta(hours=-2), "Overdue by 2 hours", "overdue"),
    (timedelta(0), "Overdue by 0 minutes", "overdue"),
])
def test_time_left_words(left, text, state):
    now = at(2026, 11, 23, 10)
    assert rules.time_left(now + left, now) == rules.TimeLeft(text, state)


MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 - bounds must be naive for hypothesis
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(DEFAULT_TZ),
)


@given(MOMENTS)
def test_a_decision_is_always_due_on_a_working_day_after_receipt(received):
    due = rules.decision_due_at(received, CALENDAR)
    assert due > received
    assert CALENDAR.is_working_day(due.astimezone(DEFAULT_TZ).date())


@pytest.mark.parametrize(("born", "due", "words"), [
    (date(2018, 11, 23), None, "7 years"),
    (date(2025, 11, 22), None, "1 year"),
    (date(2026, 6, 23), None, "4 months"),
    (date(2026, 11, 1), None, "0 months"),
    (None, date(2027, 3, 3), "Unborn (due 3 March 2027)"),
    (None, None, "Age not known"),
])
def test_a_childs_age_in_words(born, due, words):
    assert rules.age_text(born, due, today=date(2026, 11, 22)) == words
