"""A synthetic partnership at any fraction of SPEC 7.1's size, for the benchmark (``manage.py generate_partnership``).

At full size: 150,000 children, 250,000 adults in 100,000 households, 1,000,000 police incidents over ten years,
400,000 referrals, 60,000 strategy meetings, 2,000 staff in 40 agencies. The staff are made through the same
services as real staff (``agencies.services``); the records are written set by set in PostgreSQL
(``agencies.synthetic_records``), which makes the full size in minutes rather than days.

Every size has the same shape, so a page measured on the 1/100 data set and on the full one does the same work
over more history: the same share of families with repeat incidents, the same longest chronologies, and the same
front door today (a day's referrals waiting for a decision, the meetings due now).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from agencies import services
from agencies.chasers import chase_run
from agencies.demo import DEMO_PASSWORD
from agencies.models import Agency, Partnership, Role, Team, TrainingRecord, User
from agencies.synthetic_records import Ids, records_generate
from agencies.training import courses_required

H = Agency.HealthKind
K = Agency.Kind
S = Agency.ReferralSource

CODE = "WSP"
NAME = "Westmere Safeguarding Partnership"
PLACE = "Westmere"

# (name, kind, health kind, referral source, share of the partner agencies' staff)
PARTNERS: tuple[tuple[str, str, str, str, float], ...] = (
    (f"{PLACE} Constabulary", K.POLICE, "", S.POLICE, 8.0),
    (f"{PLACE} Constabulary Public Protection Unit", K.POLICE, "", S.POLICE, 3.0),
    (f"{PLACE} Health Visiting", K.HEALTH, H.HEALTH_VISITING, S.HEALTH_VISITOR, 4.0),
    (f"{PLACE} Midwifery", K.HEALTH, H.MIDWIFERY, S.HEALTH_OTHER, 2.5),
    (f"{PLACE} School Nursing", K.HEALTH, H.SCHOOL_NURSING, S.HEALTH_SCHOOL_NURSE, 2.0),
    (f"{PLACE} General Hospital Emergency Department", K.HEALTH, H.EMERGENCY_DEPARTMENT, S.HEALTH_A_AND_E, 3.0),
    (f"{PLACE} Royal Infirmary Emergency Department", K.HEALTH, H.EMERGENCY_DEPARTMENT, S.HEALTH_A_AND_E, 2.0),
    (f"{PLACE} Adult Mental Health", K.HEALTH, H.ADULT_MENTAL_HEALTH, S.HEALTH_OTHER, 2.0),
    (f"{PLACE} CAMHS", K.HEALTH, H.CAMHS, S.HEALTH_OTHER, 2.0),
    (f"{PLACE} Recovery Service", K.HEALTH, H.SUBSTANCE_MISUSE, S.HEALTH_OTHER, 1.5),
    *((f"{name} Surgery", K.HEALTH, H.GP, S.HEALTH_GP, 1.0)
      for name in ("Abbey Road", "Castle Street", "Millbrook", "Orchard", "Riverside", "Station Lane")),
    *((f"{name} School", K.EDUCATION, "", S.SCHOOLS, 1.0)
      for name in ("Ashgrove Primary", "Bridgefield Primary", "Churchill Academy", "Dale Park Primary",
                   "Elmwood Primary", "Fernhill Secondary", "Greenacre Primary", "Hollybank Academy",
                   "Kingsmead Secondary", "Larkrise Primary", "Meadowside Primary", "Northfield High",
                   "Oakridge Primary", "Priory Academy")),
    (f"National Probation Service {PLACE}", K.PROBATION, "", S.OTHER_LEGAL, 3.0),
    (f"{PLACE} Youth Justice Service", K.YOUTH_JUSTICE, "", S.LA_OTHER_INTERNAL, 2.0),
    (f"Cafcass {PLACE}", K.CAFCASS, "", S.OTHER_LEGAL, 1.0),
    (f"{PLACE} Homes", K.HOUSING, "", S.HOUSING, 1.5),
    (f"{PLACE} Housing Options", K.HOUSING, "", S.HOUSING, 1.0),
    (f"{PLACE} Early Help", K.EARLY_HELP, "", S.LA_EARLY_HELP, 4.0),
    (f"{PLACE} Adult Social Care", K.ADULT_SOCIAL_CARE, "", S.LA_OTHER_INTERNAL, 3.0),
    (f"{PLACE} Women's Aid", K.VOLUNTARY, "", S.OTHER, 1.5),
    (f"{PLACE} Domestic Abuse Partnership", K.VOLUNTARY, "", S.OTHER, 1.5),
)
CSC_NAME = f"{PLACE} Children's Services"
CSC_TEAMS = ("MASH", "Assessment North", "Assessment South", "Child Protection East", "Child Protection West",
             "Children in Need")
# Children's social care's share of all staff, and its staff by role (shares of its own).
CSC_SHARE = 0.3
CSC_ROLES = (
    (Role.SENIOR_MANAGER, 0.02), (Role.MASH_MANAGER, 0.03), (Role.MASH_PRACTITIONER, 0.2),
    (Role.TEAM_MANAGER, 0.08), (Role.SOCIAL_WORKER, 0.63), (Role.AUDITOR, 0.02), (Role.ADMIN, 0.02),
)


@dataclass(frozen=True)
class Size:
    """How many of each record a fraction of SPEC 7.1's partnership holds."""

    fraction: float
    children: int
    adults: int
    households: int
    incidents: int
    referrals: int
    meetings: int
    staff: int
    # A day's referrals at the front door, and the strategy meetings due now: the same at every size.
    queue: int = 150

    @classmethod
    def of(cls, fraction: float) -> Size:
        if not 0 < fraction <= 1:
            raise ValueError("The fraction is more than 0 and at most 1.")

        def scaled(full: int, least: int) -> int:
            return max(least, round(full * fraction))

        return cls(
            fraction=fraction, children=scaled(150_000, 60), adults=scaled(250_000, 100),
            households=scaled(100_000, 40), incidents=scaled(1_000_000, 400), referrals=scaled(400_000, 160),
            meetings=scaled(60_000, 24),
            # Four staff an agency at least, whatever the fraction: every agency has a manager and practitioners.
            staff=scaled(2_000, 160),
        )


@dataclass
class Staff:
    """The users the records name, by the part they play."""

    mash: list[int] = field(default_factory=list)
    social_workers: list[int] = field(default_factory=list)
    team_managers: list[int] = field(default_factory=list)
    police: list[int] = field(default_factory=list)
    csc_teams: list[int] = field(default_factory=list)
    # One practitioner of each partner agency, who answers its checks: {agency id: user id}
    answerers: dict[int, int] = field(default_factory=dict)


def partnership_generate(
    *, fraction: float, now: datetime, seed: int = 1, say: Callable[[str], None] = lambda _: None
) -> Partnership:
    """Make the synthetic partnership (``CODE``) at ``fraction`` of full size; ValueError if it exists."""
    size = Size.of(fraction)
    if Partnership.objects.filter(code=CODE).exists():
        raise ValueError(f"The synthetic partnership {CODE} is already in this database.")
    with transaction.atomic():
        partnership, agencies, staff = _staff_generate(size, now=now, seed=seed)
        say(f"{1 + len(agencies.partners)} agencies and {size.staff:,} staff")
        records_generate(
            partnership=partnership, size=size, now=now, seed=seed, agencies=agencies, staff=staff, say=say
        )
        # The reminders and escalations a decade of this work would have sent: every chaser run once, as at now,
        # so the partnership is as beat leaves it and the next sweep has only the new to send.
        results = chase_run(now=now)
        say(f"{sum(r.reminders + r.escalations for r in results):>10,} chases sent")
    return partnership


def _staff_generate(size: Size, *, now: datetime, seed: int) -> tuple[Partnership, Ids, Staff]:
    rng = random.Random(seed)  # noqa: S311 (made-up names and dates, not secrets)
    partnership = services.partnership_create(name=NAME, code=CODE)
    csc = services.agency_create(name=CSC_NAME, kind=K.CHILDRENS_SOCIAL_CARE, partnerships=[partnership],
                                 referral_source_code=S.LA_SOCIAL_CARE)
    teams = [services.team_create(agency=csc, name=name) for name in CSC_TEAMS]
    partners = [
        services.agency_create(name=name, kind=kind, health_kind=health_kind, partnerships=[partnership],
                               referral_source_code=source)
        for name, kind, health_kind, source, _ in PARTNERS
    ]
    password = make_password(DEMO_PASSWORD)
    staff = Staff(csc_teams=[team.pk for team in teams])
    made: list[User] = []

    def user(agency: Agency, role: str, number: int, manager: User | None, team: list[Team]) -> User:
        first = rng.choice(_FIRST_NAMES)
        last = rng.choice(_FAMILY_NAMES)
        prefix = "csc" if agency.pk == csc.pk else f"a{agency.pk}"
        username = f"{CODE.lower()}.{prefix}.{role}.{number:04d}"
        made.append(services.user_create(
            username=username, password=password, password_hashed=True, agency=agency, role=role,
            first_name=first, last_name=last, email=f"{username}@westmere.example", line_manager=manager,
            teams=team,
        ))
        return made[-1]

    csc_staff = round(size.staff * CSC_SHARE)
    counts = {role: max(1, round(csc_staff * share)) for role, share in CSC_ROLES}
    senior = [user(csc, Role.SENIOR_MANAGER, n, None, []) for n in range(counts[Role.SENIOR_MANAGER])]
    mash_managers = [user(csc, Role.MASH_MANAGER, n, senior[n % len(senior)], [teams[0]])
                     for n in range(counts[Role.MASH_MANAGER])]
    staff.mash = [u.pk for u in mash_managers]
    for n in range(counts[Role.MASH_PRACTITIONER]):
        staff.mash.append(user(csc, Role.MASH_PRACTITIONER, n, mash_managers[n % len(mash_managers)],
                               [teams[0]]).pk)
    managers = [user(csc, Role.TEAM_MANAGER, n, senior[n % len(senior)], [teams[1 + n % (len(teams) - 1)]])
                for n in range(counts[Role.TEAM_MANAGER])]
    staff.team_managers = [u.pk for u in managers]
    for n in range(counts[Role.SOCIAL_WORKER]):
        manager = managers[n % len(managers)]
        staff.social_workers.append(user(csc, Role.SOCIAL_WORKER, n, manager,
                                         list(manager.membership.teams.all())).pk)
    for role in (Role.AUDITOR, Role.ADMIN):
        for n in range(counts[role]):
            user(csc, role, n, senior[0] if role == Role.AUDITOR else None, [])
    partner_staff = size.staff - len(made)
    weights = sum(share for *_, share in PARTNERS)
    for agency, (*_, share) in zip(partners, PARTNERS, strict=True):
        count = max(4, round(partner_staff * share / weights))
        manager = user(agency, Role.TEAM_MANAGER, 0, None, [])
        practitioners = [user(agency, Role.PRACTITIONER, n, manager, []) for n in range(count - 1)]
        staff.answerers[agency.pk] = practitioners[0].pk
        if agency.kind == K.POLICE:
            staff.police += [u.pk for u in practitioners]
    _training_generate(made, now=now, rng=rng)
    agencies = Ids(
        csc=csc.pk,
        police=[a.pk for a in partners if a.kind == K.POLICE],
        schools=[a.pk for a in partners if a.kind == K.EDUCATION],
        gps=[a.pk for a in partners if a.health_kind == H.GP],
        health_visiting=next(a.pk for a in partners if a.health_kind == H.HEALTH_VISITING),
        partners=[a.pk for a in partners],
        sources=[a.referral_source_code for a in partners],
        names=[a.name for a in partners],
    )
    return partnership, agencies, staff


def _training_generate(users: list[User], *, now: datetime, rng: random.Random) -> None:
    """Each course every member of staff must hold, done one to four years ago and lasting three years."""
    today = now.date()
    records = []
    for user in users:
        membership = user.membership
        for course in courses_required(membership.agency.kind, membership.role):
            done = today - timedelta(days=rng.randint(200, 1300))
            records.append(TrainingRecord(user=user, course=course, completed_on=done,
                                          expires_on=_years_after(done, 3)))
    TrainingRecord.objects.bulk_create(records)


def _years_after(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


_FIRST_NAMES = ("Aisha", "Ben", "Chloe", "Daniel", "Emma", "Farah", "George", "Hannah", "Imran", "Jess", "Kwame",
                "Laura", "Mohammed", "Nina", "Owen", "Priya", "Rachel", "Sean", "Tariq", "Zoe")
_FAMILY_NAMES = ("Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones",
                 "Khan", "Lewis", "Mitchell", "Nowak", "O'Neill", "Patel", "Roberts", "Singh", "Taylor", "Walker")
