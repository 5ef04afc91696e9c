"""The child's voice rules (cases.rules.voice): what a record must say, and six weeks unheard. No database."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from agencies.rules import DEFAULT_TZ
from cases.models import ChildVoice
from cases.rules import voice as rules


def errors(**given: object) -> dict[str, list[str]]:
    fields: dict[str, object] = {"method": "direct_conversation", "tool": "", "seen_alone": True, "seen_with": "",
                                 "childs_words": "", "observations": "", "not_spoken_reason": ""}
    fields.update(given)
    return rules.voice_content_errors(**fields)  # type: ignore[arg-type]


def test_the_rules_name_the_models_choices():
    assert rules.OBSERVATION == ChildVoice.Method.OBSERVATION
    assert rules.STRUCTURED_TOOL == ChildVoice.Method.STRUCTURED_TOOL
    assert rules.TOO_YOUNG == ChildVoice.NotSpokenReason.TOO_YOUNG


def test_words_or_an_observation_is_enough():
    assert errors(childs_words="I like my nan's house.") == {}
    assert errors(method="observation", observations="Smiled at mum, reached for her.") == {}


def test_nothing_heard_and_no_reason_asks_for_a_reason():
    assert errors() == {"not_spoken_reason": [rules.NOTHING_HEARD]}


def test_too_young_alone_asks_for_an_observation_instead():
    assert errors(not_spoken_reason="too_young") == {"observations": [rules.TOO_YOUNG_ALONE]}
    assert "record what you observed of them instead of 'too young'" in rules.TOO_YOUNG_ALONE


def test_too_young_beside_an_observation_is_accepted():
    assert errors(method="observation", not_spoken_reason="too_young", observations="Settled in her cot.") == {}


@pytest.mark.parametrize("reason", ["asleep", "not_present", "declined", "parent_prevented", "unsafe"])
def test_any_other_reason_stands_alone(reason):
    assert errors(not_spoken_reason=reason) == {}


def test_an_observation_needs_what_was_observed_once():
    assert errors(method="observation", not_spoken_reason="asleep") == {"observations": [rules.OBSERVATION_EMPTY]}
    # "Too young" with an empty observation says it once, in the words that ask for the observation.
    assert errors(method="observation", not_spoken_reason="too_young") == {"observations": [rules.TOO_YOUNG_ALONE]}


def test_a_structured_tool_needs_its_name():
    assert errors(method="structured_tool", childs_words="Three houses") == {"tool": [rules.TOOL_MISSING]}
    assert errors(method="structured_tool", tool="Three houses", childs_words="My worries house: shouting") == {}


def test_a_child_not_seen_alone_says_who_with():
    assert errors(seen_alone=False, childs_words="Hello") == {"seen_with": [rules.SEEN_WITH_MISSING]}
    assert errors(seen_alone=False, seen_with="Ngozi Okafor, mother", childs_words="Hello") == {}
    assert errors(seen_alone=None, childs_words="Hello") == {}


def test_every_problem_is_told_at_once():
    found = errors(method="structured_tool", seen_alone=False)
    assert set(found) == {"not_spoken_reason", "tool", "seen_with"}


OPENED = rules.case_opened_at(date(2026, 1, 5), DEFAULT_TZ)


def test_a_case_opens_at_the_start_of_its_day_in_local_time():
    assert OPENED == datetime(2026, 1, 5, 0, 0, tzinfo=DEFAULT_TZ)


def test_six_weeks_count_from_the_later_of_the_last_record_and_the_opening():
    assert rules.voice_due_by(heard_at=None, opened_at=OPENED) == OPENED + timedelta(weeks=6)
    before = OPENED - timedelta(days=30)
    assert rules.voice_due_by(heard_at=before, opened_at=OPENED) == OPENED + timedelta(weeks=6)
    after = OPENED + timedelta(days=10)
    assert rules.voice_due_by(heard_at=after, opened_at=OPENED) == after + timedelta(weeks=6)


def test_stale_from_six_weeks_to_the_minute():
    heard = OPENED + timedelta(days=1)
    assert not rules.voice_is_stale(heard_at=heard, opened_at=OPENED, now=heard + timedelta(weeks=6, minutes=-1))
    assert rules.voice_is_stale(heard_at=heard, opened_at=OPENED, now=heard + timedelta(weeks=6))
    assert rules.VOICE_STALE_AFTER == timedelta(weeks=6)
