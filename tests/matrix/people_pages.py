"""The people and household pages, every persona (ACCESS.md "person detail", "already known?", "restricted record").

The subjects are recorded by the social worker, so an agency other than children's social care has
not had them shared and gets a 404; the auditor has no sampled case yet, so a 404 as well.
"""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from cases.models import Household, Person, RestrictedAccess
from tests.access_matrix_base import SIGN_IN_REDIRECT, Entry, fixed, statuses
from tests.conftest import World
from tests.factories import HouseholdFactory, PersonFactory

_unique = count()

# Children's social care (and its administrator) see every record of the partnership.
CSC_ONLY = statuses(404, SIGN_IN_REDIRECT, MW=200, MM=200, SW=200, TM=200, SM=200, AD=200)
CSC_CHANGE = statuses(404, SIGN_IN_REDIRECT, MW=302, MM=302, SW=302, TM=302, SM=302, AD=302)
# Anyone working in a partnership records people and households, but an auditor.
RECORDERS_GET = statuses(200, SIGN_IN_REDIRECT, AU=403)
RECORDERS_POST = statuses(302, SIGN_IN_REDIRECT, AU=403)
# Merging: children's social care managers; other CSC staff see the record, so a 403.
MERGE_GET = {**CSC_ONLY, "MW": 403, "SW": 403, "AD": 403}
MERGE_POST = {**MERGE_GET, "MM": 302, "TM": 302, "SM": 302}
# A restricted record: the named social worker opens it; the rest of CSC see the notice (403) and may break glass.
RESTRICTED_DETAIL = {**CSC_ONLY, "MW": 403, "MM": 403, "TM": 403, "SM": 403, "AD": 403}
BREAK_GLASS_GET = {**CSC_ONLY, "SW": 302}
BREAK_GLASS_POST = CSC_CHANGE


def _child(w: World) -> Person:
    def make(w: World) -> Person:
        return PersonFactory.create(by=w.sw, given_name="Jayden", family_name="Smith", date_of_birth=date(2015, 3, 4))

    child: Person = w.once("people_pages_child", make)
    return child


def _restricted(w: World) -> Person:
    def make(w: World) -> Person:
        child = PersonFactory.create(by=w.sw, given_name="Rosa", family_name="Quinn", date_of_birth=date(2016, 2, 2))
        Person.objects.filter(pk=child.pk).update(restricted=True)
        RestrictedAccess.objects.create(partnership=w.north, person=child, user=w.sw)
        return child

    child: Person = w.once("people_pages_restricted", make)
    return child


def _household(w: World) -> Household:
    def make(w: World) -> Household:
        return HouseholdFactory.create(by=w.sw, address="12 Acacia Road\nNorthtown", members=[_child(w)])

    household: Household = w.once("people_pages_household", make)
    return household


def _person_body(w: World, user: Any) -> dict[str, Any]:
    n = next(_unique)
    return {"given_name": f"Matrix{n}", "family_name": f"Person{n}", "date_of_birth_day": "1",
            "date_of_birth_month": "2", "date_of_birth_year": "2019", "sex": "male", "confirm_new": "on"}


def _edit_body(w: World, user: Any) -> dict[str, Any]:
    child = Person.objects.get(pk=_child(w).pk)
    return {"given_name": child.given_name, "family_name": child.family_name, "date_of_birth_day": "4",
            "date_of_birth_month": "3", "date_of_birth_year": "2015", "first_language": "English",
            "version": child.version}


def _merge_body(w: World, user: Any) -> dict[str, Any]:
    duplicate = PersonFactory.create(by=w.sw, given_name="Jayden", family_name="Smith", date_of_birth=date(2015, 3, 4))
    return {"duplicate": duplicate.pk}


def _member_body(w: World, user: Any) -> dict[str, Any]:
    n = next(_unique)
    member = PersonFactory.create(by=w.sw, given_name=f"Member{n}", family_name="Smith", date_of_birth=date(1990, 1, 1))
    return {"person": member.pk}


def _child_path(suffix: str = "") -> Any:
    return lambda w: f"/people/{_child(w).pk}/{suffix}"


def _restricted_path(suffix: str = "") -> Any:
    return lambda w: f"/people/{_restricted(w).pk}/{suffix}"


ENTRIES: list[Entry] = [
    Entry("people-find", fixed("/people/"), statuses(200, SIGN_IN_REDIRECT), query=lambda w: {"q": "Jayden Smith"}),
    Entry("people-known", fixed("/people/known/"), statuses(200, SIGN_IN_REDIRECT),
          query=lambda w: {"name": _child(w).full_name, "date_of_birth_day": "4", "date_of_birth_month": "3",
                           "date_of_birth_year": "2015"}),
    Entry("person-create", fixed("/people/new/"), RECORDERS_GET),
    Entry("person-create", fixed("/people/new/"), RECORDERS_POST, method="POST", data=_person_body),
    Entry("person-duplicates", fixed("/people/duplicates/"), RECORDERS_GET,
          query=lambda w: {"given_name": "Jaden", "family_name": _child(w).family_name}),
    Entry("person-detail", _child_path(), CSC_ONLY),
    Entry("person-detail", _restricted_path(), RESTRICTED_DETAIL),
    Entry("person-edit", _child_path("edit/"), CSC_ONLY),
    Entry("person-edit", _child_path("edit/"), CSC_CHANGE, method="POST", data=_edit_body),
    Entry("person-merge", _child_path("merge/"), MERGE_GET),
    Entry("person-merge", _child_path("merge/"), MERGE_POST, method="POST", data=_merge_body),
    Entry("person-break-glass", _restricted_path("break-glass/"), BREAK_GLASS_GET),
    Entry("person-break-glass", _restricted_path("break-glass/"), BREAK_GLASS_POST, method="POST",
          data=lambda w, u: {"reason": "A strategy meeting about her sibling this afternoon"}),
    Entry("household-create", fixed("/households/new/"), RECORDERS_GET),
    Entry("household-create", fixed("/households/new/"), RECORDERS_POST, method="POST",
          data=lambda w, u: {"address": f"{next(_unique)} Mill Lane\nNorthtown", "postcode": "NT1 2AB"}),
    Entry("household-detail", lambda w: f"/households/{_household(w).pk}/", CSC_ONLY),
    Entry("household-detail", lambda w: f"/households/{_household(w).pk}/", CSC_CHANGE, method="POST",
          data=_member_body),
]
