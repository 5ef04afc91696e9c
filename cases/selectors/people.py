"""Every read of people a user makes: duplicates, alerts, "already known?", the person page and find-a-person.

Each takes the user (or works on a person the caller fetched through ``cases.permissions``) and
runs a fixed number of queries whatever the size of the partnership.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import CharField, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from agencies.models import Agency, User
from agencies.selectors import membership_of
from audits.services import access_record
from cases.models import (
    BreakGlass,
    Case,
    Household,
    HouseholdMember,
    Person,
    PersonFlag,
    PersonGroupObjectPermission,
    Relationship,
    RestrictedAccess,
)
from cases.permissions import households_visible, people_visible, person_get_for, person_may_change
from cases.rules.people import (
    DUPLICATE_MIN_SCORE,
    DataQuality,
    age_on,
    data_quality,
    dob_neighbours,
    duplicate_score,
    is_child,
    name_fold,
    name_key,
    nhs_number_normalise,
    nhs_number_valid,
)

# How many of the closest names are scored for duplicates; the best ``limit`` of them are offered.
_DUPLICATE_SHORT_LIST = 50
KNOWN_SEARCH_LIMIT = 20
FIND_LIMIT = 25
_KNOWN_MIN_SIMILARITY = 0.3


def _dmetaphone(expression: F | Value) -> Func:
    # Matches the expression of the person_family_dmetaphone index.
    return Func(expression, function="dmetaphone", output_field=CharField())


@dataclass(frozen=True)
class DuplicateMatch:
    person_id: int
    name: str
    date_of_birth: date | None
    score: float  # 0 to 1


def person_possible_duplicates(
    *,
    partnership_id: int,
    given_name: str,
    family_name: str,
    date_of_birth: date | None = None,
    exclude_id: int | None = None,
    limit: int = 10,
    nhs_number: str = "",
    within: QuerySet[Person] | None = None,
) -> list[DuplicateMatch]:
    """People of the partnership who may be the same person, most likely first, in one query.

    Candidates: a name key trigram-similar to this one (``%``, the GIN index on search_name) or
    a family name sounding the same (double metaphone, its expression index), with a date of
    birth the same, close (``dob_neighbours``) or not recorded; or the same NHS number whatever
    the name. ``within`` narrows them to people a user may know of. Merged records are left out.
    """
    key = name_key(given_name, family_name)
    if not key:
        return []
    people = Person.objects.filter(partnership_id=partnership_id, merged_into__isnull=True)
    if exclude_id is not None:
        people = people.exclude(pk=exclude_id)
    if within is not None:
        people = people.filter(pk__in=within.values("pk"))
    name_match = Q(search_name__trigram_similar=key)
    if name_fold(family_name):
        name_match |= Q(family_sound=_dmetaphone(Value(family_name)))
    if date_of_birth is not None:
        name_match &= Q(date_of_birth__isnull=True) | Q(date_of_birth__in=sorted(dob_neighbours(date_of_birth)))
    nhs_number = nhs_number_normalise(nhs_number)
    match = name_match | Q(nhs_number=nhs_number) if nhs_number_valid(nhs_number) else name_match
    rows = (
        people.annotate(
            family_sound=_dmetaphone(F("family_name")),
            wanted_sound=_dmetaphone(Value(family_name)),
            similarity=TrigramSimilarity("search_name", key),
        )
        .filter(match)
        .order_by("-similarity", "pk")
        .values_list("pk", "given_name", "family_name", "date_of_birth", "nhs_number", "family_sound",
                     "wanted_sound", "similarity")[:_DUPLICATE_SHORT_LIST]
    )
    matches = []
    for pk, given, family, dob, their_nhs, sound, wanted_sound, similarity in rows:
        if nhs_number and their_nhs == nhs_number:
            score = 1.0
        else:
            score = duplicate_score(
                name_similarity=similarity, family_sounds_alike=bool(sound) and sound == wanted_sound,
                date_of_birth=date_of_birth, other_date_of_birth=dob,
            )
        if score >= DUPLICATE_MIN_SCORE:
            matches.append(DuplicateMatch(person_id=pk, name=f"{given} {family}", date_of_birth=dob, score=score))
    matches.sort(key=lambda m: (-m.score, m.person_id))
    return matches[:limit]


@dataclass(frozen=True)
class Alert:
    kind: str
    message: str


# How the person is linked to the child, and what is known of the child: (link, what) -> message.
_ALERT_MESSAGES = {
    ("caring", "child_protection"):
        "Has parental or caring responsibility for a child subject to a child protection plan",
    ("caring", "open_case"): "Has parental or caring responsibility for a child with an open case",
    ("caring", "escalating"): "Has parental or caring responsibility for a child flagged as escalating",
    ("household", "child_protection"): "Lives with a child subject to a child protection plan",
    ("household", "open_case"): "Lives with a child with an open case",
    ("household", "escalating"): "Lives with a child flagged as escalating",
    ("related", "child_protection"): "Has a relationship with a child subject to a child protection plan",
    ("related", "open_case"): "Has a relationship with a child with an open case",
    ("related", "escalating"): "Has a relationship with a child flagged as escalating",
}

# The people linked to one person now (current household members, relationships either way),
# with whether each is on a plan, has an open case, or is flagged escalating. Each branch runs
# on an index: household_member_person_idx, the household foreign key, relationship_once and
# relationship_other_idx; then the case and flag foreign keys.
_LINKED_CHILDREN_SQL = """
WITH links AS (
    SELECT theirs.person_id AS id, 'household' AS link
      FROM cases_householdmember mine
      JOIN cases_householdmember theirs
        ON theirs.household_id = mine.household_id AND theirs.left_on IS NULL AND theirs.person_id <> mine.person_id
     WHERE mine.person_id = %(person)s AND mine.left_on IS NULL
    UNION ALL
    SELECT other_id, CASE WHEN kind IN ('parent', 'step_parent', 'carer') THEN 'caring' ELSE 'related' END
      FROM cases_relationship WHERE person_id = %(person)s
    UNION ALL
    SELECT person_id, 'related' FROM cases_relationship WHERE other_id = %(person)s
)
SELECT links.link,
       EXISTS (SELECT 1 FROM cases_case c WHERE c.child_id = links.id AND c.status = 'child_protection'),
       EXISTS (SELECT 1 FROM cases_case c WHERE c.child_id = links.id AND c.status <> 'closed'),
       EXISTS (SELECT 1 FROM cases_personflag f
                WHERE f.person_id = links.id AND f.kind = 'escalating' AND f.cleared_at IS NULL)
  FROM links
  JOIN cases_person linked ON linked.id = links.id AND linked.merged_into_id IS NULL
"""


def person_alerts(person: Person) -> list[Alert]:
    """Alerts for everyone linked to a child at risk, in one query (SPEC 3.2 "Alert").

    A person living in the same household as, or linked by a relationship to, a child with an
    open case, on a child protection plan, or flagged escalating carries an alert, the most serious
    first. A plan says more than an open case, so a link with a plan does not also say "open case".
    Siblings carry them too: a child living with a child on a plan is at risk as well.
    """
    found: set[tuple[str, str]] = set()
    with connection.cursor() as cursor:
        cursor.execute(_LINKED_CHILDREN_SQL, {"person": person.pk})
        for link, on_plan, open_case, escalating in cursor.fetchall():
            if on_plan:
                found.add((link, "child_protection"))
            elif open_case:
                found.add((link, "open_case"))
            if escalating:
                found.add((link, "escalating"))
    for link in ("caring", "household", "related"):
        if (link, "child_protection") in found:
            found.discard((link, "open_case"))
    return [
        Alert(kind=f"{link}_{what}", message=message)
        for (link, what), message in _ALERT_MESSAGES.items()
        if (link, what) in found
    ]


def person_flags(person: Person) -> list[str]:
    """The person's active flags, e.g. ["escalating"], in one query."""
    return list(
        PersonFlag.objects.filter(person=person, cleared_at__isnull=True)
        .order_by("kind")
        .values_list("kind", flat=True)
    )


def _agencies_involved(person: Person) -> QuerySet[Agency]:
    granted = PersonGroupObjectPermission.objects.filter(
        content_object_id=person.pk, permission__codename="view_person"
    ).values("group_id")
    open_case = Case.objects.filter(child_id=person.pk).exclude(status=Case.Status.CLOSED)
    csc = Q(kind=Agency.Kind.CHILDRENS_SOCIAL_CARE, partnerships=person.partnership_id) & Q(Exists(open_case))
    return Agency.objects.filter(Q(group_id__in=granted) | csc).distinct().order_by("name")


def person_agencies_involved(person: Person) -> list[Agency]:
    """Agencies the person's record is shared with, and children's social care while a case is open; one query."""
    return list(_agencies_involved(person))


@dataclass(frozen=True)
class KnownPreview:
    """One "already known?" hit: enough to pick up the phone, never the record (SPEC 6).

    A restricted record the searcher may not open shows only that it exists and whom to ask.
    """

    id: int | None
    name: str | None
    age: int | None
    agencies_involved: list[str]
    contact: str
    restricted: bool = False

    @property
    def notice(self) -> str:
        return f"A restricted record exists. Contact {self.contact}." if self.restricted else ""


def _unlocked_for(user: User) -> Q:
    named = RestrictedAccess.objects.filter(person=OuterRef("pk"), user=user)
    glass = BreakGlass.objects.filter(person=OuterRef("pk"), user=user, expires_at__gt=timezone.now())
    return Q(restricted=False) | Q(Exists(named)) | Q(Exists(glass))


def people_known_search(*, user: User, name: str, date_of_birth: date) -> list[KnownPreview]:
    """Is this child already known? Any practitioner searches the people of their own partnership
    by name and date of birth (within ``dob_neighbours``), whatever has been shared with their agency.

    Both are required: with a name alone the search would list every family of that name. The
    match is trigram similarity of the name (0.3 or more) or the last word typed sounding like the
    family name. People with no date of birth recorded are not matched. Every search is logged.

    Queries: the matching people; the open cases' lead professionals with their agencies; the agencies
    each record is shared with; the partnership's children's social care (for the MASH); the log row.
    """
    membership = membership_of(user)
    key = name_fold(name)
    access_record(user=user, action="search", record_type="person", record_id=None,
                  partnership_id=membership.partnership_id if membership else None,
                  fields={"name": name, "date_of_birth": date_of_birth.isoformat()})
    if membership is None or not key:
        return []
    family_word = key.split()[-1]
    hits = list(
        Person.objects.filter(
            partnership_id=membership.partnership_id,
            merged_into__isnull=True,
            date_of_birth__in=sorted(dob_neighbours(date_of_birth)),
        )
        .annotate(
            similarity=TrigramSimilarity("search_name", key),
            family_sound=_dmetaphone(F("family_name")),
            unlocked=_unlocked_for(user),
        )
        .filter(Q(similarity__gte=_KNOWN_MIN_SIMILARITY) | Q(family_sound=_dmetaphone(Value(family_word))))
        .order_by("-similarity", "pk")[:KNOWN_SEARCH_LIMIT]
    )
    if not hits:
        return []
    ids = [p.pk for p in hits]
    leads = {
        case.child_id: case
        for case in Case.objects.filter(child_id__in=ids)
        .exclude(status=Case.Status.CLOSED)
        .select_related("lead_professional__membership__agency")
    }
    shared: dict[int, list[str]] = {}
    for person_id, agency_name in (
        PersonGroupObjectPermission.objects.filter(content_object_id__in=ids, permission__codename="view_person")
        .values_list("content_object_id", "group__agency__name")
        .order_by("group__agency__name")
        .distinct()
    ):
        if agency_name:
            shared.setdefault(person_id, []).append(agency_name)
    csc = (
        Agency.objects.filter(kind=Agency.Kind.CHILDRENS_SOCIAL_CARE, partnerships=membership.partnership_id)
        .order_by("pk")
        .first()
    )
    mash = f"the MASH at {csc.name}" if csc is not None else "the partnership's MASH"
    today = timezone.localdate()
    previews = []
    for person in hits:
        if not person.unlocked:
            previews.append(KnownPreview(id=None, name=None, age=None, agencies_involved=[], contact=mash,
                                         restricted=True))
            continue
        agencies = list(shared.get(person.pk, []))
        case = leads.get(person.pk)
        contact = mash
        if case is not None:
            if csc is not None and csc.name not in agencies:
                agencies.insert(0, csc.name)
            lead = case.lead_professional
            if lead is not None:
                lead_membership = membership_of(lead)
                contact = lead.display_name
                if lead_membership is not None:
                    contact = f"{contact}, {lead_membership.agency.name}"
        previews.append(KnownPreview(
            id=person.pk,
            name=person.full_name,
            age=age_on(person.date_of_birth, today) if person.date_of_birth else None,
            agencies_involved=agencies,
            contact=contact,
        ))
    return previews


@dataclass(frozen=True)
class PersonSummary:
    """Someone shown on another person's page or in a list. ``name`` is blank for a restricted
    record the viewer may not open; ``may_open`` says whether a link to their record would open."""

    person_id: int
    name: str
    date_of_birth: date | None
    age: int | None
    is_child: bool
    may_open: bool
    restricted: bool


@dataclass(frozen=True)
class HouseholdSummary:
    household: Household
    # Everyone living there now, the person themself included, oldest first.
    members: list[PersonSummary]


# How each kind of relationship reads from each end: (what the recorded person is to the other,
# what the other is to them). "A is the parent of B" shows on B's page as "Child of A".
_READS: dict[str, tuple[str, str]] = {
    Relationship.Kind.PARENT: ("Parent of", "Child of"),
    Relationship.Kind.STEP_PARENT: ("Step-parent of", "Step-child of"),
    Relationship.Kind.CARER: ("Carer of", "Cared for by"),
    Relationship.Kind.PARTNER: ("Partner of", "Partner of"),
    Relationship.Kind.EX_PARTNER: ("Ex-partner of", "Ex-partner of"),
    Relationship.Kind.SIBLING: ("Sibling of", "Sibling of"),
    Relationship.Kind.OTHER_FAMILY: ("Family of", "Family of"),
    Relationship.Kind.OTHER: ("Linked to", "Linked to"),
}


@dataclass(frozen=True)
class RelationshipSummary:
    relationship_id: int
    kind: str
    # "Parent of", "Child of", ...: what this person is to ``other``, ready to put before the name.
    label: str
    # ... and what ``other`` is to this person ("Child of"), for the other person's card.
    other_is: str
    other: PersonSummary
    # This person poses a risk to the other / the other poses a risk to this person.
    risk_to_other: bool
    risk_from_other: bool


@dataclass(frozen=True)
class PersonDetail:
    """Everything the person page shows (SPEC 8 "Person").

    - ``person``: the Person (school, GP practice and health visiting loaded);
    - ``age`` (None without a date of birth) and ``is_child`` (under 18 or unborn);
    - ``may_change``: whether the viewer may edit the record;
    - ``alerts``: [Alert(kind, message)], for the identity bar; ``flags``: active flag kinds, e.g. ["escalating"];
    - ``data_quality``: DataQuality(score 0-100, gaps in words);
    - ``households``: the current households the viewer may see, each a HouseholdSummary with its current members;
    - ``relationships``: RelationshipSummary both ways, labelled from this person's side;
    - ``agencies_involved``: [Agency] the record is shared with, and children's social care while a case is open;
    - ``open_cases``: [Case] not closed, with lead professional and allocated team loaded.
    """

    person: Person
    age: int | None
    is_child: bool
    may_change: bool
    alerts: list[Alert]
    flags: list[str]
    data_quality: DataQuality
    households: list[HouseholdSummary] = field(default_factory=list)
    relationships: list[RelationshipSummary] = field(default_factory=list)
    agencies_involved: list[Agency] = field(default_factory=list)
    open_cases: list[Case] = field(default_factory=list)


def _summary(person: Person, *, openable: set[int], today: date) -> PersonSummary:
    may_open = person.pk in openable
    hidden = person.restricted and not may_open
    return PersonSummary(
        person_id=person.pk,
        name="" if hidden else person.full_name,
        date_of_birth=None if hidden else person.date_of_birth,
        age=None if hidden or person.date_of_birth is None else age_on(person.date_of_birth, today),
        is_child=is_child(person.date_of_birth, person.expected_date_of_birth, today),
        may_open=may_open,
        restricted=person.restricted,
    )


def person_quality(person: Person, *, today: date | None = None) -> DataQuality:
    return data_quality(
        date_of_birth=person.date_of_birth,
        date_of_birth_estimated=person.date_of_birth_estimated,
        expected_date_of_birth=person.expected_date_of_birth,
        sex=person.sex,
        ethnicity=person.ethnicity,
        first_language=person.first_language,
        interpreter_needed=person.interpreter_needed,
        nhs_number=person.nhs_number,
        has_school=person.school_id is not None,
        today=today or timezone.localdate(),
    )


def person_detail(*, user: User, person_id: int) -> PersonDetail:
    """The person page's composite, in a fixed number of queries; the view is logged.

    Raises Http404 (may not know the person exists) or RestrictedRecord (must break glass).
    Households are shown only where the viewer may see the household; their members and the
    people at the other end of relationships are named (a restricted record the viewer may not
    open is shown without name or date of birth).

    Queries: the person (visibility) and the log row; may the viewer change it (none for
    children's social care); current households; their current members; relationships; which of
    those people the viewer may open; alerts; flags; agencies involved; open cases.
    """
    person = person_get_for(user, person_id)
    person = (
        Person.objects.select_related("school", "gp_practice", "health_visiting")
        .filter(pk=person.pk)
        .first()
    ) or person
    today = timezone.localdate()
    memberships = list(
        HouseholdMember.objects.filter(
            left_on__isnull=True,
            person__merged_into__isnull=True,
            household__in=HouseholdMember.objects.filter(person=person, left_on__isnull=True)
            .filter(household__in=households_visible(user))
            .values("household_id"),
        )
        .select_related("household", "person")
        .order_by("household__address", "household_id", "person__date_of_birth", "person_id")
    )
    relationships = list(
        Relationship.objects.filter(Q(person=person) | Q(other=person))
        .filter(person__merged_into__isnull=True, other__merged_into__isnull=True)
        .select_related("person", "other")
        .order_by("kind", "pk")
    )
    others = {m.person_id for m in memberships} | {r.person_id for r in relationships} | {
        r.other_id for r in relationships
    }
    others.discard(person.pk)
    openable = set(people_visible(user).filter(pk__in=others).values_list("pk", flat=True)) | {person.pk}

    households: dict[int, HouseholdSummary] = {}
    for membership in memberships:
        summary = households.setdefault(membership.household_id, HouseholdSummary(membership.household, []))
        summary.members.append(_summary(membership.person, openable=openable, today=today))
    links = []
    for relationship in relationships:
        outgoing = relationship.person_id == person.pk
        other = relationship.other if outgoing else relationship.person
        as_recorded, mirrored = _READS[relationship.kind]
        links.append(RelationshipSummary(
            relationship_id=relationship.pk,
            kind=relationship.kind,
            label=as_recorded if outgoing else mirrored,
            other_is=mirrored if outgoing else as_recorded,
            other=_summary(other, openable=openable, today=today),
            risk_to_other=relationship.poses_risk and outgoing,
            risk_from_other=relationship.poses_risk and not outgoing,
        ))
    return PersonDetail(
        person=person,
        age=age_on(person.date_of_birth, today) if person.date_of_birth else None,
        is_child=is_child(person.date_of_birth, person.expected_date_of_birth, today),
        may_change=person_may_change(user, person),
        alerts=person_alerts(person),
        flags=person_flags(person),
        data_quality=person_quality(person, today=today),
        households=list(households.values()),
        relationships=links,
        agencies_involved=person_agencies_involved(person),
        open_cases=list(
            Case.objects.filter(child=person)
            .exclude(status=Case.Status.CLOSED)
            .select_related("lead_professional", "allocated_team")
        ),
    )


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def _as_date(text: str) -> date | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def people_find(*, user: User, q: str, limit: int = FIND_LIMIT) -> list[PersonSummary]:
    """Find a person among those the user may open: by NHS number, date of birth, or name; one query
    and the log row. A name matches on trigram similarity or as a fragment of the name."""
    q = " ".join((q or "").split())
    if not q:
        return []
    membership = membership_of(user)
    access_record(user=user, action="search", record_type="person", record_id=None,
                  partnership_id=membership.partnership_id if membership else None, fields={"q": q})
    people = people_visible(user)
    digits = nhs_number_normalise(q)
    as_date = _as_date(q)
    if re.fullmatch(r"[0-9]{10}", digits):
        people = people.filter(nhs_number=digits).order_by("family_name", "given_name", "pk")
    elif as_date is not None:
        people = people.filter(date_of_birth=as_date).order_by("family_name", "given_name", "pk")
    else:
        key = name_fold(q)
        if not key:
            return []
        people = (
            people.filter(Q(search_name__trigram_similar=key) | Q(search_name__contains=key))
            .annotate(similarity=TrigramSimilarity("search_name", key))
            .order_by("-similarity", "family_name", "given_name", "pk")
        )
    today = timezone.localdate()
    found = list(people[:limit])
    openable = {p.pk for p in found}
    return [_summary(p, openable=openable, today=today) for p in found]


def people_active_flags(person_ids: Iterable[int]) -> dict[int, list[str]]:
    """Active flags of people a selector already found for the user, in one query (person_flag_active_once)."""
    flags: dict[int, list[str]] = {}
    rows = PersonFlag.objects.filter(person_id__in=person_ids, cleared_at__isnull=True).order_by("kind")
    for person_id, kind in rows.values_list("person_id", "kind"):
        flags.setdefault(person_id, []).append(kind)
    return flags


def household_members(*, user: User, household: Household) -> list[tuple[PersonSummary, date | None]]:
    """A household's current members, oldest first, with when each joined, in two queries: the members,
    and which the user may open (a restricted member the user may not open is shown without name or age)."""
    memberships = list(
        household.memberships.filter(left_on__isnull=True, person__merged_into__isnull=True)
        .select_related("person")
        .order_by("person__date_of_birth", "person_id")
    )
    ids = [m.person_id for m in memberships]
    openable = set(people_visible(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    today = timezone.localdate()
    return [(_summary(m.person, openable=openable, today=today), m.joined_on) for m in memberships]
