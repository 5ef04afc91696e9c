"""Every read of incidents, their risk and Operation Encompass notices that a user makes.

Counts of incidents (``child_incident_counts`` and friends) are across all agencies and
are not filtered by what the asking user may open: SPEC 3.2 asks for the pattern to be
seen whoever recorded each incident, and a number discloses none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from agencies.models import Agency, User
from agencies.selectors import membership_of
from cases.models import (
    DashAssessment,
    EncompassNotice,
    Incident,
    IncidentChild,
    IncidentParty,
    InformationShare,
    MaracReferral,
    Person,
    PersonFlag,
)
from cases.permissions import encompass_notices_visible, incident_get_for, incidents_visible, sees_whole_partnership
from cases.rules import dash as dash_rules
from cases.rules.risk import window_start


def child_incident_counts(child_ids: Iterable[int], at: datetime) -> dict[int, int]:
    """Incidents each child was part of in the 12 months up to ``at``; one query (incident_child_child_idx)."""
    ids = list(set(child_ids))
    if not ids:
        return {}
    rows = (
        IncidentChild.objects.filter(
            child_id__in=ids, incident__occurred_at__gte=window_start(at), incident__occurred_at__lte=at
        )
        .order_by()
        .values("child_id")
        .annotate(n=Count("incident_id", distinct=True))
        .values_list("child_id", "n")
    )
    counts = dict.fromkeys(ids, 0)
    counts.update(rows)
    return counts


@dataclass(frozen=True)
class ChildCount:
    """A child's incidents around one of their incidents.

    ``up_to``: in the 12 months up to that incident (what the incident page shows). ``widest``: the
    most in any 12 months that include it, which differs when a later incident is already recorded (an
    incident entered late, or two entered at once): the 12 months up to ``widest_at``.
    """

    up_to: int
    widest: int
    widest_at: datetime


def child_escalation_counts_each(pairs: Sequence[tuple[int, datetime]]) -> dict[tuple[int, datetime], ChildCount]:
    """For (child, incident moment) pairs, ``ChildCount``s in one query (incident_child_child_idx).

    The 12-month windows that include an incident end at it or at one of the child's incidents in the
    year after it; each is counted, and the widest kept.
    """
    if not pairs:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH t AS (SELECT * FROM unnest(%s::bigint[], %s::timestamptz[]) AS t (child_id, at)),
                 seen AS (
                     SELECT ic.child_id, ic.incident_id, i.occurred_at
                       FROM cases_incidentchild ic JOIN cases_incident i ON i.id = ic.incident_id
                      WHERE ic.child_id IN (SELECT child_id FROM t)
                 ),
                 anchors AS (
                     SELECT DISTINCT t.child_id, t.at, s.occurred_at AS anchor
                       FROM t JOIN seen s ON s.child_id = t.child_id
                      WHERE s.occurred_at >= t.at AND s.occurred_at <= t.at + interval '365 days'
                 ),
                 windows AS (
                     SELECT a.child_id, a.at, a.anchor, count(DISTINCT s.incident_id) AS n
                       FROM anchors a JOIN seen s ON s.child_id = a.child_id
                      WHERE s.occurred_at >= a.anchor - interval '365 days' AND s.occurred_at <= a.anchor
                      GROUP BY a.child_id, a.at, a.anchor
                 )
            SELECT child_id, at, coalesce(max(n) FILTER (WHERE anchor = at), 0), max(n),
                   (array_agg(anchor ORDER BY n DESC, anchor DESC))[1]
              FROM windows
             GROUP BY child_id, at
            """,
            [[child_id for child_id, _ in pairs], [at for _, at in pairs]],
        )
        found = {(child_id, at): ChildCount(up_to, widest, widest_at) for child_id, at, up_to, widest, widest_at
                 in cursor.fetchall()}
    return {key: found.get(key, ChildCount(0, 0, key[1])) for key in pairs}


def pair_incident_counts_each(
    pairs: Sequence[tuple[int, int, datetime]],
) -> dict[tuple[int, int, datetime], int]:
    """For (victim, perpetrator, moment) triples, the incidents in the 12 months up to each moment in which
    the two were victim and alleged perpetrator, either way round (counter-allegations are common); one query."""
    if not pairs:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.victim_id, t.perpetrator_id, t.at, count(DISTINCT a.incident_id)
              FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[]) AS t (victim_id, perpetrator_id, at)
              JOIN cases_incidentparty a ON a.person_id = t.victim_id
              JOIN cases_incidentparty b ON b.incident_id = a.incident_id AND b.person_id = t.perpetrator_id
                                        AND b.role <> a.role
              JOIN cases_incident i ON i.id = a.incident_id
                                   AND i.occurred_at >= t.at - interval '365 days' AND i.occurred_at <= t.at
             GROUP BY t.victim_id, t.perpetrator_id, t.at
            """,
            [[v for v, _, _ in pairs], [p for _, p, _ in pairs], [at for _, _, at in pairs]],
        )
        counts = dict.fromkeys(pairs, 0)
        counts.update({(v, p, at): n for v, p, at, n in cursor.fetchall()})
    return counts


@dataclass
class ChildAtIncidentRow:
    """One child on the incident page."""

    person: Person
    resident: bool
    present: bool
    seen: bool
    spoken_to: bool
    # Incidents the child was part of in the 12 months up to this incident, across all agencies.
    incidents_last_12_months: int
    # The child's active escalating flag, if any.
    escalating: PersonFlag | None = None


@dataclass
class PairCount:
    victim: Person
    perpetrator: Person
    incidents_last_12_months: int


@dataclass
class DashAnswerRow:
    question: dash_rules.DashQuestion
    answer: str  # "yes", "no", "not_known", or "" when not answered


@dataclass
class IncidentDetail:
    """What the incident page and ``GET /api/v1/incidents/{id}/`` show.

    - ``incident``: the Incident (with ``reported_by`` loaded);
    - ``victims``, ``perpetrators``: Person lists, in name order;
    - ``children``: ChildAtIncidentRow per child, with ``incidents_last_12_months`` and ``escalating``;
    - ``pairs``: PairCount per victim and alleged perpetrator of this incident;
    - ``dash``: the DashAssessment or None; ``dash_groups`` the questions under their headings with each
      answer, for the page (empty without a DASH);
    - ``notices``: the Operation Encompass notices the user may see (with ``child`` and ``school``);
    - ``marac_referrals``: MaracReferral list with ``victim``;
    - ``may_change``: whether the user's agency reported it (only the reporter may change an incident).
    """

    incident: Incident
    victims: list[Person]
    perpetrators: list[Person]
    children: list[ChildAtIncidentRow]
    pairs: list[PairCount]
    dash: DashAssessment | None
    dash_groups: list[tuple[str, list[DashAnswerRow]]]
    notices: list[EncompassNotice]
    marac_referrals: list[MaracReferral]
    may_change: bool = False

    @property
    def dash_score(self) -> int | None:
        return self.dash.score if self.dash is not None else None


def incident_detail(*, user: User, incident_id: int) -> IncidentDetail:
    """The incident with everything on its page, or Http404; logs the view.

    Queries, whatever the number of people: the incident (incident_get_for, with the access-log
    row), then parties, children, 12-month counts for the children, victim-perpetrator pair counts,
    escalating flags, the DASH, notices, MARAC referrals and the reporting agency: a fixed number.
    """
    incident = incident_get_for(user, incident_id)
    return incident_detail_of(user=user, incident=incident)


def incident_detail_of(*, user: User, incident: Incident) -> IncidentDetail:
    """The page's contents for an incident already fetched for ``user`` (or just recorded by them)."""
    parties = list(
        IncidentParty.objects.filter(incident=incident).select_related("person").order_by(
            "person__family_name", "person__given_name", "person_id"
        )
    )
    victims = [party.person for party in parties if party.role == IncidentParty.Role.VICTIM]
    perpetrators = [party.person for party in parties if party.role == IncidentParty.Role.PERPETRATOR]
    appearances = list(
        IncidentChild.objects.filter(incident=incident).select_related("child").order_by(
            "child__date_of_birth", "child__given_name", "child_id"
        )
    )
    child_ids = [row.child_id for row in appearances]
    counts = child_incident_counts(child_ids, incident.occurred_at)
    flags = {
        flag.person_id: flag
        for flag in PersonFlag.objects.filter(
            person_id__in=child_ids, kind=PersonFlag.Kind.ESCALATING, cleared_at__isnull=True
        )
    } if child_ids else {}
    pair_keys = [(v.pk, p.pk, incident.occurred_at) for v in victims for p in perpetrators if v.pk != p.pk]
    pair_counts = pair_incident_counts_each(pair_keys)
    people = {person.pk: person for person in (*victims, *perpetrators)}
    dash = DashAssessment.objects.filter(incident=incident).first()
    notices = list(
        encompass_notices_visible(user).filter(incident=incident).select_related("child", "school").order_by("pk")
    )
    referrals = list(MaracReferral.objects.filter(incident=incident).select_related("victim").order_by("pk"))
    incident.reported_by = Agency.objects.get(pk=incident.reported_by_id)
    membership = membership_of(user)
    return IncidentDetail(
        incident=incident,
        victims=victims,
        perpetrators=perpetrators,
        children=[
            ChildAtIncidentRow(
                person=row.child, resident=row.resident, present=row.present, seen=row.seen,
                spoken_to=row.spoken_to, incidents_last_12_months=counts.get(row.child_id, 0),
                escalating=flags.get(row.child_id),
            )
            for row in appearances
        ],
        pairs=[PairCount(people[v], people[p], n) for (v, p, _), n in pair_counts.items()],
        dash=dash,
        dash_groups=_dash_groups(dash),
        notices=notices,
        marac_referrals=referrals,
        may_change=membership is not None and membership.agency_id == incident.reported_by_id,
    )


def _dash_groups(dash: DashAssessment | None) -> list[tuple[str, list[DashAnswerRow]]]:
    if dash is None:
        return []
    answers = dash.answers or {}
    return [
        (group, [DashAnswerRow(question, str(answers.get(question.id, ""))) for question in questions])
        for group, questions in dash_rules.questions_grouped()
    ]


def incidents_for_person(*, user: User, person: Person) -> QuerySet[Incident]:
    """The incidents the user may see in which the person was a child, victim or alleged perpetrator, newest first."""
    as_child = IncidentChild.objects.filter(incident=OuterRef("pk"), child=person)
    as_party = IncidentParty.objects.filter(incident=OuterRef("pk"), person=person)
    return (
        incidents_visible(user)
        .filter(Exists(as_child) | Exists(as_party))
        .select_related("reported_by")
        .order_by("-occurred_at", "-pk")
    )


def encompass_notices_receive(user: User) -> bool:
    """Whether the user has an Operation Encompass inbox at all: schools, the police and children's social care."""
    membership = membership_of(user)
    if membership is None:
        return bool(user.is_superuser)
    return sees_whole_partnership(user) or membership.agency.kind in (Agency.Kind.EDUCATION, Agency.Kind.POLICE)


def encompass_notices_for(*, user: User) -> QuerySet[EncompassNotice]:
    """A school's inbox of notices about its pupils (all the partnership's for the police and CSC), newest first."""
    return (
        encompass_notices_visible(user)
        .select_related("child", "school")
        .order_by("-occurred_at", "-pk")  # encompass_school_idx for a school
    )


def escalating_flags_unreviewed(*, user: User) -> QuerySet[PersonFlag]:
    """Children flagged escalating and not yet reviewed, oldest first (the MASH manager's home section)."""
    membership = membership_of(user)
    if membership is None or not sees_whole_partnership(user):
        return PersonFlag.objects.none()
    return (
        PersonFlag.objects.filter(
            Q(partnership_id=membership.partnership_id),
            kind=PersonFlag.Kind.ESCALATING, reviewed_at__isnull=True, cleared_at__isnull=True,
        )
        .select_related("person")
        .order_by("raised_at", "pk")  # person_flag_unreviewed_idx
    )


def incidents_listed(*, user: User) -> QuerySet[Incident]:
    """The incident list: visible incidents newest first, with reporter, children count and victims."""
    victims = (
        IncidentParty.objects.filter(role=IncidentParty.Role.VICTIM)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    return (
        incidents_visible(user)
        .select_related("reported_by")
        .annotate(children_count=Count("children", distinct=True))
        .prefetch_related(Prefetch("parties", queryset=victims, to_attr="victim_parts"))
        .order_by("-occurred_at", "-pk")  # incident_partnership_idx
    )


def incident_shares(incident: Incident) -> list[InformationShare]:
    """Whom an incident the user may see was shared with (information_share_record_idx)."""
    return list(
        InformationShare.objects.filter(record_type="incident", record_id=incident.pk)
        .select_related("agency", "created_by")
        .order_by("shared_at", "pk")
    )
