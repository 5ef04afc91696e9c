"""Builders the incident, DASH, Encompass and import tests share (people are made directly, not through a service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rest_framework.test import APIClient

from agencies.models import Partnership
from agencies.rules import DEFAULT_TZ
from cases.models import Incident, Person
from cases.rules import dash as dash_rules
from cases.services.incidents import ChildAtIncident, DashInput, incident_create
from tests.conftest import World


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DEFAULT_TZ)


def person(
    partnership: Partnership, given: str, family: str, born: date | None = None, **extra: Any
) -> Person:
    return Person.objects.create(
        partnership=partnership, given_name=given, family_name=family, date_of_birth=born,
        search_name=f"{given} {family}".lower(), **extra,
    )


@dataclass
class Family:
    mother: Person
    father: Person
    ellie: Person  # 9 in 2026, at Northgate Primary, health visiting recorded
    baby: Person  # 1 in 2026, health visiting recorded: not school age


def ashdowns(world: World) -> Family:
    """The seeds' household: a mother, the alleged perpetrator, a pupil and a baby (built once per test)."""

    def make(w: World) -> Family:
        return Family(
            mother=person(w.north, "Kerry", "Ashdown", date(1992, 5, 1)),
            father=person(w.north, "Dean", "Ashdown", date(1989, 2, 11)),
            ellie=person(w.north, "Ellie", "Ashdown", date(2017, 3, 3), school=w.school,
                         health_visiting=w.health_visiting),
            baby=person(w.north, "Alfie", "Ashdown", date(2025, 6, 1), health_visiting=w.health_visiting),
        )

    family: Family = world.once("ashdowns", make)
    return family


def answers(yes: int, *, questions: tuple[dash_rules.DashQuestion, ...] = dash_rules.QUESTIONS) -> dict[str, str]:
    """A full set of answers with the first ``yes`` questions answered yes."""
    return {q.id: ("yes" if i < yes else "no") for i, q in enumerate(questions)}


_refs = iter(range(1, 10**6))


def record(
    world: World,
    family: Family,
    occurred_at: datetime,
    *,
    by: Any = None,
    yes: int | None = 3,
    judgement: str = "",
    children: tuple[ChildAtIncident, ...] | None = None,
    reference: str | None = None,
) -> Incident:
    """A police incident at the Ashdowns' (the mother the victim, the father the alleged perpetrator)."""
    by = by or world.po
    return incident_create(
        partnership=world.north,
        by=by,
        occurred_at=occurred_at,
        reported_by=by.membership.agency,
        reference=reference if reference is not None else f"DA/{next(_refs):06d}",
        location="12 Mill Lane",
        summary="Neighbours called police to shouting; the mother had a cut lip.",
        victims=[family.mother],
        perpetrators=[family.father],
        children=children if children is not None else (
            ChildAtIncident(family.ellie, resident=True, present=True, seen=True, spoken_to=True),
            ChildAtIncident(family.baby, resident=True, present=True, seen=True),
        ),
        dash=None if yes is None else DashInput(
            answers=answers(yes), professional_judgement_level=judgement,
            professional_judgement_reason="Officer's concern about escalation" if judgement else "",
        ),
    )


def api_as(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
