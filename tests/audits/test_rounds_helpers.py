"""Builders for the audit-round tests: North's cases to sample from, a round drawn over them, a referral, a
strategy meeting and an incident about a child."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from agencies.models import Role, User
from audits.models import AuditCase, AuditRound, ImprovementPlan, ImprovementTheme
from audits.services_rounds import AnswerGiven, audit_round_create
from cases.models import Case, Incident, IncidentChild, Person
from referrals.models import Referral
from referrals.services import referral_create
from strategy_meetings.models import StrategyMeeting
from strategy_meetings.services import meeting_convene
from tests.cases.test_incidents_helpers import person
from tests.conftest import World
from tests.factories import UserFactory

SEED = 20260401
GIVEN = ["Amara", "Bilal", "Cerys", "Dylan", "Esme", "Farid", "Greta", "Hamza", "Isla", "Jonah", "Kezia", "Luca",
         "Maya", "Nico", "Orla", "Priya", "Quinn", "Rhys", "Sana", "Theo"]


def cases_to_sample(w: World, count: int, family: str = "Sample") -> list[Case]:
    """``count`` open child-in-need cases of North, each for its own child, opened 90 days ago."""
    opened = timezone.localdate() - timedelta(days=90)
    cases = []
    for n in range(count):
        child = person(w.north, f"{GIVEN[n % len(GIVEN)]}{n // len(GIVEN) or ''}", family, date(2016, 3, 1 + n % 28))
        cases.append(Case.objects.create(partnership=w.north, child=child, status=Case.Status.CHILD_IN_NEED,
                                         opened_on=opened, lead_professional=w.sw))
    return cases


def round_drawn(w: World, size: int = 10, *, seed: int = SEED, auditors: tuple[User, ...] | None = None,
                theme: str = "Domestic abuse") -> AuditRound:
    return audit_round_create(partnership_id=w.north.pk, by=w.sm, theme=theme, sample_size=size, seed=seed,
                              auditor_ids=[u.pk for u in (auditors if auditors is not None else (w.au,))])


def sampled(audit_round: AuditRound) -> list[AuditCase]:
    return list(AuditCase.objects.filter(round=audit_round).select_related("case__child").order_by("position"))


def every_answer(answer: str = "yes") -> dict[str, AnswerGiven]:
    from audits.models import AuditQuestion

    return {q.value: AnswerGiven(answer, f"Comment on {q.value}.") for q in AuditQuestion}


def review_post(answer: str = "yes", grade: str = "good", version: int = 0) -> dict[str, str]:
    from audits.models import AuditQuestion

    body = {f"answer_{q.value}": answer for q in AuditQuestion}
    body |= {f"comment_{q.value}": f"Seen on file ({q.value})." for q in AuditQuestion}
    body |= {"grade": grade, "strengths": "Timely checks.", "concerns": "Voice thin.", "version": str(version)}
    return body


def referral_about(w: World, child: Person) -> Referral:
    return referral_create(by=w.mw, received_at=timezone.now() - timedelta(hours=3), referrer_agency=w.health_visiting,
                           children=[child], concerns="Bruise seen at a home visit.", consent="given")


def meeting_about(w: World, child: Person) -> StrategyMeeting:
    return meeting_convene(partnership=w.north, by=w.mm, children=[child],
                           threshold_met_at=timezone.now() - timedelta(hours=2), reason="Disclosure at school.")


def incident_about(w: World, child: Person) -> Incident:
    incident = Incident.objects.create(partnership=w.north, reported_by=w.police,
                                       occurred_at=timezone.now() - timedelta(days=3), summary="Call-out at home.")
    IncidentChild.objects.create(partnership=w.north, incident=incident, child=child, present=True)
    return incident


def improvement_theme(w: World, title: str = "Voice of the child") -> ImprovementTheme:
    plan = ImprovementPlan.objects.create(partnership=w.north, title="Partnership improvement plan 2026",
                                          starts_on=timezone.localdate().replace(day=1), created_by=w.sm)
    return ImprovementTheme.objects.create(partnership=w.north, plan=plan, title=title, position=1)


def second_auditor(w: World, agency=None) -> User:
    return UserFactory.create(username="au2", agency=agency or w.police, role=Role.AUDITOR, partnership=w.north)
