"""The case page (SPEC 3.2, issue 6): everything a social worker needs about one child's case, within the access
rules: the case, the child's family, each child's voice, the plans and their open actions, strategy meetings still
to be held, the latest of the chronology and the case's attachments.

A fixed number of queries whatever the case holds: each part is one selector (or two), never one per record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import Agency, User
from cases.models import Attachment, Case, ChildVoice, Person, Plan, PlanAction
from cases.permissions import case_get_for, cases_visible, people_visible
from cases.selectors.attachments import attachments_of
from cases.selectors.chronology import ChronologyEvent, chronology
from cases.selectors.people import PersonDetail, PersonSummary, person_detail
from cases.selectors.plans import plans_of_case
from cases.selectors.voice import VOICE_STALE_AFTER, voice_latest_per_child
from strategy_meetings.models import OPEN_STATUSES, StrategyMeeting
from strategy_meetings.permissions import meetings_visible

# How much of the chronology the case page shows; the chronology page has the rest.
RECENT_EVENTS = 8


@dataclass(frozen=True)
class FamilyChild:
    """A child of the family as the case page shows them: when their voice was last heard, and whether that is
    too long ago for a child on an open case."""

    summary: PersonSummary
    is_case_child: bool
    on_open_case: bool
    voice: ChildVoice | None
    # On an open case and not heard for 6 weeks (or never).
    unheard: bool


@dataclass(frozen=True)
class CasePage:
    case: Case
    detail: PersonDetail
    involved: list[Agency]
    children: list[FamilyChild]
    plans: list[Plan]
    # The plans' open actions, soonest due first.
    open_actions: list[PlanAction]
    meetings: list[StrategyMeeting]
    events: list[ChronologyEvent]
    attachments: list[Attachment]


def _family_children(detail: PersonDetail) -> list[PersonSummary]:
    """The child first, then the other children of their households and relationships the user may open."""
    found: dict[int, PersonSummary] = {}
    for household in detail.households:
        for member in household.members:
            if member.is_child:
                found.setdefault(member.person_id, member)
    for relationship in detail.relationships:
        if relationship.other.is_child:
            found.setdefault(relationship.other.person_id, relationship.other)
    case_child = found.pop(detail.person.pk, None)
    others = sorted((child for child in found.values() if child.may_open),
                    key=lambda child: (child.date_of_birth is None, child.date_of_birth), reverse=False)
    return ([case_child] if case_child is not None else []) + others


def case_page(*, user: User, case_id: int, now: datetime | None = None) -> CasePage:
    """The case as ``user`` may see it (Http404 when they may not know it); the view is logged.

    Queries: the case (and the log row); the child's record as the person page reads it (``person_detail``);
    involved agencies; the children's people and open cases (2); their latest voice records; the plans with
    their actions; the child's open strategy meetings; the chronology's sources; the attachments.
    """
    now = now or timezone.now()
    case = case_get_for(user, case_id)
    case = Case.objects.select_related("child", "lead_professional", "allocated_team").get(pk=case.pk)
    detail = person_detail(user=user, person_id=case.child_id)
    summaries = _family_children(detail)
    if not summaries or summaries[0].person_id != case.child_id:
        # The child themself, when no household or relationship lists them.
        summaries.insert(0, PersonSummary(
            person_id=case.child_id, name=case.child.full_name, date_of_birth=case.child.date_of_birth,
            age=detail.age, is_child=True, may_open=True, restricted=case.child.restricted))
    ids = [summary.person_id for summary in summaries]
    people = {person.pk: person for person in Person.objects.filter(pk__in=ids)}
    open_children = set(
        cases_visible(user).filter(child_id__in=ids).exclude(status=Case.Status.CLOSED).values_list("child_id",
                                                                                                   flat=True)
    )
    latest = voice_latest_per_child(user=user, children=[people[pk] for pk in ids if pk in people])
    children = []
    for summary in summaries:
        voice = latest.get(summary.person_id)
        on_open_case = summary.person_id in open_children
        children.append(FamilyChild(
            summary=summary,
            is_case_child=summary.person_id == case.child_id,
            on_open_case=on_open_case,
            voice=voice,
            unheard=on_open_case and (voice is None or voice.recorded_at < now - VOICE_STALE_AFTER),
        ))
    plans = plans_of_case(user=user, case=case)
    open_actions = sorted(
        (action for plan in plans if plan.status == Plan.Status.ACTIVE for action in plan.actions.all()
         if action.status == PlanAction.Status.OPEN),
        key=lambda action: (action.due_by, action.pk),
    )
    meetings = list(
        meetings_visible(user).filter(status__in=OPEN_STATUSES, children__child_id=case.child_id)
        .select_related("chair").order_by("due_by", "pk").distinct()
    )
    return CasePage(
        case=case,
        detail=detail,
        involved=list(case.involved_agencies.order_by("name")),
        children=children,
        plans=plans,
        open_actions=open_actions,
        meetings=meetings,
        events=chronology(user=user, child=case.child, limit=RECENT_EVENTS),
        attachments=attachments_of(user=user, record_type=Attachment.RecordType.CASE, record_id=case.pk),
    )


def cases_led(*, user: User) -> QuerySet[Case]:
    """The open cases the user is lead professional for, children the user may open, by the child's name, with
    the child: one query."""
    return (
        cases_visible(user).filter(lead_professional=user, child__in=people_visible(user))
        .exclude(status=Case.Status.CLOSED)
        .select_related("child")
        .order_by("child__family_name", "child__given_name", "pk")
    )


def children_unheard(*, user: User, now: datetime) -> list[tuple[Case, ChildVoice | None]]:
    """The children of the user's open cases not heard for 6 weeks (or never), longest unheard first, with
    their latest voice record: two queries however many cases."""
    cases = list(cases_led(user=user))
    latest = voice_latest_per_child(user=user, children=[case.child for case in cases])
    unheard = [(case, latest.get(case.child_id)) for case in cases]
    unheard = [(case, voice) for case, voice in unheard
               if voice is None or voice.recorded_at < now - VOICE_STALE_AFTER]
    return sorted(unheard, key=lambda pair: (pair[1] is not None, pair[1].recorded_at if pair[1] else now))
