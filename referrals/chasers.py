"""Chase rules owned by the front door (SPEC 5): referrals waiting for a decision, decisions not fed back to the
referrer, agency checks unanswered, and escalation stages left unanswered (which climb to the next stage)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from agencies.chasers import (
    ChaseRule,
    Overdue,
    WorkingDays,
    chase_rule,
    children_names,
    other_than,
)
from agencies.chasers import moment_words as _when
from agencies.chasers import names_joined as _names
from agencies.models import User
from agencies.selectors import ChasePeople, PartnershipCalendars
from referrals import rules, services
from referrals.models import AgencyCheck, Decision, Escalation, EscalationStage, Referral, ReferralChild


@chase_rule
class ReferralDecision(ChaseRule):
    """A referral still waiting for a decision at its deadline (1 working day after it was received)."""

    name = "referral_decision"
    subject_type = "referral"
    levels = 3
    interval = WorkingDays(1)
    ladder = ("the allocated MASH practitioner", "the MASH manager", "the senior manager of children's social care")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                Referral.objects.filter(status=Referral.Status.AWAITING_DECISION, decision_due_at__lte=now)
            )  # referral_awaiting_idx
            .order_by()
            .annotate(names=children_names(ReferralChild, "referral_id", "pk"))
            .values_list("pk", "partnership_id", "decision_due_at", "received_at", "allocated_to_id",
                         "referrer_agency__name", "names")
        )
        for pk, partnership_id, due_at, received_at, allocated_to, agency, names in rows:
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=due_at,
                summary=(
                    f"the referral about {_names(names)} from {agency}, received on {_when(received_at)}, needed a"
                    f" decision by {_when(due_at)} and is still waiting for one"
                ),
                link=f"/referrals/{pk}/",
                user_id=allocated_to,
            )

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.user(item.user_id)
        if level == 2:
            return people.mash_manager(item.partnership_id)
        return people.csc_senior_manager(item.partnership_id)

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return f"Reminder: {item.summary}. Please decide it, or ask the MASH manager to."
        return super().message(item, level)


@chase_rule
class DecisionNotFedBack(ChaseRule):
    """A decision the referrer has not been told 1 working day after it was made."""

    name = "decision_not_fed_back"
    subject_type = "referral"
    levels = 2
    interval = WorkingDays(1)
    ladder = ("the decision maker", "the MASH manager")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                Decision.objects.filter(referral__status=Referral.Status.DECIDED, decided_at__lte=now),
                subject_field="referral_id",
            )  # decision_decided_at_idx
            .order_by()
            .annotate(names=children_names(ReferralChild, "referral_id", "referral_id"))
            .values_list("referral_id", "partnership_id", "decided_at", "decided_by_id", "outcome",
                         "referral__referrer_name", "referral__referrer_agency__name", "names")
        )
        outcomes = dict(Decision.Outcome.choices)
        for referral_id, partnership_id, decided_at, decided_by, outcome, referrer, agency, names in rows:
            referrer_named = f"{referrer} of {agency}" if referrer and agency not in referrer else referrer or agency
            yield Overdue(
                subject_id=referral_id,
                partnership_id=partnership_id,
                overdue_at=rules.feedback_due_at(decided_at, calendars[partnership_id]),
                summary=(
                    f"the decision on the referral about {_names(names)} ({outcomes.get(outcome, outcome).lower()},"
                    f" made on {_when(decided_at)}) has not been fed back to the referrer, {referrer_named}"
                ),
                link=f"/referrals/{referral_id}/",
                user_id=decided_by,
                facts={"referrer": referrer_named},
            )

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.user(item.user_id)
        # The MASH manager; when they made the decision themselves, their line manager, else the senior manager.
        return (
            other_than(people.mash_manager(item.partnership_id), item.user_id)
            or other_than(people.line_manager_of(item.user_id), item.user_id)
            or other_than(people.csc_senior_manager(item.partnership_id), item.user_id)
        )

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return (
                f"Reminder: {item.summary}. Please tell {item.facts['referrer']} the outcome and record how you"
                " told them."
            )
        return super().message(item, level)


@chase_rule
class AgencyCheckUnanswered(ChaseRule):
    """An agency has not answered the MASH's check by its due time."""

    name = "agency_check_unanswered"
    subject_type = "agency_check"
    levels = 2
    interval = WorkingDays(1)
    ladder = ("a practitioner of the agency", "the agency's manager")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                AgencyCheck.objects.filter(answered_at__isnull=True, due_at__lte=now)
            )  # agency_check_due_idx
            .order_by()
            .annotate(names=children_names(ReferralChild, "referral_id", "referral_id"))
            .values_list("pk", "partnership_id", "due_at", "agency_id", "agency__name", "referral_id", "names")
        )
        for pk, partnership_id, due_at, agency_id, agency, referral_id, names in rows:
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=due_at,
                summary=(
                    f"{agency} has not answered the MASH's check on the referral about {_names(names)}"
                    f" (referral {referral_id}), due on {_when(due_at)}"
                ),
                link=f"/checks/{pk}/",
                agency_id=agency_id,
                facts={"agency": agency, "names": _names(names), "due_at": due_at},
            )

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.agency_inbox(item.agency_id, item.partnership_id)
        return people.agency_manager(item.agency_id, item.partnership_id)

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return (
                f"Reminder: the MASH asked {item.facts['agency']} what it knows about {item.facts['names']}, and the"
                f" answer was due on {_when(item.facts['due_at'])}. Please answer the check, even if your agency"
                " holds nothing."
            )
        return super().message(item, level)


@chase_rule
class EscalationStageUnanswered(ChaseRule):
    """An escalation stage not answered by its deadline: the respondent is told, and the next stage opens.

    The last stage (the partnership) has nowhere to climb: its respondent is only reminded.
    """

    name = "escalation_stage_unanswered"
    subject_type = "escalation_stage"
    levels = 1
    ladder = ("the stage's respondent",)

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        rows = (
            self.unfinished(
                EscalationStage.objects.filter(outcome="", due_at__lte=now, escalation__status=Escalation.Status.OPEN)
            )  # escalation_stage_open_idx
            .order_by()
            .annotate(names=children_names(ReferralChild, "referral_id", "escalation__referral_id"))
            .values_list("pk", "partnership_id", "due_at", "number", "respondent_id", "escalation_id",
                         "escalation__referral_id", "escalation__raised_by_agency__name", "names")
        )
        for pk, partnership_id, due_at, number, respondent, escalation_id, referral_id, agency, names in rows:
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=due_at,
                summary=(
                    f"stage {number} ({rules.STAGE_NAMES[number]}) of {agency}'s disagreement with the decision on"
                    f" the referral about {_names(names)} (referral {referral_id}) was due an answer by"
                    f" {_when(due_at)}"
                ),
                link=f"/escalations/{escalation_id}/",
                user_id=respondent,
                facts={"number": number},
            )

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        # No respondent recorded (or they have left): the senior manager, so that the stage still climbs.
        return people.user(item.user_id) or people.csc_senior_manager(item.partnership_id)

    def message(self, item: Overdue, level: int) -> str:
        number = item.facts["number"]
        if number >= rules.LAST_STAGE:
            return f"Reminder: {item.summary}. Please record the partnership's final answer."
        return (
            f"Not answered in time: {item.summary}, so it has moved on its own to stage {number + 1}"
            f" ({rules.STAGE_NAMES[number + 1]})."
        )

    def on_sent(self, sent: Sequence[tuple[int, int]], now: datetime) -> None:
        # The stage climbs in the sweep's transaction: the chase row is what makes it climb once.
        services.escalation_stages_climb(stage_ids=[subject_id for subject_id, level in sent if level == 1], now=now)
