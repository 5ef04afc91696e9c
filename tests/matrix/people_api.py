"""Access matrix of the people, household and relationship API (ACCESS.md "person detail", "already known?")."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from agencies import two_factor
from cases.models import Person
from cases.permissions import record_share_with
from cases.services.people import person_create, records_may_create
from tests.access_matrix_base import API_ANON, Entry, fixed, statuses
from tests.conftest import World
from tests.factories import PASSWORD, authenticator_app, totp_code

_unique = count()

# Who may open a North child's record shared with the police (view only): children's social care
# and its admin, and the police; every other agency, the auditor (nothing sampled) and South: 404.
SHARED_WITH_POLICE = statuses(404, API_ANON, MW=200, MM=200, SW=200, TM=200, SM=200, AD=200, PO=200)
CREATE = statuses(201, API_ANON, AU=403)


def _north_child(w: World) -> Person:
    child = person_create(partnership=w.north, by=w.sw, given_name="Ava", family_name="Ashdown",
                          date_of_birth=date(2016, 5, 17))
    record_share_with(record=child, agency=w.police, what="Incident reported by the police", by=w.po)
    return child


def _mh_adult(w: World) -> Person:
    return person_create(partnership=w.north, by=w.mh, given_name="Dean", family_name="Ashdown",
                         date_of_birth=date(1988, 2, 3))


def _restricted_child(w: World) -> Person:
    child = person_create(partnership=w.north, by=w.sw, given_name="Rosa", family_name="Quill",
                          date_of_birth=date(2014, 9, 1))
    Person.objects.filter(pk=child.pk).update(restricted=True)
    record_share_with(record=child, agency=w.police, what="Incident reported by the police", by=w.po)
    child.refresh_from_db()
    return child


def north_child(w: World) -> Person:
    child: Person = w.once("north_child", _north_child)
    return child


def mh_adult(w: World) -> Person:
    adult: Person = w.once("mh_adult", _mh_adult)
    return adult


def restricted_child(w: World) -> Person:
    child: Person = w.once("north_restricted_child", _restricted_child)
    return child


def _person_body(w: World, user: Any) -> dict[str, Any]:
    return {"given_name": "Kai", "family_name": f"Newrecord{next(_unique)}", "date_of_birth": "2019-06-30"}


def _patch_body(w: World, user: Any) -> dict[str, Any]:
    person = north_child(w)
    return {"first_language": "English", "version": Person.objects.get(pk=person.pk).version}


def _relationship_body(w: World, user: Any) -> dict[str, Any]:
    if user is None or not records_may_create(user):
        return {"person": 1, "other": 2, "kind": "parent"}
    partnership = user.membership.partnership
    parent = person_create(partnership=partnership, by=user, given_name="Pat", family_name=f"Parent{next(_unique)}",
                           date_of_birth=date(1990, 1, 1))
    child = person_create(partnership=partnership, by=user, given_name="Cal", family_name=parent.family_name,
                          date_of_birth=date(2018, 1, 1))
    return {"person": parent.pk, "other": child.pk, "kind": "parent", "poses_risk": False}


def _merge_body(w: World, user: Any) -> dict[str, Any]:
    duplicate = person_create(partnership=w.north, by=w.sw, given_name="Eva", family_name="Ashdown",
                              date_of_birth=date(2016, 5, 17))
    return {"duplicate": duplicate.pk}


def _break_glass_body(world: Any, user: Any) -> dict[str, Any]:
    """A reason, and the password (with the app's code for a role that has one) to confirm it is them."""
    body = {"reason": "Strategy discussion needs the family history", "password": PASSWORD}
    if user is not None and two_factor.has_two_factor(user):
        body["code"] = totp_code(authenticator_app(user))
    return body


ENTRIES: list[Entry] = [
    Entry("api-people", fixed("/api/v1/people/"), CREATE, method="POST", page=False, data=_person_body),
    Entry("api-person", lambda w: f"/api/v1/people/{north_child(w).pk}/", SHARED_WITH_POLICE, page=False),
    # An adult recorded by mental health is shared with it.
    Entry("api-person", lambda w: f"/api/v1/people/{mh_adult(w).pk}/",
          statuses(404, API_ANON, MW=200, MM=200, SW=200, TM=200, SM=200, AD=200, MH=200), page=False),
    # A restricted record: those who could otherwise open it are told it exists and how to break glass.
    Entry("api-person", lambda w: f"/api/v1/people/{restricted_child(w).pk}/",
          statuses(404, API_ANON, MW=403, MM=403, SW=403, TM=403, SM=403, AD=403, PO=403), page=False),
    # Shared with the police to view, not to change.
    Entry("api-person", lambda w: f"/api/v1/people/{north_child(w).pk}/",
          statuses(404, API_ANON, MW=200, MM=200, SW=200, TM=200, SM=200, AD=200, PO=403),
          method="PATCH", page=False, data=_patch_body),
    Entry("api-people-known", fixed("/api/v1/people/known/"), statuses(200, API_ANON), page=False,
          query=lambda w: {"name": "Ava Ashdown", "date_of_birth": "2016-05-17"}),
    Entry("api-person-duplicates", lambda w: f"/api/v1/people/{north_child(w).pk}/duplicates/", SHARED_WITH_POLICE,
          page=False),
    Entry("api-person-merge", lambda w: f"/api/v1/people/{north_child(w).pk}/merge/",
          statuses(404, API_ANON, MW=403, MM=200, SW=403, TM=200, SM=200, AD=403, PO=403),
          method="POST", page=False, data=_merge_body),
    Entry("api-person-break-glass", lambda w: f"/api/v1/people/{restricted_child(w).pk}/break-glass/",
          statuses(404, API_ANON, MW=201, MM=201, SW=201, TM=201, SM=201, AD=201, PO=201),
          method="POST", page=False, data=_break_glass_body),
    Entry("api-households", fixed("/api/v1/households/"), CREATE, method="POST", page=False,
          data=lambda w, u: {"address": "1 High Street\nNorthtown", "postcode": "nt1 1aa"}),
    Entry("api-relationships", fixed("/api/v1/relationships/"), CREATE, method="POST", page=False,
          data=_relationship_body),
]

