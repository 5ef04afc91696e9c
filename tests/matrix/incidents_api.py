"""Access matrix: the incident and Operation Encompass endpoints (ACCESS.md "incident detail", "Operation Encompass
notice"), every persona.

The subject: a police incident at a North household, the child at Northgate Primary (the teacher's school) with
North Health Visiting recorded; a second incident shared with adult mental health besides.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from typing import Any

from agencies.rules import DEFAULT_TZ
from cases.models import EncompassNotice, Incident, Person
from cases.permissions import record_share_with
from cases.services.incidents import ChildAtIncident, incident_create
from tests.access_matrix_base import API_ANON, Entry, fixed, statuses
from tests.conftest import World

_serial = count(1)


def _person(partnership: Any, given: str, family: str, born: date, **extra: Any) -> Person:
    return Person.objects.create(partnership=partnership, given_name=given, family_name=family, date_of_birth=born,
                                 search_name=f"{given} {family}".lower(), **extra)


def _incident(w: World, reference: str) -> Incident:
    child = _person(w.north, "Ellie", "Ashdown", date(2017, 3, 3), school=w.school, health_visiting=w.health_visiting)
    return incident_create(
        partnership=w.north, by=w.po, occurred_at=datetime(2026, 3, 4, 22, 15, tzinfo=DEFAULT_TZ),
        reported_by=w.police, reference=reference,
        victims=[_person(w.north, "Kerry", "Ashdown", date(1992, 5, 1))],
        perpetrators=[_person(w.north, "Dean", "Ashdown", date(1989, 2, 11))],
        children=[ChildAtIncident(child, present=True, seen=True, spoken_to=True)],
    )


def subject(w: World) -> Incident:
    incident: Incident = w.once("matrix-incident", lambda w: _incident(w, "MATRIX/1"))
    return incident


def shared_with_mental_health(w: World) -> Incident:
    def make(w: World) -> Incident:
        incident = _incident(w, "MATRIX/2")
        record_share_with(record=incident, agency=w.mental_health, what="Domestic-abuse notification", by=w.po)
        return incident

    incident: Incident = w.once("matrix-incident-mh", make)
    return incident


def notice(w: World) -> EncompassNotice:
    return EncompassNotice.objects.get(incident=subject(w))


def _create_body(w: World, user: Any) -> dict[str, Any]:
    """A new incident reported by the user's own agency, about a child of the user's own partnership."""
    membership = getattr(user, "membership", None)
    partnership = membership.partnership if membership is not None else w.north
    n = next(_serial)
    child = _person(partnership, "Matrix", f"Child{n}", date(2018, 1, 1))
    return {
        "occurred_at": "2026-03-04T22:15:00+00:00",
        "reported_by": membership.agency_id if membership is not None else w.police.pk,
        "reference": f"MATRIX/NEW/{n}",
        "children": [{"person": child.pk, "present": True, "seen": True, "spoken_to": False}],
        "dash": {"answers": {"q1": "yes"}},
    }


CSC = {code: 200 for code in ("MW", "MM", "SW", "TM", "SM")}

ENTRIES: list[Entry] = [
    # Any practitioner or manager records for their own agency; auditors and administrators do not record.
    Entry("api-incidents", fixed("/api/v1/incidents/"), statuses(201, API_ANON, AU=403, AD=403), method="POST",
          page=False, data=_create_body),
    Entry("api-incident", lambda w: f"/api/v1/incidents/{subject(w).pk}/",
          statuses(404, API_ANON, **CSC, PO=200, HV=200, AD=200), page=False),
    Entry("api-incident", lambda w: f"/api/v1/incidents/{shared_with_mental_health(w).pk}/",
          statuses(404, API_ANON, **CSC, PO=200, HV=200, MH=200, AD=200), page=False),
    # An inbox for schools, the police and children's social care (the other area's is empty); 404 elsewhere.
    Entry("api-encompass-notices", fixed("/api/v1/encompass-notices/"),
          statuses(200, API_ANON, HV=404, MH=404, AU=404), page=False),
    Entry("api-encompass-notice", lambda w: f"/api/v1/encompass-notices/{notice(w).pk}/",
          statuses(404, API_ANON, **CSC, PO=200, TE=200, AD=200), page=False),
]
