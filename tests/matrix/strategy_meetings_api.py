"""Access matrix: the strategy meetings API (ACCESS.md "strategy meeting detail", "contribute to a meeting",
"hold / not-held / distribute minutes"), every persona.

The subject: a North meeting the MASH manager convened, so children's social care, the police (PO) and health
visiting (HV) are invited as required; adult mental health (MH) and the school (TE) are not, the auditor has
nothing sampled and the other area (OUT) may not know it. Writes that succeed once per meeting (holding, not
held, distributing minutes, inviting the school) get a fresh meeting for each persona's request.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from cases.models import Person
from strategy_meetings.models import Action, StrategyMeeting
from strategy_meetings.services import meeting_action_add, meeting_convene, meeting_hold
from tests.access_matrix_base import API_ANON, Entry, fixed, statuses
from tests.conftest import World

_serial = count(1)
CSC = ("MW", "MM", "SW", "TM", "SM")
MANAGERS = ("MM", "TM", "SM")


def meeting_child(w: World, partnership: Any = None) -> Person:
    n = next(_serial)
    return Person.objects.create(partnership=partnership or w.north, given_name="Mia", family_name=f"Okafor{n}",
                                 date_of_birth=date(2018, 1, 1), search_name=f"mia okafor{n}")


def convened(w: World) -> StrategyMeeting:
    """A fresh North meeting: CSC, police and health visiting invited as required."""
    return meeting_convene(partnership=w.north, by=w.mm, children=[meeting_child(w)],
                           threshold_met_at=timezone.now() - timedelta(hours=2),
                           reason="Bruising seen by the school; the child says his stepfather hit him.")


def held(w: World) -> StrategyMeeting:
    """A fresh meeting held, with the police and health not heard (and the reason recorded)."""
    meeting = convened(w)
    meeting_hold(meeting=meeting, by=w.mm, held_at=timezone.now() - timedelta(minutes=30), attendance={},
                 outcome="section_47_joint", missing_agency_reason="Police and health could not join in time.")
    return meeting


def subject(w: World) -> StrategyMeeting:
    meeting: StrategyMeeting = w.once("matrix-meeting", convened)
    return meeting


def subject_held(w: World) -> StrategyMeeting:
    meeting: StrategyMeeting = w.once("matrix-meeting-held", held)
    return meeting


def police_action(w: World) -> Action:
    """A fresh open action for the police on the held meeting (marking it done succeeds once)."""
    return meeting_action_add(meeting=subject_held(w), by=w.mm, description="Check police records for the household.",
                              owner_agency=w.police, due_by=timezone.localdate() + timedelta(days=2))


def _action_done_url(w: World) -> str:
    action = police_action(w)
    return f"/api/v1/strategy-meetings/{action.meeting_id}/actions/{action.pk}/done/"


def _convene_body(w: World, user: Any) -> dict[str, Any]:
    """A child of the user's own partnership (so the other area's social worker convenes in South)."""
    membership = getattr(user, "membership", None)
    child = meeting_child(w, membership.partnership if membership is not None else None)
    return {"children": [child.pk], "threshold_met_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "reason": "Reasonable cause to suspect significant harm."}


def _known(**allowed: int) -> dict[str, int]:
    """404 unless the persona may know the meeting (then 403), with the allowed personas' statuses.

    Children's social care, the admin and the invited police and health visitor know it; the auditor (nothing
    sampled), adult mental health and the school (not invited) and the other area do not.
    """
    known = {**{code: 403 for code in CSC}, "AD": 403, "PO": 403, "HV": 403}
    return statuses(404, API_ANON, **{**known, **allowed})


def _held_body(w: World, user: Any) -> dict[str, Any]:
    return {"held_at": (timezone.now() - timedelta(minutes=10)).isoformat(), "attendance": [],
            "outcome": "no_further_action", "missing_agency_reason": "Police could not join; will follow up."}


ENTRIES: list[Entry] = [
    Entry("api-strategy-meetings", fixed("/api/v1/strategy-meetings/"), statuses(200, API_ANON), page=False),
    # Children's social care practitioners and managers convene (the other area in its own partnership).
    Entry("api-strategy-meetings", fixed("/api/v1/strategy-meetings/"),
          statuses(403, API_ANON, **{code: 201 for code in CSC}, OUT=201), method="POST", page=False,
          data=_convene_body),
    Entry("api-strategy-meeting", lambda w: f"/api/v1/strategy-meetings/{subject(w).pk}/",
          statuses(404, API_ANON, **{code: 200 for code in CSC}, AD=200, PO=200, HV=200), page=False),
    Entry("api-strategy-meeting-invitations", lambda w: f"/api/v1/strategy-meetings/{convened(w).pk}/invitations/",
          _known(**{code: 201 for code in CSC}), method="POST", page=False,
          data=lambda w, u: {"agency": w.school.pk}),
    Entry("api-strategy-meeting-schedule", lambda w: f"/api/v1/strategy-meetings/{subject(w).pk}/schedule/",
          _known(**{code: 200 for code in CSC}), method="POST", page=False,
          data=lambda w, u: {"scheduled_for": (timezone.now() + timedelta(hours=3)).isoformat()}),
    Entry("api-strategy-meeting-contributions",
          lambda w: f"/api/v1/strategy-meetings/{subject(w).pk}/contributions/",
          _known(**{code: 201 for code in CSC}, PO=201, HV=201), method="POST", page=False,
          data=lambda w, u: {"information": "Known to us: two call-outs this year."}),
    # Holding, not held, minutes: managers of children's social care (or the chair; none is named here).
    Entry("api-strategy-meeting-held", lambda w: f"/api/v1/strategy-meetings/{convened(w).pk}/held/",
          _known(**{code: 200 for code in MANAGERS}), method="POST", page=False, data=_held_body),
    Entry("api-strategy-meeting-actions", lambda w: f"/api/v1/strategy-meetings/{subject_held(w).pk}/actions/",
          _known(**{code: 201 for code in CSC}), method="POST", page=False,
          data=lambda w, u: {"description": "Joint visit to the home.", "owner_agency": w.police.pk,
                             "due_by": (timezone.localdate() + timedelta(days=2)).isoformat()}),
    Entry("api-strategy-meeting-distribute-minutes",
          lambda w: f"/api/v1/strategy-meetings/{held(w).pk}/distribute-minutes/",
          _known(**{code: 200 for code in MANAGERS}), method="POST", page=False,
          data=lambda w, u: {"minutes": "Agreed a joint section 47 enquiry."}),
    # An action is done by its agency (the police here) or by those organising; the health visitor, invited, may
    # know the meeting but not act on the police's action.
    Entry("api-strategy-meeting-action-done", _action_done_url,
          _known(**{code: 200 for code in CSC}, PO=200), method="POST", page=False, data=lambda w, u: {}),
    Entry("api-strategy-meeting-conference", lambda w: f"/api/v1/strategy-meetings/{subject_held(w).pk}/conference/",
          _known(**{code: 200 for code in CSC}), method="POST", page=False,
          data=lambda w, u: {"conference_at": (timezone.now() + timedelta(days=10)).isoformat()}),
    Entry("api-strategy-meeting-not-held", lambda w: f"/api/v1/strategy-meetings/{convened(w).pk}/not-held/",
          _known(**{code: 200 for code in MANAGERS}), method="POST", page=False,
          data=lambda w, u: {"rationale": "The police have already taken protective action."}),
]
