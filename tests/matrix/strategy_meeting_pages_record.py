"""Access matrix: the pages after a strategy meeting (ACCESS.md "hold / not-held / distribute minutes", and
the actions, which whoever organises the meeting adds), every persona.

The subjects are those of ``tests.matrix.strategy_meeting_pages``: a North meeting held with children's social
care, the police (PO) and health visiting (HV) invited; adult mental health (MH), the school (TE), the auditor
with nothing sampled and the other area (OUT) do not know it. An action is marked done once and the minutes
distributed once, so each persona's POST gets a fresh action or a fresh meeting.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from strategy_meetings.models import Action
from strategy_meetings.services import meeting_action_add
from tests.access_matrix_base import Entry
from tests.conftest import World
from tests.matrix.strategy_meeting_pages import _known
from tests.matrix.strategy_meetings_api import CSC, MANAGERS, held, subject_held


def _action_body(w: World, user: Any) -> dict[str, Any]:
    due = timezone.localdate() + timedelta(days=2)
    return {"description": "Joint visit to the home.", "owner_agency": w.police.pk, "owner": "",
            "due_by_day": due.day, "due_by_month": due.month, "due_by_year": due.year}


def police_action(w: World) -> Action:
    """A fresh open action of the held subject, owned by the police."""
    return meeting_action_add(meeting=subject_held(w), by=w.mm, description="Police check of the address.",
                              owner_agency=w.police, due_by=timezone.localdate() + timedelta(days=3))


def _done_path(w: World) -> str:
    action = police_action(w)
    return f"/strategy-meetings/{action.meeting_id}/actions/{action.pk}/done/"


ENTRIES: list[Entry] = [
    # Actions: whoever organises the meeting (children's social care casework staff, or the chair).
    Entry("meeting-action-add", lambda w: f"/strategy-meetings/{subject_held(w).pk}/actions/new/",
          _known(**{code: 200 for code in CSC})),
    Entry("meeting-action-add", lambda w: f"/strategy-meetings/{subject_held(w).pk}/actions/new/",
          _known(**{code: 302 for code in CSC}), method="POST", data=_action_body),
    # Done: the organisers and the owner agency (the police); the health visitor may see it but not mark it.
    Entry("meeting-action-done", _done_path, _known(**{code: 302 for code in CSC}, PO=302), method="POST",
          data=lambda w, u: {}),
    # Minutes: managers of children's social care (or the chair; none is named here).
    Entry("meeting-minutes", lambda w: f"/strategy-meetings/{subject_held(w).pk}/minutes/",
          _known(**{code: 200 for code in MANAGERS})),
    Entry("meeting-minutes", lambda w: f"/strategy-meetings/{subject_held(w).pk}/minutes/",
          _known(**{code: 302 for code in MANAGERS}), method="POST",
          data=lambda w, u: {"minutes": "Draft: agreed a joint section 47 enquiry.", "action": "save"}),
    Entry("meeting-minutes", lambda w: f"/strategy-meetings/{held(w).pk}/minutes/",
          _known(**{code: 302 for code in MANAGERS}), method="POST",
          data=lambda w, u: {"minutes": "Agreed a joint section 47 enquiry.", "action": "distribute"}),
]
