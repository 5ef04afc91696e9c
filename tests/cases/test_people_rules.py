"""SPEC 3.2: the pure rules about people: NHS numbers, ages, data quality, name keys, likely duplicates."""

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cases.rules.people import (
    DUPLICATE_MIN_SCORE,
    age_on,
    data_quality,
    dob_close,
    dob_neighbours,
    duplicate_score,
    is_child,
    name_fold,
    name_key,
    nhs_check_digit,
    nhs_number_normalise,
    nhs_number_valid,
)

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


# NHS numbers

@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", "4010232137", "0000000000"])
def test_known_valid_nhs_numbers_pass(number):
    assert nhs_number_valid(number)


@pytest.mark.parametrize("number", ["9434765918", "943476591", "94347659190", "943476591X", "", "９４３４７６５９１９"])
def test_wrong_check_digit_wrong_length_or_not_digits_fail(number):
    assert not nhs_number_valid(number)


def test_nine_digits_whose_check_would_be_ten_make_no_valid_number():
    nine = next(f"{n:09d}" for n in range(10**6) if nhs_check_digit(f"{n:09d}") is None)
    assert all(not nhs_number_valid(nine + str(d)) for d in range(10))


@given(nine_digits)
def test_a_number_with_its_check_digit_passes(first_nine):
    check = nhs_check_digit(first_nine)
    assume(check is not None)
    assert nhs_number_valid(f"{first_nine}{check}")


@given(nine_digits, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_any_single_digit_changed_fails(first_nine, position, shift):
    check = nhs_check_digit(first_nine)
    assume(check is not None)
    number = f"{first_nine}{check}"
    changed = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1:]
    assert not nhs_number_valid(changed)


def test_normalising_removes_spaces_and_hyphens_only():
    assert nhs_number_normalise(" 943 476-5919 ") == "9434765919"


# Ages

@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2010, 6, 15), date(2028, 6, 14), 17),
        (date(2010, 6, 15), date(2028, 6, 15), 18),
        (date(2010, 6, 15), date(2010, 6, 15), 0),
        # A leap-day birthday comes on 1 March in a common year.
        (date(2008, 2, 29), date(2009, 2, 28), 0),
        (date(2008, 2, 29), date(2009, 3, 1), 1),
        (date(2008, 2, 29), date(2012, 2, 29), 4),
    ],
)
def test_age_counts_completed_years(born, on, age):
    assert age_on(born, on) == age


@given(dates, st.integers(min_value=0, max_value=100))
def test_age_on_a_birthday_is_the_years_since(born, years):
    assume(not (born.month == 2 and born.day == 29))
    assume(born.year + years <= 9999)
    birthday = born.replace(year=born.year + years)
    assert age_on(born, birthday) == years
    if years:
        assert age_on(born, birthday - timedelta(days=1)) == years - 1


def test_a_child_is_under_18_or_unborn():
    today = date(2025, 6, 1)
    assert is_child(date(2007, 6, 2), None, today)
    assert not is_child(date(2007, 6, 1), None, today)
    assert is_child(None, date(2025, 9, 1), today)
    assert not is_child(None, None, today)


# Data quality

COMPLETE: dict[str, Any] = {
    "date_of_birth": date(2015, 3, 4), "date_of_birth_estimated": False, "expected_date_of_birth": None,
    "sex": "female", "ethnicity": "WBRI", "first_language": "English", "interpreter_needed": False,
    "nhs_number": "9434765919", "has_school": True, "today": date(2025, 6, 1),
}


def test_a_complete_record_scores_100_with_no_gaps():
    assert data_quality(**COMPLETE).score == 100
    assert data_quality(**COMPLETE).gaps == []


def test_an_empty_record_lists_every_gap_in_words():
    quality = data_quality(**{
        **COMPLETE, "date_of_birth": None, "sex": "unknown", "ethnicity": "", "first_language": " ",
        "interpreter_needed": None, "nhs_number": "", "has_school": False,
    })
    assert quality.gaps == [
        "Date of birth missing", "Ethnicity not recorded", "First language not recorded",
        "Interpreter need not recorded", "NHS number missing", "Sex not recorded",
    ]
    assert quality.score == 0


def test_ethnicity_not_yet_obtained_counts_as_not_recorded_and_an_estimate_as_a_gap():
    quality = data_quality(**{**COMPLETE, "ethnicity": "NOBT", "date_of_birth_estimated": True})
    assert quality.gaps == ["Date of birth estimated", "Ethnicity not recorded"]
    assert quality.score == 71  # 5 of the 7 checks


@pytest.mark.parametrize(("born", "asked"), [
    (date(2020, 6, 1), True),   # 5
    (date(2009, 6, 2), True),   # 15
    (date(2020, 6, 2), False),  # 4
    (date(2009, 6, 1), False),  # 16
])
def test_school_is_asked_for_only_at_school_age(born, asked):
    quality = data_quality(**{**COMPLETE, "date_of_birth": born, "has_school": False})
    assert ("School not recorded" in quality.gaps) is asked


def test_an_unborn_child_is_checked_for_dates_and_ethnicity_only():
    unborn = {**COMPLETE, "date_of_birth": None, "expected_date_of_birth": date(2025, 9, 1), "sex": "unknown",
              "first_language": "", "interpreter_needed": None, "nhs_number": ""}
    assert data_quality(**unborn).score == 100
    assert data_quality(**{**unborn, "ethnicity": ""}).gaps == ["Ethnicity not recorded"]
    assert data_quality(**{**unborn, "ethnicity": ""}).score == 50


# Name keys

def test_name_key_folds_case_accents_punctuation_and_spaces():
    assert name_key("  Zoë ", "O'Brien-Núñez", ["Zoe  Smith"]) == "zoe obrien nunez zoe smith"
    assert name_fold("Øyvind Łukasz STRAẞE") == "oyvind lukasz strasse"
    assert name_fold("D’Arcy") == "darcy"
    assert name_fold("!!! __ ") == ""
    assert name_fold("Ναταλία  李小龍 محمد") == "ναταλια 李小龍 محمد"


# Dates of birth close enough to be the same one mistyped

@pytest.mark.parametrize(("a", "b"), [
    (date(2015, 3, 4), date(2015, 4, 3)),    # day and month swapped
    (date(2015, 3, 4), date(2015, 3, 5)),    # a day later
    (date(2015, 3, 1), date(2015, 2, 28)),   # a day earlier, across a month
    (date(2015, 3, 4), date(2016, 3, 4)),    # one digit of the year
    (date(2015, 3, 4), date(2015, 3, 24)),   # one digit of the day
    (date(2015, 3, 4), date(2015, 8, 4)),    # one digit of the month
    (date(2015, 3, 4), date(2015, 3, 4)),
])
def test_close_dates_of_birth(a, b):
    assert dob_close(a, b)


@pytest.mark.parametrize(("a", "b"), [
    (date(2015, 3, 4), date(2015, 5, 6)),    # two digits, two months
    (date(2015, 3, 4), date(2016, 4, 3)),    # swapped and a year out
    (date(2015, 3, 4), date(2015, 4, 5)),    # two digits
    (date(2015, 3, 4), date(2025, 3, 14)),
])
def test_dates_of_birth_too_far_apart(a, b):
    assert not dob_close(a, b)


@given(dates, dates)
def test_closeness_is_symmetric(a, b):
    assert dob_close(a, b) == dob_close(b, a)


@given(dates)
def test_neighbours_include_the_day_either_side_and_the_swap(a):
    assume(date(1900, 1, 2) <= a <= date(2099, 12, 30))
    neighbours = dob_neighbours(a)
    assert {a, a - timedelta(days=1), a + timedelta(days=1)} <= neighbours
    if a.day <= 12:
        assert date(a.year, a.day, a.month) in neighbours


# Duplicate scores

def test_jaden_smyth_and_jayden_smith_with_day_and_month_swapped_are_a_likely_duplicate():
    # similarity('jaden smyth', 'jayden smith') is 0.389 in PostgreSQL; Smyth and Smith share the key SM0.
    score = duplicate_score(name_similarity=0.389, family_sounds_alike=True, date_of_birth=date(2015, 4, 3),
                            other_date_of_birth=date(2015, 3, 4))
    assert score >= 0.6


def test_known_dates_of_birth_far_apart_rule_a_duplicate_out():
    assert duplicate_score(name_similarity=1.0, family_sounds_alike=True, date_of_birth=date(2015, 4, 3),
                           other_date_of_birth=date(2012, 1, 20)) == 0.0


def test_the_same_name_and_date_scores_1_and_an_unknown_date_scores_between():
    same = duplicate_score(name_similarity=1.0, family_sounds_alike=True, date_of_birth=date(2015, 4, 3),
                           other_date_of_birth=date(2015, 4, 3))
    unknown = duplicate_score(name_similarity=1.0, family_sounds_alike=True, date_of_birth=None,
                              other_date_of_birth=date(2015, 4, 3))
    assert same == 1.0
    assert DUPLICATE_MIN_SCORE <= unknown < same


@given(st.floats(min_value=0, max_value=1), st.booleans(), st.one_of(st.none(), dates), st.one_of(st.none(), dates))
def test_scores_stay_between_0_and_1(similarity, sounds, a, b):
    assert 0.0 <= duplicate_score(name_similarity=similarity, family_sounds_alike=sounds, date_of_birth=a,
                                  other_date_of_birth=b) <= 1.0
