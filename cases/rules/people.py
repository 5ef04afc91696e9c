"""Pure rules about people: identifiers, ages, data quality and likely duplicates (SPEC 3.2). No ORM."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

ADULT_AGE = 18

# School age kept simple: a child aged 5 to 15 inclusive today. The statutory rule (compulsory
# school age from the term after the fifth birthday to the last Friday in June of the school
# year of the sixteenth) differs only at the edges, where a missing school is still worth asking about.
SCHOOL_AGE_FROM = 5
SCHOOL_AGE_TO = 15

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def nhs_number_normalise(value: str) -> str:
    """The number as its ten digits: NHS numbers are written "943 476 5919" as often as not."""
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_valid(value: str) -> bool:
    """Ten digits whose last is the Modulus 11 check digit of the first nine (NHS Data Dictionary).

    Weights 10 down to 2 on the first nine digits; the check digit is 11 minus the sum's
    remainder on division by 11, where 11 stands for 0 and 10 means no valid number has these nine digits.
    """
    digits = nhs_number_normalise(value)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid number starts with them."""
    total = sum(int(d) * w for d, w in zip(first_nine, _NHS_WEIGHTS, strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else check


def age_on(date_of_birth: date, today: date) -> int:
    """Completed years on ``today``. Someone born on 29 February turns a year older on 1 March
    in a common year, as English law counts it (Family Law Reform Act 1969, s 9)."""
    years = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def is_child(date_of_birth: date | None, expected_date_of_birth: date | None, today: date) -> bool:
    """Under 18, or not yet born. Someone with neither date recorded is not assumed to be a child."""
    if date_of_birth is None:
        return expected_date_of_birth is not None
    return age_on(date_of_birth, today) < ADULT_AGE


@dataclass(frozen=True)
class DataQuality:
    score: int  # 0-100: the share of the checks that apply to this person which pass
    gaps: list[str] = field(default_factory=list)


def data_quality(
    *,
    date_of_birth: date | None,
    date_of_birth_estimated: bool,
    expected_date_of_birth: date | None,
    sex: str,
    ethnicity: str,
    first_language: str,
    interpreter_needed: bool | None,
    nhs_number: str,
    has_school: bool,
    today: date,
) -> DataQuality:
    """Completeness of a person's record and its gaps in words.

    An unborn child (an expected date and no date of birth) is checked for its dates and
    ethnicity only: language, interpreter need, NHS number and sex come after birth.
    The school check applies only to a child of school age.
    """
    unborn = date_of_birth is None and expected_date_of_birth is not None
    checks: list[tuple[bool, str]] = []
    if date_of_birth is None and not unborn:
        checks.append((False, "Date of birth missing"))
    elif date_of_birth is not None and date_of_birth_estimated:
        checks.append((False, "Date of birth estimated"))
    else:
        checks.append((True, ""))
    checks.append((bool(ethnicity) and ethnicity != "NOBT", "Ethnicity not recorded"))
    if not unborn:
        checks.append((bool(first_language.strip()), "First language not recorded"))
        checks.append((interpreter_needed is not None, "Interpreter need not recorded"))
        checks.append((bool(nhs_number), "NHS number missing"))
        if date_of_birth is not None and SCHOOL_AGE_FROM <= age_on(date_of_birth, today) <= SCHOOL_AGE_TO:
            checks.append((has_school, "School not recorded"))
        checks.append((sex not in ("", "unknown"), "Sex not recorded"))
    passed = sum(1 for ok, _ in checks if ok)
    return DataQuality(score=round(100 * passed / len(checks)), gaps=[gap for ok, gap in checks if not ok])


# Letters NFKD does not take apart into a base letter and an accent.
_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})
_APOSTROPHES = re.compile(r"['’‘`]")
_NOT_LETTERS = re.compile(r"[\W_]+")


def name_fold(text: str) -> str:
    """Lower-case letters and digits without accents, separated by single spaces: "Zoë O'Brien-Núñez" ->
    "zoe obrien nunez". Letters of every script are kept: "Ναταλία 李" -> "ναταλια 李"."""
    lowered = _APOSTROPHES.sub("", (text or "").casefold()).translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_LETTERS.sub(" ", plain).strip()


def name_key(given_name: str, family_name: str, other_names: Iterable[str] = ()) -> str:
    """The search key stored in Person.search_name: "given family other names", folded."""
    return name_fold(" ".join([given_name, family_name, *other_names]))


def dob_neighbours(value: date) -> set[date]:
    """The dates a mistyped date of birth is likely to have been meant as, the date itself included.

    - one day either side (a birth around midnight, a time-zone slip);
    - day and month swapped (3 April written 4 March: the US order);
    - any one digit of the ISO form YYYY-MM-DD wrong (a slip of the finger).
    """
    found = {value, value - timedelta(days=1), value + timedelta(days=1)}
    if value.day <= 12:
        found.add(date(value.year, value.day, value.month))
    digits = value.strftime("%Y%m%d")
    for position in range(len(digits)):
        for digit in "0123456789":
            if digit == digits[position]:
                continue
            changed = digits[:position] + digit + digits[position + 1:]
            try:
                found.add(date(int(changed[:4]), int(changed[4:6]), int(changed[6:])))
            except ValueError:
                continue
    return found


def dob_close(a: date, b: date) -> bool:
    """Whether two dates of birth could be the same one recorded twice (see ``dob_neighbours``)."""
    return b in dob_neighbours(a)


# Weights of the two halves of a duplicate score, and what each date comparison is worth.
_NAME_WEIGHT = 0.6
_DOB_WEIGHT = 0.4
_SOUNDS_ALIKE_BONUS = 0.2
_DOB_SAME = 1.0
_DOB_CLOSE = 0.8
_DOB_UNKNOWN = 0.5
DUPLICATE_MIN_SCORE = 0.5


def duplicate_score(
    *,
    name_similarity: float,
    family_sounds_alike: bool,
    date_of_birth: date | None,
    other_date_of_birth: date | None,
) -> float:
    """How likely two records are one person, 0 to 1.

    ``name_similarity`` is the trigram similarity of the two name keys (0 to 1);
    ``family_sounds_alike`` whether the family names share a double-metaphone key (Smith, Smyth).
    Dates of birth that are known and neither the same nor close rule a match out.
    """
    name = min(1.0, max(0.0, name_similarity) + (_SOUNDS_ALIKE_BONUS if family_sounds_alike else 0.0))
    if date_of_birth is None or other_date_of_birth is None:
        dob = _DOB_UNKNOWN
    elif date_of_birth == other_date_of_birth:
        dob = _DOB_SAME
    elif dob_close(date_of_birth, other_date_of_birth):
        dob = _DOB_CLOSE
    else:
        return 0.0
    return round(_NAME_WEIGHT * name + _DOB_WEIGHT * dob, 3)
