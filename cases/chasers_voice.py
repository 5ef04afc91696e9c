"""Chase rules of the child's voice (SPEC 5), registered on import by cases.chasers.

A child on an open case not heard for six weeks: no voice record (by any agency) in the six weeks since the later
of their latest record and the case opening. The allocated worker (the case's lead professional) is reminded,
then a working day later their line manager; the chase stops once anyone records the child's voice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse

from agencies.chasers import RESTRICTED_CHILD, ChaseRule, Overdue, WorkingDays, chase_rule, moment_words, other_than
from agencies.models import User
from agencies.rules import DEFAULT_TZ
from agencies.selectors import ChasePeople, PartnershipCalendars
from cases.models import Case, ChildVoice
from cases.rules.voice import VOICE_STALE_AFTER, case_opened_at, voice_due_by


@chase_rule
class ChildVoiceOverdue(ChaseRule):
    """A child with an open case whose voice has not been recorded for six weeks (or not at all since the case
    opened six or more weeks ago)."""

    name = "child_voice_overdue"
    subject_type = "case"
    levels = 2
    interval = WorkingDays(1)
    ladder = ("the allocated worker", "their line manager")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        cutoff = now - VOICE_STALE_AFTER
        records = ChildVoice.objects.filter(child_id=OuterRef("child_id"))  # child_voice_latest_idx
        rows = (
            self.unfinished(
                Case.objects.exclude(status=Case.Status.CLOSED)
                .filter(opened_on__lte=cutoff.astimezone(DEFAULT_TZ).date())  # open cases by the day they opened
                .exclude(Exists(records.filter(recorded_at__gt=cutoff)))
            )
            .annotate(heard_at=Subquery(records.order_by("-recorded_at").values("recorded_at")[:1]))
            .order_by()
            .values_list("pk", "partnership_id", "child_id", "opened_on", "heard_at", "lead_professional_id",
                         "child__given_name", "child__family_name", "child__restricted")
        )
        for pk, partnership_id, child_id, opened_on, heard, lead_id, given, family, restricted in rows:
            calendar = calendars[partnership_id]
            due = voice_due_by(heard_at=heard, opened_at=case_opened_at(opened_on, calendar.tz))
            name = RESTRICTED_CHILD if restricted else f"{given} {family}".strip()
            last = (f"their voice was last recorded on {moment_words(heard)}" if heard is not None
                    else f"their voice has not been recorded since the case opened on {opened_on.day}"
                         f" {opened_on:%B %Y}")
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                # Six weeks to the minute may fall at night or at the weekend: the next working moment.
                overdue_at=calendar.add_working_days(due, 0),
                summary=f"{name} (case {pk}) has not been heard for six weeks: {last}",
                user_id=lead_id,
                facts={"name": name},
                link=reverse("voice-list", args=[child_id]),
            )

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.user(item.user_id)
        return other_than(people.line_manager_of(item.user_id), item.user_id)

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return (
                f"Reminder: {item.summary}. Please see {item.facts['name']} and record their voice: their own"
                " words, or for a child too young to talk, what you observed of them."
            )
        return super().message(item, level)
