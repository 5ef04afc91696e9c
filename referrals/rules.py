"""Front-door timescales and triage order (SPEC 3.3): pure rules, no database.

- A decision is due 1 working day after a referral is received, on the partnership's calendar
  (received at 16:00 on the Friday before a bank-holiday Monday: due at 16:00 on Tuesday).
- An agency check is due in 4 working hours for a referral rated red, otherwise by the end of the
  next working day.
- An escalation stage is answered within 2 (practitioner), 5 (line manager), 2 (senior manager)
  working days; the partnership stage is given 5.
- A child referred in the 12 months before a referral (the same 365-day window as cumulative
  risk) makes it a repeat referral.
- The triage queue puts the riskiest first, then the least time left. The MASH practitioner's RAG rating,
  once given, is the risk (their professional judgement of what the referrer's urgency said): red first,
  then amber, then green last. Until it is rated, the referrer's urgency stands in: immediate with red,
  urgent with amber, standard between amber and green.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from agencies.rules import WorkingCalendar
from cases.rules.risk import WINDOW, age_on

DECISION_WORKING_DAYS = 1
FEEDBACK_WORKING_DAYS = 1
RED_CHECK_WORKING_HOURS = 4
ESCALATION_STAGE_WORKING_DAYS = {1: 2, 2: 5, 3: 2, 4: 5}
LAST_STAGE = 4
STAGE_NAMES = {1: "practitioner", 2: "line manager", 3: "senior manager", 4: "partnership"}
REPEAT_WINDOW = WINDOW
# Less working time than this left to a deadline: the countdown turns amber.
DUE_SOON = timedelta(hours=2)


def decision_due_at(received_at: datetime, calendar: WorkingCalendar) -> datetime:
    return calendar.add_working_days(received_at, DECISION_WORKING_DAYS)


def feedback_due_at(decided_at: datetime, calendar: WorkingCalendar) -> datetime:
    return calendar.add_working_days(decided_at, FEEDBACK_WORKING_DAYS)


def check_due_at(requested_at: datetime, *, red: bool, calendar: WorkingCalendar) -> datetime:
    """4 working hours for a red referral; otherwise the close of the next working day."""
    if red:
        return calendar.add_working_hours(requested_at, RED_CHECK_WORKING_HOURS)
    next_day = calendar.next_working_day(requested_at.astimezone(calendar.tz).date())
    return datetime.combine(next_day, calendar.day_end, calendar.tz)


def escalation_stage_due_at(opened_at: datetime, stage: int, calendar: WorkingCalendar) -> datetime:
    if stage not in ESCALATION_STAGE_WORKING_DAYS:
        raise ValueError(f"An escalation has stages 1 to {LAST_STAGE}, not {stage}")
    return calendar.add_working_days(opened_at, ESCALATION_STAGE_WORKING_DAYS[stage])


def is_repeat(earlier_received: datetime, received_at: datetime) -> bool:
    """Was a referral received at ``earlier_received`` in the 12 months before one received at ``received_at``?"""
    return received_at - REPEAT_WINDOW <= earlier_received < received_at


RAG_RANK = {"red": 0, "amber": 1, "green": 3}
URGENCY_RANK = {"immediate": 0, "urgent": 1, "standard": 2}


def risk_rank(*, rag: str, urgency: str) -> int:
    """0 the most urgent; the queue's first sort key (selectors.risk_order is the database's copy)."""
    if rag:
        return RAG_RANK[rag]
    return URGENCY_RANK.get(urgency, URGENCY_RANK["standard"])


def on_red_clock(*, rag: str, urgency: str) -> bool:
    """Agency checks for the riskiest referrals are due in 4 working hours."""
    return risk_rank(rag=rag, urgency=urgency) == 0


@dataclass(frozen=True)
class TimeLeft:
    """A deadline as the queue shows it: words, and a state for the tag colour."""

    text: str
    state: str  # "overdue", "soon" or "ok"


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and (minutes or not hours):
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def time_left(due_at: datetime, now: datetime) -> TimeLeft:
    remaining = due_at - now
    if remaining <= timedelta(0):
        return TimeLeft(f"Overdue by {_duration(-remaining)}", "overdue")
    return TimeLeft(f"{_duration(remaining)} left", "soon" if remaining < DUE_SOON else "ok")


def age_text(date_of_birth: date | None, expected_date_of_birth: date | None = None,
             *, today: date) -> str:
    """A child's age in words: "8 years", "5 months", "Unborn (due 3 March 2027)", or "Age not known"."""
    if date_of_birth is None:
        if expected_date_of_birth is not None:
            return f"Unborn (due {expected_date_of_birth.day} {expected_date_of_birth:%B %Y})"
        return "Age not known"
    years = age_on(date_of_birth, today)
    if years >= 1:
        return f"{years} year{'s' if years != 1 else ''}"
    months = (today.year - date_of_birth.year) * 12 + today.month - date_of_birth.month
    months = max(months - int(today.day < date_of_birth.day), 0)
    return f"{months} month{'s' if months != 1 else ''}"
