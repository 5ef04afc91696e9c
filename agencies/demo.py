"""The demo partnership: agencies of every kind and one user per role and agency (SPEC 9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from agencies import services
from agencies.models import Agency, ClosureDay, Partnership, Role, TrainingRecord, User

DEMO_PASSWORD = "demo-safeguarding-2026"  # noqa: S105 (demo accounts only; printed and documented)
PARTNERSHIP_CODE = "NSP"

H = Agency.HealthKind
K = Agency.Kind
S = Agency.ReferralSource


@dataclass(frozen=True)
class DemoAgency:
    name: str
    kind: str
    health_kind: str
    source: str
    # username prefix for its practitioner; its manager is "<prefix>.manager"
    prefix: str


OTHER_AGENCIES = (
    DemoAgency("Northshire Police", K.POLICE, "", S.POLICE, "police.officer"),
    DemoAgency("Northshire Health Visiting", K.HEALTH, H.HEALTH_VISITING, S.HEALTH_VISITOR, "health.visitor"),
    DemoAgency("Riverside Medical Practice", K.HEALTH, H.GP, S.HEALTH_GP, "gp"),
    DemoAgency("Northshire Midwifery", K.HEALTH, H.MIDWIFERY, S.HEALTH_OTHER, "midwife"),
    DemoAgency("Northshire School Nursing", K.HEALTH, H.SCHOOL_NURSING, S.HEALTH_SCHOOL_NURSE, "school.nurse"),
    DemoAgency("Northshire General Emergency Department", K.HEALTH, H.EMERGENCY_DEPARTMENT, S.HEALTH_A_AND_E,
               "ed.nurse"),
    DemoAgency("Northshire Adult Mental Health", K.HEALTH, H.ADULT_MENTAL_HEALTH, S.HEALTH_OTHER, "mental.health"),
    DemoAgency("Northshire CAMHS", K.HEALTH, H.CAMHS, S.HEALTH_OTHER, "camhs"),
    DemoAgency("Northshire Substance Misuse Service", K.HEALTH, H.SUBSTANCE_MISUSE, S.HEALTH_OTHER,
               "substance.misuse"),
    DemoAgency("Northgate Primary School", K.EDUCATION, "", S.SCHOOLS, "teacher"),
    DemoAgency("Probation Service Northshire", K.PROBATION, "", S.OTHER_LEGAL, "probation"),
    DemoAgency("Northshire Youth Justice Service", K.YOUTH_JUSTICE, "", S.LA_OTHER_INTERNAL, "youth.justice"),
    DemoAgency("Cafcass", K.CAFCASS, "", S.OTHER_LEGAL, "cafcass"),
    DemoAgency("Northshire Homes", K.HOUSING, "", S.HOUSING, "housing"),
    DemoAgency("Northshire Early Help", K.EARLY_HELP, "", S.LA_EARLY_HELP, "early.help"),
    DemoAgency("Northshire Adult Social Care", K.ADULT_SOCIAL_CARE, "", S.LA_OTHER_INTERNAL, "adult.social.care"),
    DemoAgency("Northshire Domestic Abuse Service", K.VOLUNTARY, "", S.OTHER, "da.worker"),
)

# Children's social care: one user per role, with the line-management chain the chase ladder climbs.
CSC_USERS = (
    ("senior.manager", Role.SENIOR_MANAGER, "Helen", "Okonjo", None),
    ("mash.manager", Role.MASH_MANAGER, "Priya", "Shah", "senior.manager"),
    ("mash.worker", Role.MASH_PRACTITIONER, "Tom", "Reid", "mash.manager"),
    ("team.manager", Role.TEAM_MANAGER, "Grace", "Mensah", "senior.manager"),
    ("social.worker", Role.SOCIAL_WORKER, "Alex", "Morgan", "team.manager"),
    ("auditor", Role.AUDITOR, "Ruth", "Ellis", "senior.manager"),
    ("admin", Role.ADMIN, "Sam", "Patel", None),
)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    agency: str


def demo_logins() -> list[Login]:
    """Every demo account, in a stable order, as the command prints them."""
    return [
        Login(u.username, u.membership.get_role_display(), u.membership.agency.name)
        for u in User.objects.filter(membership__partnership__code=PARTNERSHIP_CODE)
        .select_related("membership__agency")
        .order_by("membership__agency__name", "username")
    ]


@transaction.atomic
def seed_demo(*, today: date) -> bool:
    """Create the demo partnership; False when it already exists (nothing is changed)."""
    if Partnership.objects.filter(code=PARTNERSHIP_CODE).exists():
        return False
    north = services.partnership_create(name="Northshire Safeguarding Partnership", code=PARTNERSHIP_CODE)
    ClosureDay.objects.bulk_create(
        [
            ClosureDay(partnership=north, date=date(today.year, 12, 29), reason="Christmas shutdown"),
            ClosureDay(partnership=north, date=date(today.year, 12, 30), reason="Christmas shutdown"),
            ClosureDay(partnership=north, date=date(today.year, 12, 31), reason="Christmas shutdown"),
        ]
    )
    csc = services.agency_create(
        name="Northshire Children's Services", kind=K.CHILDRENS_SOCIAL_CARE, partnerships=[north],
        referral_source_code=S.LA_SOCIAL_CARE,
    )
    mash = services.team_create(agency=csc, name="MASH")
    users: dict[str, User] = {}
    for username, role, first, last, manager_name in CSC_USERS:
        users[username] = services.user_create(
            username=username, password=DEMO_PASSWORD, agency=csc, role=role, first_name=first, last_name=last,
            email=f"{username}@northshire.example", line_manager=users.get(manager_name) if manager_name else None,
            teams=[mash] if role in (Role.MASH_MANAGER, Role.MASH_PRACTITIONER) else [],
        )
    for spec in OTHER_AGENCIES:
        agency = services.agency_create(
            name=spec.name, kind=spec.kind, health_kind=spec.health_kind, partnerships=[north],
            referral_source_code=spec.source,
        )
        manager = services.user_create(
            username=f"{spec.prefix}.manager", password=DEMO_PASSWORD, agency=agency, role=Role.TEAM_MANAGER,
            first_name="Manager", last_name=spec.name, email=f"{spec.prefix}.manager@northshire.example",
        )
        services.user_create(
            username=spec.prefix, password=DEMO_PASSWORD, agency=agency, role=Role.PRACTITIONER,
            first_name="Practitioner", last_name=spec.name, email=f"{spec.prefix}@northshire.example",
            line_manager=manager,
        )
    # Training compliance: most current, the social worker's DASH training lapsed ten days ago.
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(user=user, course=TrainingRecord.Course.SAFEGUARDING_L3,
                           completed_on=today - timedelta(days=200), expires_on=today + timedelta(days=530))
            for user in users.values()
        ]
        + [
            TrainingRecord(user=users["social.worker"], course=TrainingRecord.Course.DASH,
                           completed_on=today - timedelta(days=375), expires_on=today - timedelta(days=10)),
        ]
    )
    return True


# -- What every app's demo story uses -----------------------------------------------------------------------


def demo_user(username: str) -> User:
    """A demo user, with their agency and partnership, as the services expect them."""
    return User.objects.select_related("membership__agency", "membership__partnership").get(username=username)


def demo_agency(partnership: Partnership, name: str) -> Agency:
    return Agency.objects.get(partnerships=partnership, name=name)


def born_ago(today: date, years: int, months: int = 0) -> date:
    """A date of birth making someone ``years`` and ``months`` old today (days past the 28th fall back to it)."""
    year, month = divmod(today.year * 12 + today.month - 1 - (years * 12 + months), 12)
    return date(year, month + 1, min(today.day, 28))
