"""Cumulative risk, repeat MARAC and Operation Encompass eligibility (SPEC 3.2, 5, 6): pure rules.

The 12-month window. "The last 12 months" before an incident is the 365 days up to and
including the incident's own moment: an earlier incident counts when it occurred at or
after ``incident_at - 365 days``. A fixed number of days (not calendar months) keeps the
rule the same in SQL and Python and free of month-end and leap-day edge cases; over a
leap year the window is one day short of a calendar year.

Escalation. Three or more domestic-abuse incidents in 12 months, whatever each one's own
risk level and whichever agency recorded them, make a child "escalating" (the SafeLives
escalation criterion); the same count is kept for each victim-perpetrator pair.

Repeat MARAC. A new incident for a victim within 12 months of an earlier MARAC referral
(made, or still only a task) makes the case a repeat MARAC case, whatever the new incident's
own level: SafeLives asks that repeat cases go back to the MARAC.

Operation Encompass. A child is of school age for a notice when aged 4 to 16 (from their
4th birthday until their 17th) on the incident's date: reception starts in the year a
child turns 5, and pupils stay on roll to the end of year 11 and often beyond. A child
with no recorded date of birth is treated as of school age when a school is recorded.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

ESCALATING_FROM = 3
WINDOW = timedelta(days=365)

ADULT_AGE = 18
SCHOOL_AGE_FROM = 4
SCHOOL_AGE_TO = 16


def window_start(incident_at: datetime) -> datetime:
    """The earliest moment an incident may occur and still count towards ``incident_at``'s 12 months."""
    return incident_at - WINDOW


def in_window(earlier_at: datetime, incident_at: datetime) -> bool:
    """Does an incident at ``earlier_at`` fall in the 12 months up to (and including) ``incident_at``?"""
    return window_start(incident_at) <= earlier_at <= incident_at


def is_escalating(incident_count: int) -> bool:
    return incident_count >= ESCALATING_FROM


def is_repeat_marac(previous_referral_dates: Iterable[datetime], incident_at: datetime) -> bool:
    """Is an incident at ``incident_at`` within 12 months after an earlier MARAC referral?

    ``previous_referral_dates`` are when each earlier referral was made, or for one not
    yet made, when its incident occurred. Referrals dated after the incident (a late-entered
    older incident) do not make it a repeat.
    """
    return any(window_start(incident_at) <= earlier < incident_at for earlier in previous_referral_dates)


def is_repeat_marac_sorted(previous_referral_dates: Sequence[datetime], incident_at: datetime) -> bool:
    """``is_repeat_marac`` for dates in time order, by bisection: the victim in a household the police
    attend every week has hundreds of earlier referrals, and each new incident asks again."""
    first = bisect_left(previous_referral_dates, window_start(incident_at))
    return first < len(previous_referral_dates) and previous_referral_dates[first] < incident_at


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on ``day`` (a 29 February birthday falls on 1 March in other years)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def is_child_on(date_of_birth: date | None, day: date) -> bool:
    """Under 18 on ``day`` (an unknown date of birth cannot rule a child out)."""
    return date_of_birth is None or age_on(date_of_birth, day) < ADULT_AGE


def is_school_age_on(date_of_birth: date | None, day: date, *, school_known: bool = False) -> bool:
    if date_of_birth is None:
        return school_known
    if date_of_birth > day:
        return False
    return SCHOOL_AGE_FROM <= age_on(date_of_birth, day) <= SCHOOL_AGE_TO
