"""Access matrix: chronology (ACCESS.md "person detail", "restricted record"), every persona.

A child's chronology is read as the child's record is: whoever may open the child (children's social care and
its administrator; the police, whose incident shared the child with them), a 404 for everyone else (the auditor
has no sampled case yet). A restricted child opens for the named social worker; the rest of children's social
care is shown the restricted notice (403), and may break glass. The downloads are not HTML pages, so they are
requested as the API is (``page=False``) and left out of the browser's walk of every page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from cases.models import Case, ChildVoice, Person, RestrictedAccess
from cases.services.incidents import ChildAtIncident, incident_create
from tests.access_matrix_base import API_ANON, SIGN_IN_REDIRECT, Entry, statuses
from tests.conftest import World
from tests.factories import PersonFactory

# Children's social care and its administrator, and the police (the child was at their incident).
OPENERS = statuses(404, SIGN_IN_REDIRECT, MW=200, MM=200, SW=200, TM=200, SM=200, AD=200, PO=200)
OPENERS_API = {**OPENERS, "ANON": API_ANON}
# The named social worker opens a restricted child; the rest of children's social care sees the notice.
RESTRICTED = statuses(404, SIGN_IN_REDIRECT, MW=403, MM=403, SW=200, TM=403, SM=403, AD=403)
RESTRICTED_API = {**RESTRICTED, "ANON": API_ANON}


def _child(w: World) -> Person:
    """A child with an open case, a police incident and a voice record: a chronology with something in it."""

    def make(w: World) -> Person:
        child = PersonFactory.create(by=w.sw, given_name="Kacper", family_name="Nowak", date_of_birth=date(2019, 4, 9))
        case = Case.objects.create(partnership=w.north, child=child, status=Case.Status.CHILD_IN_NEED,
                                   opened_on=timezone.localdate() - timedelta(days=30), lead_professional=w.sw)
        incident_create(partnership=w.north, by=w.po, occurred_at=timezone.now() - timedelta(days=20),
                        reported_by=w.police, reference="CHRON/1", summary="Raised voices; a door broken.",
                        children=(ChildAtIncident(child, resident=True, present=True, seen=True),))
        ChildVoice.objects.create(partnership=w.north, created_by=w.sw, child=child, case=case,
                                  recorded_at=timezone.now() - timedelta(days=5), practitioner=w.sw, agency=w.csc,
                                  method=ChildVoice.Method.PLAY, observations="Played at keeping the doors shut.")
        return child

    child: Person = w.once("chronology_child", make)
    return child


def _restricted(w: World) -> Person:
    def make(w: World) -> Person:
        child = PersonFactory.create(by=w.sw, given_name="Lena", family_name="Quist", date_of_birth=date(2017, 6, 6))
        Person.objects.filter(pk=child.pk).update(restricted=True)
        RestrictedAccess.objects.create(partnership=w.north, person=child, user=w.sw)
        return child

    child: Person = w.once("chronology_restricted", make)
    return child


def _path(person: Callable[[World], Person], suffix: str) -> Callable[[World], str]:
    return lambda w: f"/people/{person(w).pk}/{suffix}"


ENTRIES: list[Entry] = [
    Entry("chronology", _path(_child, "chronology/"), OPENERS),
    # Filtered: the form is filled in and the page still opens (and passes axe with its filters shown).
    Entry("chronology", _path(_child, "chronology/"), OPENERS, query=lambda w: {"kind": ["incident", "voice"]}),
    # A mistyped date: the error summary and the field's message (axe checks the page with its errors).
    Entry("chronology", _path(_child, "chronology/"), OPENERS,
          query=lambda w: {"since_day": "31", "since_month": "2", "since_year": "2026"}),
    Entry("chronology", _path(_restricted, "chronology/"), RESTRICTED),
    Entry("chronology-csv", _path(_child, "chronology.csv"), OPENERS, page=False),
    Entry("chronology-csv", _path(_restricted, "chronology.csv"), RESTRICTED, page=False),
    Entry("chronology-pdf", _path(_child, "chronology.pdf"), OPENERS, page=False),
    Entry("chronology-pdf", _path(_restricted, "chronology.pdf"), RESTRICTED, page=False),
    Entry("api-person-chronology", lambda w: f"/api/v1/people/{_child(w).pk}/chronology/", OPENERS_API, page=False),
    Entry("api-person-chronology", lambda w: f"/api/v1/people/{_restricted(w).pk}/chronology/", RESTRICTED_API,
          page=False),
]
