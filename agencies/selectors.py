"""Every read of agencies' data that a user makes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from agencies.models import Agency, ClosureDay, Membership, Notification, Partnership, Role, User
from agencies.rules import WorkingCalendar


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first (notification_inbox_idx)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def membership_of(user: User) -> Membership | None:
    return getattr(user, "membership", None)


def partnerships_of(user: User) -> QuerySet[Partnership]:
    """The partnerships whose records a user may see at all."""
    membership = membership_of(user)
    if user.is_superuser and membership is None:
        return Partnership.objects.all()
    if membership is None:
        return Partnership.objects.none()
    return Partnership.objects.filter(pk=membership.partnership_id)


def agencies_visible(*, user: User) -> QuerySet[Agency]:
    """Agencies serving the partnerships the user works in."""
    return (
        Agency.objects.filter(partnerships__in=partnerships_of(user))
        .distinct()
        .prefetch_related("partnerships")
        .order_by("name")
    )


def users_visible(*, user: User) -> QuerySet[User]:
    """Users working in the partnerships the user works in."""
    return (
        User.objects.filter(membership__partnership__in=partnerships_of(user))
        .select_related("membership")
        .order_by("username")
    )


def calendar_for(partnership: Partnership) -> WorkingCalendar:
    """The partnership's working-day calendar: bank holidays plus its own closure days."""
    return WorkingCalendar(closures=frozenset(partnership.closure_days.values_list("date", flat=True)))


class PartnershipCalendars(dict[int, WorkingCalendar]):
    """Working-day calendars by partnership id; a partnership with no closures gets the plain calendar."""

    def __missing__(self, partnership_id: int) -> WorkingCalendar:
        return _PLAIN_CALENDAR


_PLAIN_CALENDAR = WorkingCalendar()


def calendars_for(*, partnership_ids: Iterable[int] | None = None) -> PartnershipCalendars:
    """Every (or the named) partnership's calendar, in one query."""
    rows = ClosureDay.objects.order_by()
    if partnership_ids is not None:
        rows = rows.filter(partnership_id__in=list(partnership_ids))
    closures: dict[int, set[date]] = {}
    for partnership_id, day in rows.values_list("partnership_id", "date"):
        closures.setdefault(partnership_id, set()).add(day)
    return PartnershipCalendars({pid: WorkingCalendar(closures=frozenset(days)) for pid, days in closures.items()})


@dataclass
class ChasePeople:
    """Who can be told about overdue work: the escalation ladder, looked up in two queries.

    Only active users are ever returned, so a level whose person has left falls
    through to the next level as if no one were recorded.
    """

    users: dict[int, User] = field(default_factory=dict)
    line_managers: dict[int, int] = field(default_factory=dict)
    csc_senior_managers: dict[int, User] = field(default_factory=dict)
    mash_managers: dict[int, User] = field(default_factory=dict)
    admins: dict[int, User] = field(default_factory=dict)
    agency_managers: dict[tuple[int, int | None], User] = field(default_factory=dict)
    agency_practitioners: dict[tuple[int, int], User] = field(default_factory=dict)

    def user(self, user_id: int | None) -> User | None:
        found = self.users.get(user_id) if user_id is not None else None
        return found if found is not None and found.is_active else None

    def line_manager_of(self, user_id: int | None) -> User | None:
        return self.user(self.line_managers.get(user_id)) if user_id is not None else None

    def csc_senior_manager(self, partnership_id: int) -> User | None:
        """The senior manager of the partnership's children's social care."""
        return self.csc_senior_managers.get(partnership_id)

    def mash_manager(self, partnership_id: int) -> User | None:
        return self.mash_managers.get(partnership_id)

    def agency_manager(self, agency_id: int | None, partnership_id: int | None = None) -> User | None:
        """A team manager (else a senior manager) of the agency, preferring one working in the partnership."""
        if agency_id is None:
            return None
        return self.agency_managers.get((agency_id, partnership_id)) or self.agency_managers.get((agency_id, None))

    def agency_inbox(self, agency_id: int | None, partnership_id: int) -> User | None:
        """A practitioner of the agency working in the partnership: whoever reads the agency's inbox there."""
        return self.agency_practitioners.get((agency_id, partnership_id)) if agency_id is not None else None

    def partnership_admin(self, partnership_id: int) -> User | None:
        return self.admins.get(partnership_id)


_AGENCY_MANAGER_ROLES = (Role.TEAM_MANAGER, Role.SENIOR_MANAGER)


def chase_people(
    *, user_ids: Iterable[int], agency_ids: Iterable[int] = (), partnership_ids: Iterable[int] = ()
) -> ChasePeople:
    """The people the chasers may tell about the given users, agencies and partnerships.

    Two queries whatever the number of ids: the users with their line managers, and
    the role holders (children's social care senior managers, MASH managers and
    admins of the partnerships; team and senior managers of the agencies, and their
    practitioners working in the partnerships). Where a role has several holders the
    choice is stable: the lowest user id.
    """
    people = ChasePeople()
    user_ids = {i for i in user_ids if i is not None}
    agency_ids = {i for i in agency_ids if i is not None}
    partnership_ids = {i for i in partnership_ids if i is not None}
    if user_ids:
        for user in User.objects.filter(pk__in=user_ids).select_related("membership__line_manager").order_by():
            people.users[user.pk] = user
            membership = membership_of(user)
            if membership is not None and membership.line_manager is not None:
                people.users.setdefault(membership.line_manager.pk, membership.line_manager)
                people.line_managers[user.pk] = membership.line_manager.pk
    wanted = Q()
    if partnership_ids:
        wanted |= Q(
            partnership_id__in=partnership_ids, role__in=(Role.SENIOR_MANAGER, Role.MASH_MANAGER, Role.ADMIN)
        )
    if agency_ids:
        wanted |= Q(agency_id__in=agency_ids, role__in=_AGENCY_MANAGER_ROLES)
        if partnership_ids:
            wanted |= Q(agency_id__in=agency_ids, partnership_id__in=partnership_ids, role=Role.PRACTITIONER)
    if not wanted:
        return people
    holders = (
        Membership.objects.filter(wanted, user__is_active=True)
        .select_related("user", "agency", "line_manager")
        .order_by("user_id")
    )
    manager_roles: dict[tuple[int, int | None], str] = {}
    for membership in holders:
        user = membership.user
        people.users.setdefault(user.pk, user)
        if membership.line_manager is not None:
            people.users.setdefault(membership.line_manager.pk, membership.line_manager)
            people.line_managers.setdefault(user.pk, membership.line_manager.pk)
        if membership.partnership_id in partnership_ids:
            if membership.role == Role.ADMIN:
                people.admins.setdefault(membership.partnership_id, user)
            elif membership.role == Role.MASH_MANAGER:
                people.mash_managers.setdefault(membership.partnership_id, user)
            elif (
                membership.role == Role.SENIOR_MANAGER
                and membership.agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE
            ):
                # Only a senior manager: the agencies' team managers and practitioners come in the same rows.
                people.csc_senior_managers.setdefault(membership.partnership_id, user)
        if (
            membership.role == Role.PRACTITIONER
            and membership.agency_id in agency_ids
            and membership.partnership_id in partnership_ids
        ):
            people.agency_practitioners.setdefault((membership.agency_id, membership.partnership_id), user)
        if membership.agency_id in agency_ids and membership.role in _AGENCY_MANAGER_ROLES:
            for key in ((membership.agency_id, membership.partnership_id), (membership.agency_id, None)):
                # A team manager is closer to the work than a senior manager; holders come by user id.
                if key not in manager_roles or (
                    manager_roles[key] != Role.TEAM_MANAGER and membership.role == Role.TEAM_MANAGER
                ):
                    people.agency_managers[key] = user
                    manager_roles[key] = membership.role
    return people
