"""Chase rules of improvement plans and training (SPEC 5), registered on import by ``AgenciesConfig.ready``.

- ``improvement_action_overdue``: an open action past its due date. Level 1 its owner (with no owner named, the
  owning agency's most senior manager in the partnership), level 2 their line manager, one working day apart;
  it stops when the action is done.
- ``training_expiring``: a course a member of staff must hold expires within 30 days and no newer record of it
  is held. Level 1 the member of staff, level 2 their line manager a week (five working days) later: there is a
  month to book a course, so the ladder need not climb daily. It stops when the course is renewed, and once the
  record has expired ``training_expired`` takes over, so a record is never chased by both at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.urls import reverse

from agencies.chasers import ChaseRule, Overdue, WorkingDays, chase_rule, long_date, other_than
from agencies.models import Membership, Role, TrainingRecord, User
from agencies.rules import DEFAULT_TZ
from agencies.selectors import ChasePeople, PartnershipCalendars
from agencies.training import courses_required, record_still_needed
from audits.models import ImprovementAction, ImprovementPlan
from cases.chasers_plans import action_overdue_at, action_quoted

# A required course is chased this many days before it expires.
EXPIRING_WITHIN_DAYS = 30


def _most_senior_manager() -> Subquery:
    """The owning agency's most senior manager working in the action's partnership (senior, then team, then
    MASH manager; the lowest user id among equals), for an action with no owner named."""
    rank = Case(
        When(role=Role.SENIOR_MANAGER, then=Value(1)),
        When(role=Role.TEAM_MANAGER, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return Subquery(
        Membership.objects.filter(
            agency_id=OuterRef("owner_agency_id"), partnership_id=OuterRef("partnership_id"),
            role__in=[Role.SENIOR_MANAGER, Role.TEAM_MANAGER, Role.MASH_MANAGER], user__is_active=True,
        )  # membership_agency_role_idx
        .annotate(rank=rank)
        .order_by("rank", "user_id")
        .values("user_id")[:1]
    )


@chase_rule
class ImprovementActionOverdue(ChaseRule):
    """An improvement action still open after its due date (from the next working day): its owner (or the owning
    agency's most senior manager), then their line manager.

    ``Overdue.user_id`` is whom level 1 goes to; ``Overdue.agency_id`` the owning agency.
    """

    name = "improvement_action_overdue"
    subject_type = "improvement_action"
    levels = 2
    interval = WorkingDays(1)
    ladder = ("the action's owner", "the owner's line manager")

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.user(item.user_id)
        return other_than(people.line_manager_of(item.user_id), item.user_id)

    @staticmethod
    def _open_actions() -> Q:
        return Q(status=ImprovementAction.Status.OPEN, theme__plan__status=ImprovementPlan.Status.ACTIVE)

    @staticmethod
    def _link(plan_id: int, action_id: int) -> str:
        return reverse("improvement-plan-detail", args=[plan_id]) + f"#action-{action_id}"

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        today = now.astimezone(DEFAULT_TZ).date()
        rows = (
            self.unfinished(
                ImprovementAction.objects.filter(self._open_actions(), due_on__lt=today)  # improvement_action_open_idx
            )
            .annotate(senior_id=_most_senior_manager())
            .order_by()
            .values_list("pk", "partnership_id", "theme__plan_id", "theme__plan__title", "due_on", "description",
                         "owner_id", "owner__is_active", "senior_id", "owner_agency_id", "owner_agency__name")
        )
        for (pk, partnership_id, plan_id, plan_title, due_on, description, owner_id, owner_active, senior_id,
             agency_id, agency) in rows:
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=action_overdue_at(due_on, calendars[partnership_id]),
                summary=(f"the action for {agency} in the improvement plan \u201c{plan_title}\u201d, due on"
                         f" {long_date(due_on)}, is still open: {action_quoted(description)}"),
                user_id=owner_id if owner_id is not None and owner_active else senior_id,
                agency_id=agency_id,
                link=self._link(plan_id, pk),
            )

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return (f"Reminder: {item.summary}. Please complete it and mark it done, or record this quarter's"
                    " progress with its evidence.")
        return super().message(item, level)


@chase_rule
class TrainingExpiring(ChaseRule):
    """The record that meets a course a member of staff must hold expires within 30 days, and nothing newer meets
    that course (a higher safeguarding level counts for a lower one)."""

    name = "training_expiring"
    subject_type = "training_record"
    levels = 2
    # A month's notice: the line manager hears a week after the member of staff, not the next day.
    interval = WorkingDays(5)
    ladder = ("the member of staff", "their line manager")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        today = now.astimezone(DEFAULT_TZ).date()
        rows = list(
            self.unfinished(
                TrainingRecord.objects.filter(
                    expires_on__gte=today, expires_on__lte=today + timedelta(days=EXPIRING_WITHIN_DAYS),
                    user__is_active=True, user__membership__isnull=False,
                )
            )
            .order_by()
            .values_list(
                "pk", "user_id", "course", "expires_on", "user__membership__partnership_id",
                "user__membership__agency_id", "user__membership__agency__kind", "user__membership__role",
                "user__first_name", "user__last_name", "user__username",
            )
        )
        # Every record of those members of staff, to tell whether another one already meets the same need.
        held: dict[int, list[tuple[str, date, int]]] = {}
        for user_id, course, expires_on, pk in TrainingRecord.objects.filter(
            user_id__in={row[1] for row in rows}
        ).values_list("user_id", "course", "expires_on", "pk"):
            held.setdefault(user_id, []).append((course, expires_on, pk))
        courses = dict(TrainingRecord.Course.choices)
        for pk, user_id, course, expires_on, partnership_id, agency_id, kind, role, first, last, username in rows:
            if not record_still_needed(course=course, expires_on=expires_on, pk=pk,
                                       required=courses_required(kind, role), others=held.get(user_id, [])):
                continue
            calendar = calendars[partnership_id]
            # From the opening of the first working day of the 30 days before expiry.
            warn_from = datetime.combine(expires_on - timedelta(days=EXPIRING_WITHIN_DAYS), calendar.day_start,
                                         calendar.tz)
            course_name = courses.get(course, course)
            name = f"{first} {last}".strip() or username
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=calendar.add_working_days(warn_from, 0),
                summary=f"{name}'s {course_name} training expires on {long_date(expires_on)} and is not yet renewed",
                user_id=user_id,
                agency_id=agency_id,
                link=reverse("training-staff", args=[user_id]),
                facts={"course": course_name, "expires_on": expires_on},
            )

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.user(item.user_id)
        return other_than(people.line_manager_of(item.user_id), item.user_id)

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return (f"Your {item.facts['course']} training expires on {long_date(item.facts['expires_on'])}."
                    " Please book a refresher course before then.")
        return super().message(item, level)
