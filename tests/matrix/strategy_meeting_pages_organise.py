"""Access matrix: organising a strategy meeting (ACCESS.md "strategy meeting detail", "hold / not-held /
distribute minutes"), every persona.

Inviting, scheduling and booking the conference: children's social care casework staff (or the chair; none is
named here). Recording "considered but not held": the managers of children's social care. The police (PO) and
health visiting (HV) are invited, so they know the meeting (403); the others do not (404). Inviting an agency
and recording a meeting not held succeed once per meeting, so each persona's POST gets a fresh meeting; the time
and the conference may be set again, so those POSTs share the subject.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.access_matrix_base import Entry
from tests.conftest import World
from tests.matrix.strategy_meeting_pages import _known
from tests.matrix.strategy_meetings_api import CSC, MANAGERS, convened, subject, subject_held


def moment_body(date_field: str, time_field: str, at: Any) -> dict[str, Any]:
    """A moment as the date input's three boxes and the 24-hour time box."""
    local = timezone.localtime(at)
    return {f"{date_field}_day": local.day, f"{date_field}_month": local.month, f"{date_field}_year": local.year,
            time_field: local.strftime("%H:%M")}


def schedule_body(w: World, user: Any) -> dict[str, Any]:
    return {**moment_body("scheduled_on", "scheduled_time", timezone.now() + timedelta(hours=3)), "chair": w.tm.pk}


def conference_body(w: World, user: Any) -> dict[str, Any]:
    return moment_body("conference_on", "conference_time", timezone.now() + timedelta(days=5))


def invite_body(w: World, user: Any) -> dict[str, Any]:
    return {"agency": w.school.pk, "required": "no", "proposed_because": "The child's school."}


def not_held_body(w: World, user: Any) -> dict[str, Any]:
    return {"rationale": "The police have already taken protective action.", "instead": "Joint visit today."}


ORGANISE_GET = _known(**{code: 200 for code in CSC})
ORGANISE_POST = _known(**{code: 302 for code in CSC})

ENTRIES: list[Entry] = [
    Entry("meeting-invite", lambda w: f"/strategy-meetings/{subject(w).pk}/invite/", ORGANISE_GET),
    Entry("meeting-invite", lambda w: f"/strategy-meetings/{convened(w).pk}/invite/", ORGANISE_POST,
          method="POST", data=invite_body),
    Entry("meeting-schedule", lambda w: f"/strategy-meetings/{subject(w).pk}/schedule/", ORGANISE_GET),
    Entry("meeting-schedule", lambda w: f"/strategy-meetings/{subject(w).pk}/schedule/", ORGANISE_POST,
          method="POST", data=schedule_body),
    # A held meeting that decided on a joint section 47 enquiry, so a conference is due.
    Entry("meeting-conference", lambda w: f"/strategy-meetings/{subject_held(w).pk}/conference/", ORGANISE_GET),
    Entry("meeting-conference", lambda w: f"/strategy-meetings/{subject_held(w).pk}/conference/", ORGANISE_POST,
          method="POST", data=conference_body),
    Entry("meeting-not-held", lambda w: f"/strategy-meetings/{subject(w).pk}/not-held/",
          _known(**{code: 200 for code in MANAGERS})),
    Entry("meeting-not-held", lambda w: f"/strategy-meetings/{convened(w).pk}/not-held/",
          _known(**{code: 302 for code in MANAGERS}), method="POST", data=not_held_body),
]
