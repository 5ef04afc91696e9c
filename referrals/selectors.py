"""Every read at the front door, for a user: the triage queue, a referral, an agency's checks, a referrer's
own referrals. Each takes the user and returns only what they may see, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from agencies.models import User
from agencies.selectors import calendar_for, membership_of
from audits.services import access_record
from cases.models import Case, HouseholdMember, InformationShare, MaracReferral, Person, PersonFlag
from cases.permissions import households_visible, people_visible
from cases.rules.risk import WINDOW, is_child_on
from cases.selectors.people import person_possible_duplicates
from referrals import rules
from referrals.models import AgencyCheck, Decision, Escalation, EscalationStage, Feedback, Referral, ReferralChild
from referrals.permissions import (
    agency_checks_visible,
    escalations_visible,
    referral_get_for,
    referral_is_referrer,
    referral_sees_all,
    referrals_visible,
)
from referrals.services import NewChild
from strategy_meetings.models import StrategyMeeting

RESTRICTED_CHILD = "A child whose record is restricted"
# How much of the concern a queue row shows; the referral page has all of it.
CONCERN_SHOWN = 120
# The most rows the queue shows at once; the size and the oldest item always count the whole queue.
QUEUE_LIMIT = 200

FLAG_LABELS = {
    "escalating": "Escalating",
    "repeat_referral": "Repeat referral",
    "open_case": "Open case",
    "protection_plan": "Protection plan",
    "marac": "MARAC",
    "restricted": "Restricted",
}
FLAG_TAG_COLOURS = {
    "escalating": "red",
    "repeat_referral": "orange",
    "open_case": "blue",
    "protection_plan": "purple",
    "marac": "pink",
    "restricted": "grey",
}


# -- Children and their flags -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildRow:
    """A child of a referral as the queue and the referral page show them."""

    person_id: int
    name: str
    date_of_birth: date | None
    expected_date_of_birth: date | None
    flags: tuple[str, ...]
    case_status: str
    household_id: int | None
    may_open: bool

    @property
    def age(self) -> str:
        return rules.age_text(self.date_of_birth, self.expected_date_of_birth, today=timezone.localdate())

    @property
    def flag_tags(self) -> list[tuple[str, str, str]]:
        """(flag, label, GOV.UK tag colour) for each flag."""
        return [(flag, FLAG_LABELS[flag], FLAG_TAG_COLOURS[flag]) for flag in self.flags]


def _child_annotations(child_ref: str, *, now: datetime) -> dict[str, Any]:
    """Per child, the facts the flags come from, as subqueries on ``child_ref`` (one query for any number)."""
    return {
        "flag_escalating": Exists(PersonFlag.objects.filter(
            person_id=OuterRef(child_ref), kind=PersonFlag.Kind.ESCALATING, cleared_at__isnull=True)),
        "open_case_status": Subquery(
            Case.objects.filter(child_id=OuterRef(child_ref)).exclude(status=Case.Status.CLOSED).values("status")[:1]
        ),
        # A MARAC referral from an incident the child was part of, in the last 12 months.
        "flag_marac": Exists(MaracReferral.objects.filter(
            incident__children__child_id=OuterRef(child_ref), incident__occurred_at__gte=now - WINDOW)),
        "household_id": Subquery(
            HouseholdMember.objects.filter(person_id=OuterRef(child_ref), left_on__isnull=True)
            .order_by("-joined_on", "-pk").values("household_id")[:1]
        ),
    }


def _flags(
    *, escalating: bool, repeat: bool, case_status: str | None, marac: bool, restricted: bool
) -> tuple[str, ...]:
    flags = []
    if escalating:
        flags.append("escalating")
    if repeat:
        flags.append("repeat_referral")
    if case_status == Case.Status.CHILD_PROTECTION:
        flags.append("protection_plan")
    elif case_status and case_status not in (Case.Status.CONTACT, Case.Status.REFERRAL):
        flags.append("open_case")
    if marac:
        flags.append("marac")
    if restricted:
        flags.append("restricted")
    return tuple(flags)


def referral_children(*, user: User, referral_ids: Sequence[int]) -> dict[int, list[ChildRow]]:
    """The children of the given referrals (already visible to the user), with their flags: two queries."""
    now = timezone.now()
    rows = list(
        ReferralChild.objects.filter(referral_id__in=referral_ids)
        .select_related("child")
        .annotate(**_child_annotations("child_id", now=now))
        .order_by("referral_id", "child__date_of_birth", "pk")
    )
    openable = set(people_visible(user).filter(pk__in=[row.child_id for row in rows]).values_list("pk", flat=True))
    children: dict[int, list[ChildRow]] = {}
    for row in rows:
        child = row.child
        may_open = child.pk in openable
        flags = _flags(escalating=row.flag_escalating, repeat=row.repeat,  # type: ignore[attr-defined]
                       case_status=row.open_case_status, marac=row.flag_marac,  # type: ignore[attr-defined]
                       restricted=child.restricted)
        if not may_open:
            # What children's social care knows of a child (plans, MARAC, escalation) is for those who may
            # open the record; a restricted child is not even named.
            flags = tuple(flag for flag in flags if flag in ("repeat_referral", "restricted"))
        hidden = child.restricted and not may_open
        children.setdefault(row.referral_id, []).append(ChildRow(
            person_id=child.pk,
            name=RESTRICTED_CHILD if hidden else child.full_name,
            date_of_birth=None if hidden else child.date_of_birth,
            expected_date_of_birth=None if hidden else child.expected_date_of_birth,
            flags=flags,
            case_status=(row.open_case_status or "") if may_open else "",  # type: ignore[attr-defined]
            household_id=row.household_id,  # type: ignore[attr-defined]
            may_open=may_open,
        ))
    return children


# -- The triage queue ---------------------------------------------------------------------------------------


def children_flags(children: Iterable[ChildRow]) -> list[tuple[str, str, str]]:
    """Every flag of any of the children, once, as (flag, label, tag colour)."""
    seen: dict[str, tuple[str, str, str]] = {}
    for child in children:
        for tag in child.flag_tags:
            seen.setdefault(tag[0], tag)
    return list(seen.values())


@dataclass(frozen=True)
class QueueFilters:
    agency: int | None = None
    category: str = ""
    flag: str = ""
    rag: str = ""
    # "me", "unallocated" or "" (everyone's)
    allocated: str = ""


@dataclass
class QueueRow:
    referral: Referral
    children: list[ChildRow]
    time_left: rules.TimeLeft
    # The first row of a group of referrals about children of one household (siblings grouped together).
    group_start: bool = True
    group_size: int = 1

    @property
    def flags(self) -> list[tuple[str, str, str]]:
        return children_flags(self.children)

    @property
    def concern(self) -> str:
        first = self.referral.concerns.strip().splitlines()[0] if self.referral.concerns.strip() else ""
        return first if len(first) <= CONCERN_SHOWN else first[:CONCERN_SHOWN - 1].rstrip() + "\u2026"


@dataclass
class TriageQueue:
    rows: list[QueueRow]
    size: int
    oldest_received_at: datetime | None
    overdue: int
    filtered: bool
    shown_limit: int = QUEUE_LIMIT
    facets: dict[str, Any] = field(default_factory=dict)


def risk_order() -> SqlCase:
    """The database's copy of ``rules.risk_rank`` (the queue's first sort key)."""
    return SqlCase(
        *(When(rag=rag, then=Value(rank)) for rag, rank in rules.RAG_RANK.items()),
        *(When(rag="", urgency=urgency, then=Value(rank)) for urgency, rank in rules.URGENCY_RANK.items()),
        default=Value(rules.URGENCY_RANK["standard"]),
        output_field=IntegerField(),
    )


def _awaiting(user: User) -> QuerySet[Referral]:
    return referrals_visible(user).filter(status=Referral.Status.AWAITING_DECISION)  # referral_awaiting_idx


def _filtered(queue: QuerySet[Referral], filters: QueueFilters, *, user: User, now: datetime) -> QuerySet[Referral]:
    if filters.agency:
        queue = queue.filter(referrer_agency_id=filters.agency)
    if filters.category:
        queue = queue.filter(categories__contains=[filters.category])
    if filters.rag == "unrated":
        queue = queue.filter(rag="")
    elif filters.rag:
        queue = queue.filter(rag=filters.rag)
    if filters.allocated == "me":
        queue = queue.filter(allocated_to=user)
    elif filters.allocated == "unallocated":
        queue = queue.filter(allocated_to__isnull=True)
    if filters.flag:
        queue = queue.filter(Exists(_children_flagged(filters.flag, now=now)))
    return queue


def _children_flagged(flag: str, *, now: datetime) -> QuerySet[ReferralChild]:
    children = ReferralChild.objects.filter(referral_id=OuterRef("pk"))
    open_case = Case.objects.filter(child_id=OuterRef("child_id")).exclude(status=Case.Status.CLOSED)
    if flag == "escalating":
        return children.filter(Exists(PersonFlag.objects.filter(
            person_id=OuterRef("child_id"), kind=PersonFlag.Kind.ESCALATING, cleared_at__isnull=True)))
    if flag == "repeat_referral":
        return children.filter(repeat=True)
    if flag == "open_case":
        return children.filter(Exists(open_case.exclude(status__in=(Case.Status.CONTACT, Case.Status.REFERRAL))))
    if flag == "protection_plan":
        return children.filter(Exists(open_case.filter(status=Case.Status.CHILD_PROTECTION)))
    if flag == "marac":
        return children.filter(Exists(MaracReferral.objects.filter(
            incident__children__child_id=OuterRef("child_id"), incident__occurred_at__gte=now - WINDOW)))
    if flag == "restricted":
        return children.filter(child__restricted=True)
    return children.none()


def triage_queue_ordered(*, user: User, filters: QueueFilters | None = None) -> QuerySet[Referral]:
    """The queue's referrals, riskiest and least time left first (not yet grouped; see ``triage_rows``)."""
    return (
        _filtered(_awaiting(user), filters or QueueFilters(), user=user, now=timezone.now())
        .select_related("referrer_agency", "allocated_to")
        .annotate(risk=risk_order())
        .order_by("risk", "decision_due_at", "pk")
    )


def triage_totals(*, user: User) -> dict[str, Any]:
    """The whole queue's size, its oldest item and how many are overdue, in one query, whatever the filters."""
    return _awaiting(user).aggregate(size=Count("pk"), oldest=Min("received_at"),
                                     overdue=Count("pk", filter=Q(decision_due_at__lte=timezone.now())))


def triage_rows(*, user: User, referrals: Iterable[Referral]) -> list[QueueRow]:
    """Rows for a page of the ordered queue, siblings grouped: one query for the children, one for openable."""
    now = timezone.now()
    page = list(referrals)
    children = referral_children(user=user, referral_ids=[r.pk for r in page])
    return siblings_grouped([QueueRow(r, children.get(r.pk, []), rules.time_left(r.decision_due_at, now))
                             for r in page])


def triage_queue(*, user: User, filters: QueueFilters | None = None) -> TriageQueue:
    """Referrals awaiting a decision, riskiest and least time left first, siblings grouped together.

    Four queries whatever the queue's length: the whole queue's size, oldest item and overdue count; the
    rows; the rows' children with their flags; which of the children the user may open.
    """
    filters = filters or QueueFilters()
    totals = triage_totals(user=user)
    return TriageQueue(
        rows=triage_rows(user=user, referrals=triage_queue_ordered(user=user, filters=filters)[:QUEUE_LIMIT]),
        size=totals["size"],
        oldest_received_at=totals["oldest"],
        overdue=totals["overdue"],
        filtered=filters != QueueFilters(),
    )


def siblings_grouped(rows: list[QueueRow]) -> list[QueueRow]:
    """Keep the queue's order, but bring referrals about children of one household next to the first of them."""
    groups: dict[object, list[QueueRow]] = {}
    for row in rows:
        households = [child.household_id for child in row.children if child.household_id is not None]
        key: object = households[0] if households else ("referral", row.referral.pk)
        groups.setdefault(key, []).append(row)
    ordered: list[QueueRow] = []
    for group in groups.values():
        for index, row in enumerate(group):
            row.group_start = index == 0
            row.group_size = len(group)
        ordered.extend(group)
    return ordered


# -- One referral -------------------------------------------------------------------------------------------


@dataclass
class ReferralDetail:
    referral: Referral
    children: list[ChildRow]
    # "all": children's social care; "referrer": the referring agency; "checked": an agency asked for a check.
    view: str
    checks: list[AgencyCheck]
    decision: Decision | None
    feedback: Feedback | None
    escalations: list[Escalation]
    shares: list[InformationShare]
    strategy_meeting: StrategyMeeting | None
    # To the decision deadline, while the referral waits for a decision.
    time_left: rules.TimeLeft | None
    feedback_due_at: datetime | None = None

    @property
    def flags(self) -> list[tuple[str, str, str]]:
        return children_flags(self.children)

    @property
    def open_escalation(self) -> Escalation | None:
        return next((e for e in self.escalations if e.status == Escalation.Status.OPEN), None)


def referral_detail(*, user: User, referral_id: int) -> ReferralDetail:
    """A referral as the user may see it (logs the view); Http404 when they may not know it exists."""
    return referral_detail_of(user=user, referral=referral_get_for(user, referral_id))


def referral_detail_of(*, user: User, referral: Referral) -> ReferralDetail:
    """A fixed number of queries whatever the number of children, checks and escalation stages."""
    if referral_sees_all(user, referral):
        view = "all"
    elif referral_is_referrer(user, referral):
        view = "referrer"
    else:
        view = "checked"
    checks = AgencyCheck.objects.filter(referral=referral).select_related("agency", "created_by", "answered_by",
                                                                          "authorised_by")
    if view != "all":
        membership = membership_of(user)
        checks = checks.filter(agency_id=membership.agency_id) if membership is not None else checks.none()
    decision = Decision.objects.filter(referral=referral).select_related("decided_by").first()
    # What passed between the MASH and the referrer is not for an agency that was only asked for a check.
    feedback = (Feedback.objects.filter(referral=referral).select_related("shared_by").first()
                if view != "checked" else None)
    escalations: list[Escalation] = []
    membership = membership_of(user)
    mine = Escalation.objects.filter(referral=referral)
    if view != "all":
        # A partner agency sees the disagreements it raised, not other agencies' reasons and answers.
        mine = mine.filter(raised_by_agency_id=membership.agency_id) if membership is not None else mine.none()
    if view != "checked" or decision is not None:
        escalations = list(
            mine
            .select_related("raised_by", "raised_by_agency")
            .prefetch_related(Prefetch("stages", EscalationStage.objects.select_related("respondent", "responded_by")))
        )
    shares: list[InformationShare] = []
    if view == "all":
        shares = list(InformationShare.objects.filter(record_type="referral", record_id=referral.pk)
                      .select_related("agency", "authorised_by", "created_by"))
    now = timezone.now()
    return ReferralDetail(
        referral=referral,
        children=referral_children(user=user, referral_ids=[referral.pk]).get(referral.pk, []),
        view=view,
        checks=list(checks),
        decision=decision,
        feedback=feedback,
        escalations=escalations,
        shares=shares,
        # A partner learns of the meeting when it is invited (the strategy meetings' own access), not here.
        strategy_meeting=(StrategyMeeting.objects.filter(referral=referral).order_by("pk").first()
                          if view == "all" else None),
        time_left=(rules.time_left(referral.decision_due_at, now)
                   if referral.status == Referral.Status.AWAITING_DECISION else None),
        feedback_due_at=(rules.feedback_due_at(decision.decided_at, calendar_for(referral.partnership))
                         if decision is not None and feedback is None and view != "checked" else None),
    )


# -- Lists for agencies and referrers ----------------------------------------------------------------------


def referrals_made(*, user: User) -> QuerySet[Referral]:
    """Referrals the user's agency made, newest first, with their outcome and feedback (referral_referrer_idx)."""
    membership = membership_of(user)
    if membership is None:
        return Referral.objects.none()
    return (
        referrals_visible(user)
        .filter(referrer_agency_id=membership.agency_id)
        .select_related("decision", "feedback", "referrer_agency")
        .order_by("-received_at", "-pk")
    )


def referrals_with_children(*, user: User, referrals: Iterable[Referral]) -> list[tuple[Referral, list[ChildRow]]]:
    """A page of referrals with their children: one query for the children of all of them."""
    referrals = list(referrals)
    children = referral_children(user=user, referral_ids=[r.pk for r in referrals])
    return [(r, children.get(r.pk, [])) for r in referrals]


def agency_checks_inbox(*, user: User) -> QuerySet[AgencyCheck]:
    """Checks addressed to the user's agency: unanswered first, soonest due; then answered, newest first."""
    membership = membership_of(user)
    if membership is None:
        return AgencyCheck.objects.none()
    return (
        agency_checks_visible(user)
        .filter(agency_id=membership.agency_id)  # agency_check_open_idx
        .select_related("referral", "referral__referrer_agency", "agency", "answered_by")
        .annotate(answered=SqlCase(When(answered_at__isnull=True, then=Value(0)), default=Value(1),
                                 output_field=IntegerField()))
        # Open checks share a blank answered_at, so they stay in due order; answered ones come newest first.
        .order_by("answered", "-answered_at", "due_at", "pk")
    )


def agency_checks_requested(*, user: User) -> QuerySet[AgencyCheck]:
    """Open checks the user asked for, soonest due first (a MASH practitioner's home page)."""
    return (
        agency_checks_visible(user)
        .filter(created_by=user, answered_at__isnull=True)
        .select_related("agency", "referral")
        .order_by("due_at", "pk")
    )


def decisions_unshared(*, user: User) -> QuerySet[Referral]:
    """Decided referrals the referrer has not been told about, oldest decision first."""
    return (
        referrals_visible(user)
        .filter(status=Referral.Status.DECIDED)
        .select_related("decision", "decision__decided_by", "referrer_agency")
        .order_by("decision__decided_at", "pk")
    )


def escalations_for_respondent(*, user: User) -> QuerySet[EscalationStage]:
    """Escalation stages waiting for the user's answer, soonest due first."""
    return (
        EscalationStage.objects.filter(respondent=user, outcome="", escalation__status=Escalation.Status.OPEN)
        .select_related("escalation", "escalation__referral", "escalation__raised_by_agency")
        .order_by("due_at", "pk")
    )


def referral_decision_of(referral: Referral) -> Decision | None:
    """The decision on a referral the user may already see, with its maker."""
    return Decision.objects.filter(referral=referral).select_related("decided_by").first()


def referral_open_escalation(*, user: User, referral: Referral) -> Escalation | None:
    """The open challenge to a referral's decision that the user may follow (their own agency's, for a partner)."""
    return escalations_visible(user).filter(referral=referral, status=Escalation.Status.OPEN).first()


# -- The referral form -------------------------------------------------------------------------------------

# The most possible matches the referral form shows for a new child.
NEW_CHILD_MATCHES_SHOWN = 5


@dataclass(frozen=True)
class DuplicatePreview:
    """A record that may be the new child: name and age only, never the record (SPEC 6). ``person_id`` is set
    only when the user may open the record and so may refer that child instead."""

    name: str
    age: str
    person_id: int | None
    restricted: bool = False


def new_child_matches(*, user: User, partnership_id: int, child: NewChild) -> list[DuplicatePreview]:
    """Records anywhere in the partnership that may be this child ("already known?", SPEC 6): a name and an
    age. Of the records the user may not open, only children are shown (an adult found is none of the
    referrer's business), a restricted one only as existing. The search is logged like any search of people."""
    access_record(user=user, action="search", record_type="person", record_id=None, partnership_id=partnership_id,
                  fields={"given_name": child.given_name, "family_name": child.family_name,
                          "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None})
    matches = person_possible_duplicates(partnership_id=partnership_id, given_name=child.given_name,
                                         family_name=child.family_name, date_of_birth=child.date_of_birth,
                                         limit=NEW_CHILD_MATCHES_SHOWN)
    if not matches:
        return []
    today = timezone.localdate()
    openable = set(people_visible(user).filter(pk__in=[m.person_id for m in matches]).values_list("pk", flat=True))
    shown = [m for m in matches if m.person_id in openable or is_child_on(m.date_of_birth, today)
             or getattr(m, "expected_date_of_birth", None) is not None]
    hidden = {m.person_id for m in shown} - openable
    # Which of the others are restricted: their names are not shown (one query, on the matches only).
    restricted = set(Person.objects.filter(pk__in=hidden, restricted=True).values_list("pk", flat=True)) \
        if hidden else set()
    return [
        DuplicatePreview(name="", age="", person_id=None, restricted=True) if m.person_id in restricted
        else DuplicatePreview(name=m.name, age=rules.age_text(m.date_of_birth, today=today),
                              person_id=m.person_id if m.person_id in openable else None)
        for m in shown
    ]


def staff_by_id(ids: Iterable[int | None]) -> dict[int, User]:
    """Who asked and who answered, with their agencies, in one query."""
    wanted = {pk for pk in ids if pk is not None}
    return {u.pk: u for u in User.objects.select_related("membership__agency").filter(pk__in=wanted)} if wanted else {}


@dataclass(frozen=True)
class HouseholdChild:
    """A child living now with a child on the referral form, offered to add without typing them (enter once)."""

    living_with: int
    person_id: int
    name: str
    date_of_birth: date | None
    expected_date_of_birth: date | None

    @property
    def age(self) -> str:
        return rules.age_text(self.date_of_birth, self.expected_date_of_birth, today=timezone.localdate())


def household_children_offered(*, user: User, child_ids: Sequence[int]) -> list[HouseholdChild]:
    """The other children of the current households of the children on the form, in the form's order: only
    households the user may see and children whose records they may open, each child offered once (with the
    first child on the form they live with), and none already on the form.

    Queries: the households of the children on the form (with the households' visibility); their other
    current members the user may open, with their names. None when there are no children on the form."""
    if not child_ids:
        return []
    homes = list(
        HouseholdMember.objects.filter(person_id__in=child_ids, left_on__isnull=True,
                                       household__in=households_visible(user))
        .values_list("household_id", "person_id")
    )
    if not homes:
        return []
    members = (
        HouseholdMember.objects.filter(household_id__in={household for household, _ in homes}, left_on__isnull=True,
                                       person__merged_into__isnull=True, person__in=people_visible(user))
        .exclude(person_id__in=child_ids)
        .select_related("person")
        .order_by("person__date_of_birth", "person_id")
    )
    position = {pk: n for n, pk in enumerate(child_ids)}
    # Each household's first child on the form: a sibling is offered "also living with" them.
    first_on_form: dict[int, int] = {}
    for household, child in sorted(homes, key=lambda home: position.get(home[1], len(position))):
        first_on_form.setdefault(household, child)
    today = timezone.localdate()
    offered: dict[int, HouseholdChild] = {}
    for member in members:
        person = member.person
        if not (is_child_on(person.date_of_birth, today) or person.expected_date_of_birth is not None):
            continue
        living_with = first_on_form[member.household_id]
        known = offered.get(person.pk)
        if known is None or position[living_with] < position[known.living_with]:
            offered[person.pk] = HouseholdChild(living_with, person.pk, person.full_name, person.date_of_birth,
                                                person.expected_date_of_birth)
    return sorted(offered.values(), key=lambda child: position[child.living_with])
