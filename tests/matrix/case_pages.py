"""Access matrix: the case page, every persona.

The subject is the Okafor baby's child-in-need case (tests.cases.lived): children's social care (and its
administrator) see every case of the partnership; North Health Visiting is involved in it, so the health visitor
sees it; the police have the child's record but no part in the case, so, like every other agency, the auditor with
nothing sampled and the other area, they get a 404.
"""

from __future__ import annotations

from cases.models import Case
from tests.access_matrix_base import SIGN_IN_REDIRECT, Entry, statuses
from tests.cases.lived import lived_family
from tests.conftest import World


def baby_case(w: World) -> Case:
    def make(w: World) -> Case:
        family = lived_family(w)
        return family.case_of(family.baby)

    case: Case = w.once("case_pages_baby_case", make)
    return case


ENTRIES: list[Entry] = [
    Entry("case-detail", lambda w: f"/cases/{baby_case(w).pk}/",
          statuses(404, SIGN_IN_REDIRECT, MW=200, MM=200, SW=200, TM=200, SM=200, AD=200, HV=200)),
]
