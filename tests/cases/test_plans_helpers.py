"""Builders the plan tests share: the Okafor family (``tests.cases.lived``) living together, and plans for the baby.

The mother, Ngozi, and her partner, Dean (who poses a risk to the children), live with the three children; the
baby's case involves North Health Visiting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from typing import Any

from django.utils import timezone

from cases.models import Case, Household, HouseholdMember, Person, Plan, Relationship
from cases.rules.plans import ActionDraft
from cases.services.plans import plan_create
from tests.cases.lived import LivedFamily, lived_family
from tests.conftest import World


@dataclass
class PlanFamily:
    lived: LivedFamily
    household: Household

    @property
    def child(self) -> Person:
        return self.lived.baby

    @property
    def case(self) -> Case:
        return self.lived.case_of(self.lived.baby)

    @property
    def mother(self) -> Person:
        return self.lived.mother

    @property
    def partner(self) -> Person:
        return self.lived.partner


def plan_family(w: World) -> PlanFamily:
    """The family, once per test (the access matrix builds it once for every persona)."""

    def make(world: World) -> PlanFamily:
        lived = lived_family(world)
        household = Household.objects.create(partnership=world.north, address="12 Mill Lane\nNorthtown",
                                             postcode="NT1 2AB")
        for member in (lived.mother, lived.partner, *lived.children):
            HouseholdMember.objects.create(partnership=world.north, household=household, person=member)
        for child in lived.children:
            Relationship.objects.create(partnership=world.north, person=lived.mother, other=child,
                                        kind=Relationship.Kind.PARENT)
        return PlanFamily(lived, household)

    family: PlanFamily = w.once("plan-family", make)
    return family


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def for_agency(agency: Any, text: str = "Visit the family at home weekly.", *, days: int = 14,
               owner: Any = None, action_id: int | None = None) -> ActionDraft:
    return ActionDraft(description=text, party="agency", due_by=in_days(days), agency_id=agency.pk,
                       owner_id=owner.pk if owner is not None else None, action_id=action_id)


def for_family(member: Person, party: str, text: str, *, days: int = 14) -> ActionDraft:
    return ActionDraft(description=text, party=party, due_by=in_days(days), family_member_id=member.pk)


def perpetrator_action(family: PlanFamily, days: int = 14) -> ActionDraft:
    return for_family(family.partner, "person_posing_risk",
                      "Dean will attend the domestic abuse perpetrator programme every week.", days=days)


def victim_action(family: PlanFamily) -> ActionDraft:
    return for_family(family.mother, "parent_or_carer",
                      "Ngozi will not let Dean into the house and will call the police if he comes.")


def make_plan(w: World, family: PlanFamily | None = None, *, kind: str = "child_in_need",
              actions: list[ActionDraft] | None = None, by: Any = None) -> Plan:
    family = family or plan_family(w)
    return plan_create(
        case=family.case, by=by or w.sw, kind=kind, what_must_change="Tobi must live free of violence at home.",
        starts_on=timezone.localdate(), review_by=in_days(90),
        actions=actions if actions is not None else [for_agency(w.police, "Check police records every month.")],
    )


def text(response: Any) -> str:
    """The page as a reader sees it: the words, without the markup."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
