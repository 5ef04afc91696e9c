"""Strategy-meeting rules (SPEC 3.4): pure, no database.

- Children's social care, police and health are required at every strategy meeting.
- Draft minutes are compared by digest: a save over minutes someone else changed since they were opened is
  refused, so nobody's text is overwritten unseen.
- A section 47 outcome (single-agency or joint) sets the initial child protection conference due date:
  15 working days after the day of the meeting, on the partnership's calendar (bank holidays and closures
  skipped). The day of the meeting is day 0, whatever time it was held.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from agencies.rules import WorkingCalendar

ICPC_WORKING_DAYS = 15
SECTION_47_OUTCOMES = frozenset({"section_47_single_agency", "section_47_joint"})
# Agency kinds (agencies.models.Agency.Kind values) that must attend or send information.
REQUIRED_AGENCY_KINDS = ("childrens_social_care", "police", "health")
# Responses that mean the agency was heard: it attended, or sent what it knows.
HEARD_RESPONSES = frozenset({"attended", "sent_information"})


def is_section_47(outcome: str) -> bool:
    return outcome in SECTION_47_OUTCOMES


def icpc_due_by(held_at: datetime, calendar: WorkingCalendar) -> date:
    """The initial child protection conference's due date: 15 working days after the meeting's day."""
    day = held_at.astimezone(calendar.tz).date()
    counted = 0
    while counted < ICPC_WORKING_DAYS:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def minutes_digest(minutes: str) -> str:
    """What a minutes form carries of the draft it was opened on, to tell whether someone saved since."""
    return hashlib.sha256(minutes.encode()).hexdigest()
