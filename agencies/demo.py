"""The demo partnership: agencies of every kind and one user per role and agency (SPEC 9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from agencies import services
from agencies.models import Agency, ClosureDay, Partnership, Role, TrainingRecord, User
from agencies.training import courses_required

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
    # One hash of the shared demo password for every user: each hash takes the slow password hasher's time.
    password = make_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for username, role, first, last, manager_name in CSC_USERS:
        users[username] = services.user_create(
            username=username, password=password, password_hashed=True, agency=csc, role=role, first_name=first,
            last_name=last,
            email=f"{username}@northshire.example", line_manager=users.get(manager_name) if manager_name else None,
            teams=[mash] if role in (Role.MASH_MANAGER, Role.MASH_PRACTITIONER) else [],
        )
    for spec in OTHER_AGENCIES:
        agency = services.agency_create(
            name=spec.name, kind=spec.kind, health_kind=spec.health_kind, partnerships=[north],
            referral_source_code=spec.source,
        )
        manager = services.user_create(
            username=f"{spec.prefix}.manager", password=password, password_hashed=True, agency=agency,
            role=Role.TEAM_MANAGER,
            first_name="Manager", last_name=spec.name, email=f"{spec.prefix}.manager@northshire.example",
        )
        services.user_create(
            username=spec.prefix, password=password, password_hashed=True, agency=agency, role=Role.PRACTITIONER,
            first_name="Practitioner", last_name=spec.name, email=f"{spec.prefix}@northshire.example",
            line_manager=manager,
        )
    # Training compliance (the rule of agencies.training): 25 of the 40 staff in scope hold every course they
    # must (62.5% against the 90% target); four of them expire within 30 days, four have expired and eleven lack a
    # course. The social worker's DASH training (not one she must hold) lapsed ten days ago. Most courses were
    # done one to two and a half years ago and last three years, so a year ago compliance stood at 72.5%.
    records = []
    staff = User.objects.filter(membership__partnership=north).select_related("membership__agency")
    for index, user in enumerate(staff.order_by("username")):
        membership = user.membership
        done_ago = 400 + index * 37 % 500
        held = TRAINING_EXCEPTIONS.get(user.username, tuple(
            (course, done_ago, 3 * 365 - done_ago)
            for course in courses_required(membership.agency.kind, membership.role)
            or (TrainingRecord.Course.SAFEGUARDING_L3,)
        ))
        records += [TrainingRecord(user=user, course=course, completed_on=today - timedelta(days=completed_ago),
                                   expires_on=today + timedelta(days=expires_in))
                    for course, completed_ago, expires_in in held]
    TrainingRecord.objects.bulk_create(records)
    return True


_L2, _L3, _DASH = (TrainingRecord.Course.SAFEGUARDING_L2, TrainingRecord.Course.SAFEGUARDING_L3,
                   TrainingRecord.Course.DASH)
# Who holds what, where it is not simply every course they must hold, in date: (course, completed days ago,
# expires in days; negative: expired).
TRAINING_EXCEPTIONS: dict[str, tuple[tuple[str, int, int], ...]] = {
    # In date, expiring within 30 days.
    "mash.manager": ((_L3, 720, 12), (_DASH, 500, 595)),
    "team.manager": ((_L3, 725, 8),),
    "health.visitor": ((_L2, 710, 20),),
    "school.nurse.manager": ((_L3, 705, 25),),
    "social.worker": ((_L3, 600, 495), (_DASH, 375, -10)),
    # Expired.
    "mash.worker": ((_L3, 600, 495), (_DASH, 385, -20)),
    "police.officer": ((_L2, 770, -40), (_DASH, 500, 595)),
    "gp.manager": ((_L3, 745, -15),),
    "teacher": ((_L2, 790, -60),),
    # Missing a course they must hold (level 2 where a manager needs level 3), or holding none.
    "police.officer.manager": ((_L3, 100, 630),),  # no DASH training
    "cafcass.manager": ((_L2, 300, 430),),
    "housing.manager": ((_L2, 90, 640),),
    "probation.manager": ((_L2, 400, 330),),
    "camhs": (),
    "substance.misuse": (),
    "housing": (),
    "youth.justice": (),
    "da.worker": (),
    "ed.nurse": (),
    "early.help.manager": (),
}


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
