"""What the training compliance pages read (SPEC 3.1): whose training a manager sees, compliance per agency against
the partnership's target, an agency's staff with their courses, and one member of staff's records.

Who sees whom:
- administrators and the senior manager of children's social care: the whole partnership;
- another agency's senior manager: their own agency;
- team managers and MASH managers: the staff of their own agency in their team(s), and those they line-manage.
Everyone else (practitioners, social workers, auditors) may not see these pages (403). A member of staff's
record is opened, and their courses recorded, by their line manager, a manager of the same agency, the senior
manager or an administrator; a member of staff may read their own.
Compliance is computed in the database by ``agencies.training`` (one query for every agency).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from agencies.models import Agency, Membership, Role, TrainingRecord, User
from agencies.roles import MANAGERS, leads_partnership
from agencies.selectors import membership_of
from agencies.training import COUNTS_FOR, courses_required, staff_in_scope, staff_with_compliance
from audits.services import access_record

# A record expiring within this many days is flagged (and chased: audits.chasers.training_expiring).
EXPIRING_SOON_DAYS = 30
WHOLE_PARTNERSHIP = "partnership"
OWN_AGENCY = "agency"
OWN_TEAMS = "teams"


@dataclass(frozen=True)
class TrainingScope:
    """Whose training a manager sees: the whole partnership, their own agency, or their team(s)."""

    user: User
    membership: Membership
    reach: str

    @property
    def partnership_id(self) -> int:
        return self.membership.partnership_id

    def staff(self, *, agency_id: int | None = None) -> QuerySet[User]:
        """The staff in scope (optionally of one agency), administrators aside."""
        if self.reach == WHOLE_PARTNERSHIP:
            return staff_in_scope(partnership_id=self.partnership_id, agency_id=agency_id)
        if agency_id is not None and agency_id != self.membership.agency_id:
            return User.objects.none()
        staff = staff_in_scope(partnership_id=self.partnership_id, agency_id=self.membership.agency_id)
        if self.reach == OWN_TEAMS:
            theirs = Membership.objects.filter(
                Q(teams__in=self.membership.teams.values("pk")) | Q(line_manager_id=self.user.pk)
            ).values("user_id")
            staff = staff.filter(pk__in=theirs)
        return staff

    def may_open_agency(self, agency_id: int) -> bool:
        return self.reach == WHOLE_PARTNERSHIP or agency_id == self.membership.agency_id


def _reach(membership: Membership) -> str | None:
    if membership.role == Role.ADMIN or leads_partnership(membership):
        return WHOLE_PARTNERSHIP
    if membership.role == Role.SENIOR_MANAGER:
        return OWN_AGENCY
    if membership.role in MANAGERS:
        return OWN_TEAMS
    return None


def training_scope_for(user: User) -> TrainingScope:
    """The user's scope; 403 for those who may not see training compliance."""
    membership = membership_of(user)
    reach = _reach(membership) if membership is not None else None
    if membership is None or reach is None:
        raise PermissionDenied("Training compliance is for managers and administrators.")
    return TrainingScope(user=user, membership=membership, reach=reach)


@dataclass(frozen=True)
class AgencyCompliance:
    agency_id: int
    agency_name: str
    staff: int
    compliant: int
    target: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.compliant / self.staff) if self.staff else None

    @property
    def below_target(self) -> bool:
        return self.staff > 0 and 100 * self.compliant < self.target * self.staff


def training_compliance_by_agency(*, scope: TrainingScope, as_of: date, target: int) -> list[AgencyCompliance]:
    """Staff compliant / staff per agency in scope, as of a day (one query)."""
    rows = (
        staff_with_compliance(scope.staff(), as_of=as_of)
        .order_by()
        .values("membership__agency_id", "membership__agency__name")
        .annotate(staff_count=Count("pk"), compliant_count=Count("pk", filter=Q(compliant=True)))
        .order_by("membership__agency__name")
    )
    return [
        AgencyCompliance(row["membership__agency_id"], row["membership__agency__name"], row["staff_count"],
                         row["compliant_count"], target)
        for row in rows
    ]


def training_agency_get_for(user: User, agency_id: int) -> tuple[TrainingScope, Agency]:
    """The user's scope and an agency serving their partnership; 404 for any other agency, then 403 when the
    user may not see training or the agency is not in their scope."""
    membership = membership_of(user)
    agency = (Agency.objects.filter(pk=agency_id, partnerships=membership.partnership_id).first()
              if membership is not None else None)
    if agency is None:
        raise Http404("No such agency")
    scope = training_scope_for(user)
    if not scope.may_open_agency(agency.pk):
        raise PermissionDenied("You see your own agency's training.")
    return scope, agency


@dataclass(frozen=True)
class CourseHeld:
    course: str
    label: str
    # The record that meets the requirement and lasts longest, if any is held.
    record: TrainingRecord | None
    status: str  # "in_date", "expiring", "expired", "missing"

    @property
    def expiring(self) -> bool:
        return self.status == "expiring"

    @property
    def words(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def tag(self) -> str:
        """The GOV.UK tag colour of the status."""
        return STATUS_TAGS[self.status]


STATUS_WORDS = {"in_date": "In date", "expiring": "Expires soon", "expired": "Expired", "missing": "Not held"}
STATUS_TAGS = {"in_date": "green", "expiring": "yellow", "expired": "red", "missing": "grey"}


def courses_held(*, kind: str, role: str, records: list[TrainingRecord], as_of: date) -> list[CourseHeld]:
    """Each course the member of staff must hold, with the record that meets it (longest-lasting) and its status."""
    labels = dict(TrainingRecord.Course.choices)
    held = []
    for course in courses_required(kind, role):
        meeting = [r for r in records if r.course in COUNTS_FOR[course] and r.completed_on <= as_of]
        in_date = [r for r in meeting if r.expires_on >= as_of]
        best = max(in_date or meeting, key=lambda r: (r.expires_on, r.pk), default=None)
        if best is None:
            status = "missing"
        elif best.expires_on < as_of:
            status = "expired"
        elif best.expires_on <= as_of + timedelta(days=EXPIRING_SOON_DAYS):
            status = "expiring"
        else:
            status = "in_date"
        held.append(CourseHeld(course, labels.get(course, course), best, status))
    return held


@dataclass(frozen=True)
class StaffRow:
    user: User
    compliant: bool
    courses: list[CourseHeld]

    @property
    def expiring(self) -> bool:
        return any(course.expiring for course in self.courses)


def _records() -> Prefetch:
    return Prefetch("training", queryset=TrainingRecord.objects.order_by("-expires_on", "-pk"))


def training_agency_staff(*, scope: TrainingScope, agency: Agency, as_of: date) -> QuerySet[User]:
    """The agency's staff in scope, with compliance, their membership and records (paginate, then
    ``training_staff_rows``)."""
    return (
        staff_with_compliance(scope.staff(agency_id=agency.pk), as_of=as_of)
        .select_related("membership")
        .prefetch_related(_records())
        .order_by("last_name", "first_name", "username", "pk")
    )


def training_staff_rows(*, staff: list[User], agency: Agency, as_of: date) -> list[StaffRow]:
    return [
        StaffRow(user, bool(getattr(user, "compliant", False)), courses_held(
            kind=agency.kind, role=user.membership.role, records=list(user.training.all()), as_of=as_of))
        for user in staff
    ]


def training_staff_get_for(user: User, staff_id: int, *, write: bool = False, log: bool = True) -> User:
    """A member of staff of the user's partnership, for their training record; 404 outside the partnership, 403
    unless the user is their line manager, a manager of their agency, the senior manager or an administrator.

    Anyone may read their own record (the reminder of expiring training links to it), but not record their own
    training (``write``): their manager does.
    """
    membership = membership_of(user)
    staff = (
        User.objects.filter(pk=staff_id, membership__partnership_id=membership.partnership_id)
        .select_related("membership__agency", "membership__line_manager")
        .first()
        if membership is not None
        else None
    )
    if staff is None or membership is None:
        raise Http404("No such member of staff")
    if not training_staff_may_record(user, staff) and (write or staff.pk != user.pk):
        raise PermissionDenied("A member of staff's training is recorded by their managers.")
    if log:
        access_record(user=user, action="view", record_type="training", record_id=staff.pk,
                      partnership_id=membership.partnership_id)
    return staff


def training_staff_may_record(user: User, staff: User) -> bool:
    """The member of staff's line manager, a manager of their agency, the senior manager of children's social
    care, or an administrator of their partnership; never the member of staff themselves."""
    membership, theirs = membership_of(user), membership_of(staff)
    if membership is None or theirs is None or membership.partnership_id != theirs.partnership_id:
        return False
    if staff.pk == user.pk:  # no one records their own training
        return False
    return (
        membership.role == Role.ADMIN
        or leads_partnership(membership)
        or (membership.role in MANAGERS and (theirs.line_manager_id == user.pk
                                             or theirs.agency_id == membership.agency_id))
    )


def training_records_of(*, staff: User) -> list[TrainingRecord]:
    """A member of staff's records, latest expiry first."""
    return list(TrainingRecord.objects.filter(user=staff).order_by("-expires_on", "-pk"))
