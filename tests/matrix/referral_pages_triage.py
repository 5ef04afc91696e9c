"""The MASH pages by persona (ACCESS.md: triage queue, referral detail, record a referral decision, request an
agency check), and the front-door records the page tests and browser tests build on.

Personas ask in turn (MW, MM, SW, TM, SM, PO, HV, MH, TE, AU, AD, OUT, then signed out) against one referral per
entry, so a write by one persona is what the next one finds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from agencies.models import Agency, User
from cases.models import Person
from cases.services.people import household_create, person_create
from referrals.models import Referral
from referrals.services import agency_check_request, referral_create, referral_decide
from tests.access_matrix_base import SIGN_IN_REDIRECT, Entry, fixed, statuses
from tests.conftest import World
from tests.factories import AgencyFactory


def years_ago(years: int, days: int = 40) -> date:
    return timezone.localdate() - timedelta(days=365 * years + days)


def child(world: World, given: str, family: str, years: int, *, by: User | None = None) -> Person:
    """A child recorded by children's social care (so the MASH may open the record)."""
    return person_create(partnership=world.north, by=by or world.sw, given_name=given, family_name=family,
                         date_of_birth=years_ago(years))


def siblings(world: World, family: str, *ages: tuple[str, int]) -> list[Person]:
    """Children of one household."""
    children = [child(world, given, family, years) for given, years in ages]
    household_create(partnership=world.north, by=world.sw, address=f"1 {family} Road\nNorthtown", members=children)
    return children


def referral(
    world: World,
    children: Sequence[Person],
    *,
    referrer: Agency | None = None,
    hours_ago: float = 2,
    urgency: str = Referral.Urgency.STANDARD,
    concerns: str = "Neighbours heard shouting and a child crying late at night.",
    categories: Sequence[str] = (Referral.Category.DOMESTIC_ABUSE,),
    consent: str = Referral.Consent.GIVEN,
    consent_reason: str = "",
) -> Referral:
    """A referral the MASH took by telephone from ``referrer`` (health visiting unless said otherwise)."""
    return referral_create(
        by=world.mw, received_at=timezone.now() - timedelta(hours=hours_ago),
        referrer_agency=referrer or world.health_visiting, referrer_name="Hana Visitor", children=children,
        concerns=concerns, categories=categories, urgency=urgency, consent=consent, consent_reason=consent_reason,
    )


def referral_checked(world: World, made: Referral, *, by: User | None = None) -> Referral:
    """The police asked what they know: the referral is shared with them as well."""
    agency_check_request(referral=made, by=by or world.mw, agency=world.police,
                         question="Any call-outs to the address?")
    return made


def decided(world: World, made: Referral, outcome: str = "child_and_family_assessment") -> Referral:
    referral_decide(referral=made, by=world.mm, outcome=outcome, rationale="Two young children and repeated shouting.")
    made.refresh_from_db()
    return made


@dataclass(frozen=True)
class Subjects:
    # Awaiting a decision, from health visiting, the police asked for a check; a second referral about a sibling.
    awaiting: Referral
    sibling: Referral
    # Decided (a child and family assessment) and not yet fed back.
    decided: Referral
    # An agency no persona works for, to ask without sharing the referral with a persona's agency.
    housing: Agency


def _make(w: World) -> Subjects:
    leo, kai = siblings(w, "Matrix", ("Leo", 8), ("Kai", 3))
    awaiting = referral_checked(w, referral(w, [leo], urgency=Referral.Urgency.URGENT))
    sibling = referral(w, [kai], hours_ago=5, concerns="Kai was seen with a bruise on his cheek at nursery.")
    (ava,) = siblings(w, "Decided", ("Ava", 6))
    return Subjects(awaiting=awaiting, sibling=sibling, decided=decided(w, referral_checked(w, referral(w, [ava]))),
                    housing=AgencyFactory.create(name="North Homes", kind=Agency.Kind.HOUSING, partnerships=[w.north]))


def subjects(w: World) -> Subjects:
    made: Subjects = w.once("referral_pages_triage", _make)
    return made


def _version(made: Referral) -> int:
    return Referral.objects.values_list("version", flat=True).get(pk=made.pk)


def _queue(w: World) -> str:
    subjects(w)
    return "/referrals/"


def _awaiting(suffix: str = "") -> Any:
    return lambda w: f"/referrals/{subjects(w).awaiting.pk}/{suffix}"


def _decided(suffix: str = "") -> Any:
    return lambda w: f"/referrals/{subjects(w).decided.pk}/{suffix}"


def _check_body(w: World, user: Any) -> dict[str, Any]:
    # The MASH worker asks health visiting (the referrer), the MASH manager housing: each a new question, so
    # each is sent, and no other persona's agency comes to see the referral.
    agency = w.health_visiting if user is not None and user == w.mw else subjects(w).housing
    return {"agency": agency.pk, "question": "Is the child known to you?"}


TRIAGE_QUEUE = statuses(403, SIGN_IN_REDIRECT, MW=200, MM=200, SM=200)
# Children's social care and administrators see every referral; the referrer (HV) and the agency asked for a
# check (PO) see it; the rest may not know it exists.
REFERRAL_DETAIL = statuses(404, SIGN_IN_REDIRECT, MW=200, MM=200, SW=200, TM=200, SM=200, PO=200, HV=200, AD=200)
# Refused to those who see the referral, told nothing otherwise.
SEEN_REFUSED = statuses(404, SIGN_IN_REDIRECT, MW=403, MM=403, SW=403, TM=403, SM=403, PO=403, HV=403, AD=403)
TRIAGE_ACT = {**SEEN_REFUSED, "MW": 302, "MM": 302}
CHECK_REQUEST_GET = {**SEEN_REFUSED, "MW": 200, "MM": 200}
DECIDE_GET = {**SEEN_REFUSED, "MM": 200, "SM": 200}
# The MASH manager decides; the senior manager, next, finds it decided: refused on the form, what they typed kept.
DECIDE_POST = {**SEEN_REFUSED, "MM": 302, "SM": 200}
FEEDBACK_GET = {**SEEN_REFUSED, "MW": 200, "MM": 200, "TM": 200, "SM": 200}
# The MASH worker records the feedback; the managers after find it recorded: refused on the form, typing kept.
FEEDBACK_POST = {**SEEN_REFUSED, "MW": 302, "MM": 200, "TM": 200, "SM": 200}

ENTRIES: list[Entry] = [
    Entry("triage-queue", _queue, TRIAGE_QUEUE),
    Entry("triage-queue", fixed("/referrals/"), TRIAGE_QUEUE, query=lambda w: {"rag": "unrated", "allocated": "me"}),
    Entry("referral-detail", _awaiting(), REFERRAL_DETAIL),
    Entry("referral-detail", _decided(), REFERRAL_DETAIL),
    Entry("referral-rate", _awaiting("rag/"), TRIAGE_ACT, method="POST",
          data=lambda w, u: {"rag": "red", "version": _version(subjects(w).awaiting)}),
    Entry("referral-allocate", _awaiting("allocate/"), TRIAGE_ACT, method="POST",
          data=lambda w, u: {"to": "me", "version": _version(subjects(w).awaiting)}),
    Entry("check-request", _awaiting("checks/new/"), CHECK_REQUEST_GET),
    Entry("check-request", _awaiting("checks/new/"), TRIAGE_ACT, method="POST", data=_check_body),
    Entry("referral-decide", _awaiting("decision/"), DECIDE_GET),
    Entry("referral-decide", _awaiting("decision/"), DECIDE_POST, method="POST",
          data=lambda w, u: {"outcome": "strategy_discussion", "rationale": "Bruising to a non-mobile baby."}),
    Entry("referral-feedback", _decided("feedback/"), FEEDBACK_GET),
    Entry("referral-feedback", _decided("feedback/"), FEEDBACK_POST, method="POST",
          data=lambda w, u: {"method": "phone", "note": "Spoke to the health visitor."}),
]
