"""Incident, escalating-review and Operation Encompass pages by persona (ACCESS.md: incident detail,
Operation Encompass notice)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from cases.models import EncompassNotice, Incident, Person, PersonFlag
from cases.services.incidents import ChildAtIncident, DashInput, incident_create
from tests.access_matrix_base import SIGN_IN_REDIRECT, Entry, fixed, statuses
from tests.conftest import World


@dataclass(frozen=True)
class Subjects:
    incident: Incident
    # Leo's notice went to his school; Kai has no school recorded, so his is waiting for one.
    notice: EncompassNotice
    notice_unsent: EncompassNotice
    flag: PersonFlag


def _person(w: World, given: str, family: str, born: date, **extra: Any) -> Person:
    return Person.objects.create(partnership=w.north, given_name=given, family_name=family, date_of_birth=born,
                                 search_name=f"{given} {family}".lower(), **extra)


def _make(w: World) -> Subjects:
    """Three police call-outs to the Matrix household in a year: the third flags Leo escalating."""
    amira = _person(w, "Amira", "Matrix", date(1991, 4, 2))
    dean = _person(w, "Dean", "Matrix", date(1989, 9, 9))
    leo = _person(w, "Leo", "Matrix", timezone.localdate() - timedelta(days=365 * 8),
                  school=w.school, health_visiting=w.health_visiting)
    kai = _person(w, "Kai", "Matrix", timezone.localdate() - timedelta(days=365 * 10))
    incident = None
    for days_ago in (200, 100, 2):
        incident = incident_create(
            partnership=w.north, by=w.po, reported_by=w.police, occurred_at=timezone.now() - timedelta(days=days_ago),
            reference=f"MX-{days_ago}", victims=[amira], perpetrators=[dean],
            children=[ChildAtIncident(leo, present=True, seen=True), ChildAtIncident(kai)],
            dash=DashInput({"q1": "yes", "q2": "yes", "q3": "no"}),
        )
    assert incident is not None
    return Subjects(
        incident=incident,
        notice=EncompassNotice.objects.get(incident=incident, child=leo),
        notice_unsent=EncompassNotice.objects.get(incident=incident, child=kai),
        flag=PersonFlag.objects.get(person=leo, kind=PersonFlag.Kind.ESCALATING),
    )


def subjects(w: World) -> Subjects:
    made: Subjects = w.once("incident_pages_incident", _make)
    return made


ANYONE_SIGNED_IN = statuses(200, SIGN_IN_REDIRECT)
# incident_create_check: auditors and administrators do not record casework.
RECORDERS = statuses(200, SIGN_IN_REDIRECT, AU=403, AD=403)
INCIDENT_DETAIL = statuses(404, SIGN_IN_REDIRECT, MW=200, MM=200, SW=200, TM=200, SM=200, PO=200, HV=200, AD=200)
ENCOMPASS_LIST = statuses(200, SIGN_IN_REDIRECT, HV=403, MH=403, AU=403)
ENCOMPASS_NOTICE = statuses(404, SIGN_IN_REDIRECT, MW=200, MM=200, SW=200, TM=200, SM=200, PO=200, TE=200, AD=200)
# Only the police force that reported it chooses the school; others who see the notice are refused. Personas
# ask in turn: by the teacher's turn the officer has sent it to the teacher's school, so the teacher sees it.
ENCOMPASS_SEND = statuses(404, SIGN_IN_REDIRECT, MW=403, MM=403, SW=403, TM=403, SM=403, PO=302, TE=403, AD=403)
# MASH and senior managers review; others who may open the child's record are refused, the rest told nothing.
ESCALATING_REVIEW_GET = statuses(404, SIGN_IN_REDIRECT, MW=403, MM=200, SW=403, TM=403, SM=200, PO=403, HV=403,
                                 AD=403)
ESCALATING_REVIEW_POST = {**ESCALATING_REVIEW_GET, "MM": 302, "SM": 302}

ENTRIES: list[Entry] = [
    Entry("incident-list", fixed("/incidents/"), ANYONE_SIGNED_IN),
    Entry("incident-create", fixed("/incidents/new/"), RECORDERS),
    # Nothing filled in: the form comes back with its errors, and nothing is recorded.
    Entry("incident-create", fixed("/incidents/new/"), RECORDERS, method="POST",
          data=lambda w, u: {"action": "record"}),
    Entry("incident-detail", lambda w: f"/incidents/{subjects(w).incident.pk}/", INCIDENT_DETAIL),
    Entry("escalating-review", lambda w: f"/escalating/{subjects(w).flag.pk}/review/", ESCALATING_REVIEW_GET),
    Entry("escalating-review", lambda w: f"/escalating/{subjects(w).flag.pk}/review/", ESCALATING_REVIEW_POST,
          method="POST", data=lambda w, u: {"note": "Reviewed the household's history; strategy discussion held."}),
    Entry("encompass-list", fixed("/encompass/"), ENCOMPASS_LIST),
    Entry("encompass-detail", lambda w: f"/encompass/{subjects(w).notice.pk}/", ENCOMPASS_NOTICE),
    Entry("encompass-send", lambda w: f"/encompass/{subjects(w).notice_unsent.pk}/send/", ENCOMPASS_SEND,
          method="POST", data=lambda w, u: {"school": w.school.pk}),
]
