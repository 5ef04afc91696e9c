"""A family with an open case, for the tests of the child's voice, attachments, plans and the chronology.

The Okafor family of North: three children (9, 6 and 1) living with their mother and her partner, who poses a
risk to them. Each child has a child-in-need case allocated to the social worker (``sw``); North Health Visiting
is involved in the baby's case, and each child's record is shared with health visiting and the police.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from cases.models import Case, Household, HouseholdMember, Person, Relationship
from cases.permissions import record_share_with
from tests.cases.test_incidents_helpers import person
from tests.conftest import World


@dataclass
class LivedFamily:
    eldest: Person
    middle: Person
    baby: Person
    mother: Person
    partner: Person
    cases: dict[int, Case]

    @property
    def children(self) -> list[Person]:
        return [self.eldest, self.middle, self.baby]

    def case_of(self, child: Person) -> Case:
        return self.cases[child.pk]


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


def lived_family(w: World, family_name: str = "Okafor") -> LivedFamily:
    eldest = person(w.north, "Chidi", family_name, years_ago(9), school=w.school)
    middle = person(w.north, "Adaeze", family_name, years_ago(6), school=w.school)
    baby = person(w.north, "Tobi", family_name, years_ago(1), health_visiting=w.health_visiting)
    mother = person(w.north, "Ngozi", family_name, years_ago(34))
    partner = person(w.north, "Dean", "Marsh", years_ago(36))
    for child in (eldest, middle, baby):
        Relationship.objects.create(partnership=w.north, person=partner, other=child,
                                    kind=Relationship.Kind.STEP_PARENT, poses_risk=True)
    cases: dict[int, Case] = {}
    for child in (eldest, middle, baby):
        case = Case.objects.create(partnership=w.north, child=child, status=Case.Status.CHILD_IN_NEED,
                                   opened_on=timezone.localdate() - timedelta(days=90), lead_professional=w.sw)
        cases[child.pk] = case
        for agency in (w.health_visiting, w.police):
            record_share_with(record=child, agency=agency, by=w.sw, what="The child's record, for the case.")
    cases[baby.pk].involved_agencies.add(w.health_visiting)
    return LivedFamily(eldest, middle, baby, mother, partner, cases)


def lived_family_at_home(w: World, family_name: str = "Okafor") -> LivedFamily:
    """The family, living together at one address (so each child's page knows the others as siblings)."""
    family = lived_family(w, family_name)
    household = Household.objects.create(partnership=w.north, address="7 Orchard Close\nNorthtown",
                                         postcode="NT2 3GH")
    for member in (family.mother, family.partner, *family.children):
        HouseholdMember.objects.create(partnership=w.north, household=household, person=member)
    return family
