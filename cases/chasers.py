"""Chase rules owned by cases (SPEC 5): escalating children left unreviewed, Operation Encompass notices unsent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from agencies.chasers import ChaseRule, ClockHours, Overdue, WorkingDays, chase_rule, moment_words
from agencies.models import User
from agencies.selectors import ChasePeople, PartnershipCalendars
from cases.models import EncompassNotice, PersonFlag


@chase_rule
class EscalatingChildUnreviewed(ChaseRule):
    """A child flagged escalating (3 or more incidents in 12 months) whom no MASH manager has reviewed.

    Overdue one working day after the flag was raised, on the child's partnership's calendar.
    """

    name = "escalating_child_unreviewed"
    subject_type = "person_flag"
    levels = 2
    interval = WorkingDays(1)
    ladder = ("the MASH manager", "the senior manager of children's social care")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                PersonFlag.objects.filter(
                    kind=PersonFlag.Kind.ESCALATING, reviewed_at__isnull=True, cleared_at__isnull=True,
                    raised_at__lte=now,
                )  # person_flag_unreviewed_idx
            )
            .order_by()
            .values_list(
                "pk", "partnership_id", "person_id", "raised_at", "incident_count", "person__given_name",
                "person__family_name",
            )
        )
        for pk, partnership_id, person_id, raised_at, count, given, family in rows:
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=calendars[partnership_id].add_working_days(raised_at, 1),
                summary=(
                    f"{given} {family} was flagged escalating ({count} domestic-abuse incidents in 12 months) on"
                    f" {moment_words(raised_at)} and has not been reviewed"
                ),
                link=f"/people/{person_id}/",
            )

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.mash_manager(item.partnership_id)
        return people.csc_senior_manager(item.partnership_id)


@chase_rule
class OperationEncompass(ChaseRule):
    """An Operation Encompass notice not sent to the school by 08:30 on the next school day.

    Usually because the child's school is not recorded: the officer who recorded the incident
    is asked to find it, then their line manager (or the reporting agency's manager), every
    four clock hours, since the child may be in school and at risk today.
    """

    name = "operation_encompass"
    subject_type = "encompass_notice"
    levels = 2
    interval = ClockHours(4)
    ladder = ("the officer who recorded the incident", "their manager")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                EncompassNotice.objects.filter(sent_at__isnull=True, due_by__lte=now)  # encompass_unsent_idx
            )
            .order_by()
            .values_list(
                "pk", "partnership_id", "due_by", "occurred_at", "incident__created_by_id",
                "incident__reported_by_id", "incident__reference", "incident_id", "child__given_name",
                "child__family_name",
            )
        )
        for row in rows:
            pk, partnership_id, due_by, occurred_at, created_by, agency_id, reference, incident_id, given, family = row
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=due_by,
                summary=(
                    f"the Operation Encompass notice for {given} {family} (incident {reference or incident_id} on"
                    f" {moment_words(occurred_at)}) has not reached a school: record the child's school"
                ),
                link=f"/encompass/{pk}/",
                user_id=created_by,
                agency_id=agency_id,
            )

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.user(item.user_id)
        found = people.line_manager_of(item.user_id) or people.agency_manager(item.agency_id, item.partnership_id)
        if found is not None and found.pk == item.user_id:
            return None
        return found


# The rules of the child's voice and of plans live beside them; importing them here registers them.
from cases import chasers_plans, chasers_voice  # noqa: E402, F401
