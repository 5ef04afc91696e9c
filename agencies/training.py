"""Training compliance (SPEC 3.1): which courses each member of staff must hold, and who holds them in date.

The rule, as safeguarding partnerships' training strategies set it out:
- everyone who works in a partnership (administrators aside) holds safeguarding children level 2;
- children's social care staff, MASH staff and every agency's managers hold level 3 instead;
- police staff and MASH staff also hold DASH risk-assessment training.
A higher level counts for a lower one. A record is in date from the day it was completed through the day it
expires (as the expired-training chase counts it: chased from the working day after). Compliance is computed
in the database (one query per list or figure), never row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When

from agencies.models import Agency, Role, TrainingRecord, User
from agencies.roles import MANAGERS, MASH_ROLES

Course = TrainingRecord.Course
# What counts for a required course: a higher safeguarding level counts for a lower one.
COUNTS_FOR: dict[str, tuple[str, ...]] = {
    Course.SAFEGUARDING_L1: (Course.SAFEGUARDING_L1, Course.SAFEGUARDING_L2, Course.SAFEGUARDING_L3),
    Course.SAFEGUARDING_L2: (Course.SAFEGUARDING_L2, Course.SAFEGUARDING_L3),
    Course.SAFEGUARDING_L3: (Course.SAFEGUARDING_L3,),
    Course.DASH: (Course.DASH,),
}
LEVEL_2_OR_ABOVE = COUNTS_FOR[Course.SAFEGUARDING_L2]


def level_3_required(kind: str, role: str) -> bool:
    return kind == Agency.Kind.CHILDRENS_SOCIAL_CARE or role in MASH_ROLES or role in MANAGERS


def dash_required(kind: str, role: str) -> bool:
    return kind == Agency.Kind.POLICE or role in MASH_ROLES


def courses_required(kind: str, role: str) -> tuple[str, ...]:
    """The courses a member of staff of this kind of agency, in this role, must hold (none for administrators)."""
    if role == Role.ADMIN:
        return ()
    safeguarding = Course.SAFEGUARDING_L3 if level_3_required(kind, role) else Course.SAFEGUARDING_L2
    return (safeguarding, Course.DASH) if dash_required(kind, role) else (safeguarding,)


def _level_3_q() -> Q:
    return Q(membership__agency__kind=Agency.Kind.CHILDRENS_SOCIAL_CARE) | Q(
        membership__role__in=[*MASH_ROLES, *MANAGERS]
    )


def _dash_q() -> Q:
    return Q(membership__agency__kind=Agency.Kind.POLICE) | Q(membership__role__in=list(MASH_ROLES))


def _holds(courses: Iterable[str], as_of: date) -> Exists:
    return Exists(
        TrainingRecord.objects.filter(
            user=OuterRef("pk"), course__in=list(courses), completed_on__lte=as_of, expires_on__gte=as_of
        )
    )


def record_still_needed(*, course: str, expires_on: date, pk: int, required: tuple[str, ...],
                        others: list[tuple[str, date, int]]) -> bool:
    """Whether a record is what meets one of the member of staff's required courses: it counts for a required
    course, and no other record of theirs counting for that course lasts longer (``others``: their records as
    (course, expires on, id)). An expiring level 3 is needed by someone who must hold level 2; an expiring
    level 2 is not, once they hold a newer level 3."""
    for needed in required:
        if course not in COUNTS_FOR[needed]:
            continue
        if not any(other_course in COUNTS_FOR[needed] and (other_expires, other_pk) > (expires_on, pk)
                   for other_course, other_expires, other_pk in others):
            return True
    return False


def staff_in_scope(*, partnership_id: int, agency_id: int | None = None, team_id: int | None = None) -> QuerySet[User]:
    """Active staff working in the partnership whose training counts (administrators aside)."""
    staff = User.objects.filter(is_active=True, membership__partnership_id=partnership_id).exclude(
        membership__role=Role.ADMIN
    )
    if agency_id is not None:
        staff = staff.filter(membership__agency_id=agency_id)
    if team_id is not None:
        staff = staff.filter(membership__teams__id=team_id)
    return staff


def staff_with_compliance(staff: QuerySet[User], *, as_of: date) -> QuerySet[Any]:
    """``staff`` annotated with ``holds_level_3``, ``holds_level_2``, ``holds_dash`` and ``compliant``.

    Users still (typed ``Any`` so that callers may filter and count on the annotations).
    """
    return staff.annotate(
        holds_level_3=_holds([Course.SAFEGUARDING_L3], as_of),
        holds_level_2=_holds(LEVEL_2_OR_ABOVE, as_of),
        holds_dash=_holds([Course.DASH], as_of),
    ).annotate(
        compliant=Case(
            When(_level_3_q() & Q(holds_level_3=False), then=Value(False)),
            When(~_level_3_q() & Q(holds_level_2=False), then=Value(False)),
            When(_dash_q() & Q(holds_dash=False), then=Value(False)),
            default=Value(True),
            output_field=BooleanField(),
        )
    )
