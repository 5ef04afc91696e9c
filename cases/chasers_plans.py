"""Chase rules of plans (SPEC 5), registered on import by cases.chasers.

"Plan or meeting action overdue": from its due date, the action's owner, then the owner's manager.

``ActionOverdue`` is the shape both kinds of action share: an action due on a date is overdue from the start of
the next working day; level 1 goes to the person named on it, or (no one named, or they have left) to whoever
reads the owning agency's inbox in the partnership; level 2 to that person's line manager, or else the agency's
manager, never back to the owner. A plan's action for a member of the family is followed up by the case's lead
professional, so it is chased to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import ClassVar

from django.urls import reverse
from django.utils.text import Truncator

from agencies.chasers import RESTRICTED_CHILD, ChaseRule, Overdue, WorkingDays, chase_rule, other_than
from agencies.models import User
from agencies.rules import DEFAULT_TZ, WorkingCalendar
from agencies.selectors import ChasePeople, PartnershipCalendars
from cases.models import Plan, PlanAction
from cases.selectors.plans import PARTY_WORDS

# How much of an action's description a chaser's message quotes.
ACTION_QUOTED_CHARS = 120
RESTRICTED_PERSON = "a person whose record is restricted"


def action_overdue_at(due_by: date, calendar: WorkingCalendar) -> datetime:
    """An action due on a date is overdue at the start of the next working day after it (the close of its day,
    moved on to a working day)."""
    close = datetime.combine(due_by, calendar.day_end, tzinfo=calendar.tz)
    return calendar.add_working_days(close, 0)


def action_quoted(description: str) -> str:
    """The action's words on one line, shortened, without a closing full stop (the message adds its own)."""
    return Truncator(" ".join(description.split())).chars(ACTION_QUOTED_CHARS).rstrip(".")


class ActionOverdue(ChaseRule):
    """An agreed action still open after its due date: its owner, then the owner's manager.

    ``Overdue.user_id`` is the person named on the action (None: no one), ``Overdue.agency_id`` the agency owning
    it; each rule says what it asks the owner to do (``ask``).
    """

    levels = 2
    interval = WorkingDays(1)
    ladder = ("the action's owner", "the owner's manager")
    ask: ClassVar[str]

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.user(item.user_id) or people.agency_inbox(item.agency_id, item.partnership_id)
        return other_than(
            people.line_manager_of(item.user_id) or people.agency_manager(item.agency_id, item.partnership_id),
            item.user_id,
        )

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return f"Reminder: {item.summary}. {item.facts.get('ask', self.ask)}"
        return super().message(item, level)


@chase_rule
class PlanActionOverdue(ActionOverdue):
    """An action of an active plan still open after its due date (from the next working day)."""

    name = "plan_action_overdue"
    subject_type = "plan_action"
    ask = "Please complete it, or tell the lead professional why it cannot be done."
    ask_family = ("Please check with the family whether it was done, and record it on the plan as done or not"
                  " done.")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                PlanAction.objects.filter(status=PlanAction.Status.OPEN, due_by__lt=now.astimezone(DEFAULT_TZ).date(),
                                          plan__status=Plan.Status.ACTIVE)  # plan_action_open_idx
            )
            .order_by()
            .values_list("pk", "partnership_id", "plan_id", "plan__kind", "due_by", "description", "party", "owner_id",
                         "agency_id", "agency__name", "family_member__given_name", "family_member__family_name",
                         "family_member__restricted", "plan__case__lead_professional_id",
                         "plan__case__child__given_name", "plan__case__child__family_name",
                         "plan__case__child__restricted")
        )
        for (pk, partnership_id, plan_id, kind, due_by, description, party, owner_id, agency_id, agency,
             member_given, member_family, member_restricted, lead_id, child_given, child_family,
             child_restricted) in rows:
            child = RESTRICTED_CHILD if child_restricted else f"{child_given} {child_family}"
            plan = f"the {Plan.Kind(kind).label.lower()} for {child}"
            if party == PlanAction.Party.AGENCY:
                whose, user_id, ask = f"for {agency}", owner_id, self.ask
            else:
                member = RESTRICTED_PERSON if member_restricted else f"{member_given} {member_family}"
                # A member of the family is followed up by the lead professional.
                whose, user_id, ask = f"for {member} ({PARTY_WORDS[party]})", lead_id, self.ask_family
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=action_overdue_at(due_by, calendars[partnership_id]),
                summary=(f"the action {whose} in {plan}, due on {due_by.day} {due_by:%B %Y}, is still open:"
                         f" {action_quoted(description)}"),
                user_id=user_id,
                agency_id=agency_id,
                facts={"ask": ask},
                link=reverse("plan-detail", args=[plan_id]),
            )
