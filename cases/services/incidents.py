"""Every write to incidents, their DASH, and what an incident sets in motion (SPEC 3.2, 5, 6).

Recording an incident, in one transaction:

1. the incident, its victims, alleged perpetrators and children, and the DASH with its score
   and level by the partnership's bands (``Incident.risk_level``: the DASH level, or the
   professional judgement where higher);
2. sharing, at once (SPEC 6): the reporting agency gets view and change on the incident and
   view on its people; each child's health visiting service and GP practice, where recorded,
   get view on the incident and the child (a domestic-abuse notification). Each grant has an
   information-sharing record beside it (lawful basis public task). Children's social care
   sees it by rule and needs no grant; the school gets an Operation Encompass notice only;
3. Operation Encompass: a notice for each school-age child resident or present, due by 08:30
   on the next school day, sent at once (and the school's staff told) when the school is known;
4. cumulative risk: each child's incidents in the 12 months up to this one across all agencies
   (and in any 12 months including it, for an incident entered after a later one); three or more
   raise (or update) the child's ``escalating`` flag, and a newly raised flag tells every MASH
   manager of the partnership to review it within a working day;
5. MARAC: a high level creates a MARAC referral task for each victim; an incident within 12
   months of an earlier referral for a victim makes a repeat referral (``repeat=True``) whatever
   its level, and flags the victim ``repeat_marac``; the reporter's line manager (or their
   agency's managers) is told.

``incident_create`` records one incident; the import command records thousands through the
same ``incidents_record``, which does each step for a whole batch in a fixed number of queries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from agencies.models import Agency, Membership, Notification, Partnership, Role, User
from agencies.rules import DEFAULT_TZ
from agencies.selectors import PartnershipCalendars, calendars_for, membership_of
from audits.services import access_record
from cases.models import (
    EncompassNotice,
    Household,
    Incident,
    IncidentGroupObjectPermission,
    IncidentParty,
    InformationShare,
    MaracReferral,
    Person,
    PersonFlag,
    PersonGroupObjectPermission,
)
from cases.permissions import incidents_visible, people_visible, sees_whole_partnership
from cases.rules import dash as dash_rules
from cases.rules import risk
from cases.rules.people import name_key
from cases.selectors.incidents import ChildCount, pair_incident_counts_each
from config.errors import FUTURE_TOLERANCE

if TYPE_CHECKING:
    from cases.import_feed import FeedRow, PersonRef

_Unsaved = TypeVar("_Unsaved", Person, Household)

NOTIFICATION_WHAT = "Domestic-abuse notification"
MAY_NOT_CREATE = frozenset({Role.AUDITOR, Role.ADMIN})
SCHOOL_STAFF_TOLD = (Role.PRACTITIONER, Role.TEAM_MANAGER)
AGENCY_MANAGERS = (Role.TEAM_MANAGER, Role.SENIOR_MANAGER)


@dataclass(frozen=True)
class ChildAtIncident:
    person: Person
    resident: bool = True
    present: bool = False
    seen: bool = False
    spoken_to: bool = False


@dataclass(frozen=True)
class DashInput:
    answers: Mapping[str, str]
    professional_judgement_level: str = ""
    professional_judgement_reason: str = ""
    answered_at: datetime | None = None


@dataclass
class IncidentDraft:
    """One incident, checked and ready to record (built by ``incident_create`` or the import)."""

    occurred_at: datetime
    reference: str = ""
    location: str = ""
    summary: str = ""
    household_id: int | None = None
    victims: list[Person] = field(default_factory=list)
    perpetrators: list[Person] = field(default_factory=list)
    children: list[ChildAtIncident] = field(default_factory=list)
    dash: DashInput | None = None
    # Worked out by ``draft_errors``.
    dash_answers: dict[str, str] = field(default_factory=dict)
    dash_score: int = 0
    dash_level: str = ""
    risk_level: str = ""


@dataclass
class RecordResult:
    """What ``incidents_record`` did, for the import's summary and the tests."""

    incident_ids: list[int] = field(default_factory=list)
    shares: int = 0
    notices: int = 0
    notices_unsent: int = 0
    flags_raised: int = 0
    flags_updated: int = 0
    marac_referrals: int = 0
    repeat_marac: int = 0
    notifications: int = 0
    # (child id, incident id) -> incidents in the 12 months up to that incident.
    child_counts: dict[tuple[int, int], int] = field(default_factory=dict)


# -- Who may record -----------------------------------------------------------------------------------------


def incident_may_create(user: User) -> bool:
    """Any practitioner or manager may record an incident; auditors and administrators do not record casework."""
    membership = membership_of(user)
    if membership is None:
        return bool(user.is_superuser)
    return membership.role not in MAY_NOT_CREATE


def incident_create_check(user: User) -> None:
    if not incident_may_create(user):
        raise PermissionDenied("Auditors and administrators do not record incidents.")


# -- Checks on one draft, no database ----------------------------------------------------------------------


def _local(moment: datetime) -> datetime:
    return moment.astimezone(DEFAULT_TZ)


def _identity(person: Person) -> int:
    """The person's id, or for one the import has yet to save, a stand-in unique while it lives."""
    return person.pk if person.pk is not None else -id(person)


def draft_errors(draft: IncidentDraft, *, partnership: Partnership, now: datetime) -> dict[str, list[str]]:
    """Everything wrong with a draft that can be told without the database; fills in its DASH score and level."""
    errors: dict[str, list[str]] = defaultdict(list)
    occurred = draft.occurred_at
    if occurred.tzinfo is None or occurred.utcoffset() is None:
        errors["occurred_at"].append("Give the time with its time zone offset, e.g. 2025-03-04T22:15:00+00:00.")
    elif occurred > now + FUTURE_TOLERANCE:
        errors["occurred_at"].append("The incident cannot be in the future.")
    if len(draft.reference) > 60:
        errors["reference"].append("A reference has at most 60 characters.")

    for role, people in (("victims", draft.victims), ("perpetrators", draft.perpetrators)):
        seen: set[int] = set()
        for person in people:
            if _identity(person) in seen:
                errors[role].append(f"{person.full_name} is listed twice.")
            seen.add(_identity(person))
            if person.merged_into_id is not None:
                errors[role].append(f"{person.full_name}'s record was merged into another; use that record.")
    both = {_identity(p) for p in draft.victims} & {_identity(p) for p in draft.perpetrators}
    for person in draft.victims:
        if _identity(person) in both:
            errors["perpetrators"].append(f"{person.full_name} cannot be both victim and alleged perpetrator.")

    aware = occurred.tzinfo is not None and occurred.utcoffset() is not None
    day = _local(occurred).date() if aware else None
    seen_children: set[int] = set()
    for child in draft.children:
        person = child.person
        if _identity(person) in seen_children:
            errors["children"].append(f"{person.full_name} is listed twice.")
        seen_children.add(_identity(person))
        if person.merged_into_id is not None:
            errors["children"].append(f"{person.full_name}'s record was merged into another; use that record.")
        if day is not None and not risk.is_child_on(person.date_of_birth, day):
            errors["children"].append(
                f"{person.full_name} was 18 or over on the day of the incident; record them as a victim or"
                " alleged perpetrator instead."
            )
        if child.spoken_to and not child.seen:
            errors["children"].append(f"{person.full_name}: a child spoken to must also be recorded as seen.")

    if draft.dash is not None:
        _dash_check(draft, partnership=partnership, errors=errors)
    return {key: value for key, value in errors.items() if value}


def _dash_check(draft: IncidentDraft, *, partnership: Partnership, errors: dict[str, list[str]]) -> None:
    dash = draft.dash
    if dash is None:
        return
    answer_errors = dash_rules.dash_answers_errors(dash.answers)
    if answer_errors:
        errors["dash.answers"].extend(answer_errors)
        return
    judgement = dash.professional_judgement_level
    if judgement and judgement not in dash_rules.LEVELS:
        errors["dash.professional_judgement_level"].append(f"Choose standard, medium or high, not {judgement!r}.")
        return
    errors["dash.professional_judgement_reason"].extend(
        dash_rules.judgement_errors(judgement, dash.professional_judgement_reason)
    )
    if dash.answered_at is not None and (dash.answered_at.tzinfo is None or dash.answered_at.utcoffset() is None):
        errors["dash.answered_at"].append("Give the time with its time zone offset.")
    draft.dash_answers = {str(k): str(v) for k, v in dash.answers.items()}
    draft.dash_score = dash_rules.dash_score(draft.dash_answers)
    draft.dash_level = dash_rules.dash_level(
        draft.dash_score, medium_from=partnership.dash_medium_from, high_from=partnership.dash_high_from
    )
    try:
        draft.risk_level = dash_rules.risk_level(draft.dash_level, judgement)
    except ValidationError as error:
        for message in error.message_dict.get("professional_judgement_level", error.messages):
            errors["dash.professional_judgement_level"].append(message)


# -- Recording one incident ---------------------------------------------------------------------------------


@transaction.atomic
def incident_create(
    *,
    partnership: Partnership,
    by: User,
    occurred_at: datetime,
    reported_by: Agency,
    reference: str = "",
    location: str = "",
    summary: str = "",
    household: Household | None = None,
    victims: Sequence[Person] = (),
    perpetrators: Sequence[Person] = (),
    children: Sequence[ChildAtIncident] = (),
    dash: DashInput | None = None,
) -> Incident:
    """Record a domestic-abuse incident and everything it sets in motion (see the module docstring).

    Raises PermissionDenied for a user who may not record incidents, and ValidationError with
    a message per field (nothing saved) for anything wrong with the incident.
    """
    incident_create_check(by)
    now = timezone.now()
    draft = IncidentDraft(
        occurred_at=occurred_at,
        reference=reference.strip(),
        location=location.strip(),
        summary=summary.strip(),
        household_id=household.pk if household is not None else None,
        victims=list(victims),
        perpetrators=list(perpetrators),
        children=list(children),
        dash=dash,
    )
    errors: dict[str, list[str]] = defaultdict(list)
    for key, messages in draft_errors(draft, partnership=partnership, now=now).items():
        errors[key].extend(messages)

    membership = membership_of(by)
    if membership is not None and membership.partnership_id != partnership.pk:
        errors["non_field_errors"].append(f"You work in {membership.partnership.name}, not {partnership.name}.")
    if membership is not None and membership.agency_id != reported_by.pk:
        errors["reported_by"].append("You may only record incidents reported by your own agency.")
    elif not reported_by.partnerships.filter(pk=partnership.pk).exists():
        errors["reported_by"].append(f"{reported_by.name} does not serve {partnership.name}.")
    if household is not None and household.partnership_id != partnership.pk:
        errors["household"].append("The household belongs to another partnership.")
    if draft.reference and Incident.objects.filter(reported_by=reported_by, reference=draft.reference).exists():
        errors["reference"].append(
            f"{reported_by.name} has already recorded an incident with reference {draft.reference}."
        )
    _people_check(draft, by=by, partnership=partnership, errors=errors)
    if any(errors.values()):
        raise ValidationError({key: messages for key, messages in errors.items() if messages})

    try:
        with transaction.atomic():
            result = incidents_record([draft], partnership=partnership, reported_by=reported_by, by=by, now=now)
    except IntegrityError as error:
        if "incident_reference_once_per_agency" in str(error):
            raise ValidationError(
                {"reference": [
                    f"{reported_by.name} has already recorded an incident with reference {draft.reference}."
                ]}
            ) from error
        raise
    return Incident.objects.select_related("dash").get(pk=result.incident_ids[0])


def _people_check(draft: IncidentDraft, *, by: User, partnership: Partnership, errors: dict[str, list[str]]) -> None:
    """Everyone named must be of the partnership, or a person the user may already see (one query at most)."""
    named = [
        ("victims", person) for person in draft.victims
    ] + [("perpetrators", person) for person in draft.perpetrators] + [
        ("children", child.person) for child in draft.children
    ]
    outside = {person.pk for _, person in named if person.partnership_id != partnership.pk}
    if not outside:
        return
    visible = set(people_visible(by).filter(pk__in=outside).values_list("pk", flat=True))
    for key, person in named:
        if person.pk in outside and person.pk not in visible:
            errors[key].append(f"Person {person.pk} is not known to you.")


# -- Recording a batch: the consequences in bulk -------------------------------------------------------------


def incidents_record(
    drafts: Sequence[IncidentDraft],
    *,
    partnership: Partnership,
    reported_by: Agency,
    by: User | None,
    now: datetime,
) -> RecordResult:
    """Insert checked drafts and carry out every consequence, in a fixed number of queries for the batch.

    The caller holds the transaction and has checked the drafts (``draft_errors``), reference
    uniqueness and that everyone named may be linked. Rows go in with one INSERT ... SELECT FROM
    unnest(...) per table, whatever the batch size.
    """
    result = RecordResult()
    if not drafts:
        return result
    _people_lock([p.pk for d in drafts for p in (*d.victims, *d.perpetrators, *(c.person for c in d.children))])
    by_id = by.pk if by is not None else None
    stamp = {"partnership_id": partnership.pk, "created_at": now, "created_by_id": by_id, "updated_at": now,
             "version": 1}
    ids = _insert(
        "cases_incident",
        (("occurred_at", "timestamptz"), ("reference", "text"), ("location", "text"), ("summary", "text"),
         ("household_id", "bigint"), ("risk_level", "text")),
        [(d.occurred_at, d.reference, d.location, d.summary, d.household_id, d.risk_level) for d in drafts],
        fixed={**stamp, "reported_by_id": reported_by.pk},
        returning=True,
    )
    recorded = [_Recorded(pk, d.occurred_at, d.reference, d.risk_level) for pk, d in zip(ids, drafts, strict=True)]
    result.incident_ids = ids
    pairs = list(zip(recorded, drafts, strict=True))
    _insert(
        "cases_incidentparty",
        (("incident_id", "bigint"), ("person_id", "bigint"), ("role", "text")),
        [
            (incident.pk, person.pk, role)
            for incident, d in pairs
            for role, people in ((IncidentParty.Role.VICTIM, d.victims), (IncidentParty.Role.PERPETRATOR,
                                                                          d.perpetrators))
            for person in people
        ],
        fixed=stamp,
    )
    _insert(
        "cases_incidentchild",
        (("incident_id", "bigint"), ("child_id", "bigint"), ("resident", "boolean"), ("present", "boolean"),
         ("seen", "boolean"), ("spoken_to", "boolean")),
        [(incident.pk, c.person.pk, c.resident, c.present, c.seen, c.spoken_to) for incident, d in pairs
         for c in d.children],
        fixed=stamp,
    )
    _insert(
        "cases_dashassessment",
        (("incident_id", "bigint"), ("answers", "jsonb"), ("score", "smallint"), ("level", "text"),
         ("professional_judgement_level", "text"), ("professional_judgement_reason", "text"),
         ("answered_at", "timestamptz")),
        [
            (incident.pk, d.dash_answers, d.dash_score, d.dash_level, d.dash.professional_judgement_level,
             d.dash.professional_judgement_reason.strip(), d.dash.answered_at or now)
            for incident, d in pairs
            if d.dash is not None
        ],
        fixed={**stamp, "answered_by_id": by_id},
    )

    partnership_ids = {partnership.pk} | {c.person.partnership_id for d in drafts for c in d.children} | {
        p.partnership_id for d in drafts for p in d.victims
    }
    calendars = calendars_for(partnership_ids=partnership_ids)
    notes: list[_Note] = []
    _share(pairs, partnership=partnership, reported_by=reported_by, by=by, now=now, result=result)
    notes += _encompass(pairs, partnership=partnership, reported_by=reported_by, stamp=stamp, calendars=calendars,
                        now=now, result=result)
    notes += _cumulative_risk(pairs, by=by, now=now, calendars=calendars, result=result)
    notes += _marac(pairs, partnership=partnership, reported_by=reported_by, by=by, now=now, stamp=stamp,
                    result=result)
    _notes_send(notes, now=now)
    result.notifications = len(notes)
    return result


@dataclass(frozen=True)
class _Recorded:
    """An incident just inserted, as the consequences need it."""

    pk: int
    occurred_at: datetime
    reference: str
    risk_level: str


@dataclass(frozen=True)
class _Note:
    """A notification to insert (agencies.Notification), in bulk."""

    recipient_id: int
    kind: str
    subject_type: str
    subject_id: int
    message: str
    link: str
    due_at: datetime | None = None


def _insert(
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[object]],
    *,
    fixed: Mapping[str, object] | None = None,
    returning: bool = False,
    conflict: str = "",
) -> list[int]:
    """INSERT every row in one statement, the rows sent as one JSON array of arrays, whatever their number.

    ``columns`` are (name, PostgreSQL type) pairs; ``fixed`` columns take one value for every row.
    With ``returning`` the new ids come back in the order of ``rows`` (the rows are inserted in that
    order, as Django's own bulk_create relies on). One JSON document rather than an array parameter per
    column: json.dumps is C, where psycopg quotes each element of a text array in Python (a sixth of
    the import's time went there).
    """
    if not rows:
        return []
    fixed = dict(fixed or {})
    names = [*fixed, *(name for name, _ in columns)]
    select = ", ".join(
        ["%s"] * len(fixed)
        + [f"(t.r -> {i})::jsonb" if kind == "jsonb" else f"(t.r ->> {i})::{kind}"
           for i, (_, kind) in enumerate(columns)]
    )
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {select}"  # noqa: S608 (names are this module's constants)
        f" FROM json_array_elements(%s::json) WITH ORDINALITY AS t (r, n) ORDER BY t.n {conflict}"
        + (" RETURNING id" if returning else "")
    )
    params: list[Any] = [*fixed.values(), _json(rows)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()] if returning else []


def _json(rows: Sequence[Sequence[object]]) -> str:
    """Rows as one JSON array of arrays, a parameter PostgreSQL takes apart with json_array_elements."""
    return json.dumps(rows, default=_json_value, separators=(",", ":"))


def _json_value(value: object) -> object:
    """Dates and times as ISO 8601, which PostgreSQL reads back exactly (with the offset)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


def _notes_send(notes: list[_Note], *, now: datetime) -> None:
    _insert(
        Notification._meta.db_table,
        (("recipient_id", "bigint"), ("kind", "text"), ("subject_type", "text"), ("subject_id", "bigint"),
         ("message", "text"), ("link", "text"), ("due_at", "timestamptz")),
        [(n.recipient_id, n.kind, n.subject_type, n.subject_id, n.message, n.link, n.due_at) for n in notes],
        fixed={"level": 0, "created_at": now},
    )


def _people_lock(person_ids: list[int]) -> None:
    """Serialise incidents that name the same people until commit.

    Without it two incidents for one child recorded at the same moment each count only
    themselves and the earlier ones, and a third incident in 12 months could raise no flag.
    Transaction-scoped advisory locks, taken in id order so that two batches cannot deadlock.
    """
    ids = sorted(set(person_ids))
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, (t.id %% 2147483647)::int)"
            " FROM unnest(%s::bigint[]) AS t (id) ORDER BY t.id",
            [_RISK_LOCK_CLASS, ids],
        )


# An arbitrary constant naming this module's advisory locks ("CR" for cumulative risk).
_RISK_LOCK_CLASS = 0x4352


@dataclass(frozen=True)
class _Grant:
    record_type: str  # "incident" or "person"
    record_id: int
    agency_id: int
    perms: tuple[str, ...]


def _share(
    pairs: list[tuple[_Recorded, IncidentDraft]],
    *,
    partnership: Partnership,
    reported_by: Agency,
    by: User | None,
    now: datetime,
    result: RecordResult,
) -> None:
    """SPEC 6's "shared at once", as ``cases.permissions.record_share_with`` does for one record, in bulk:
    each grant to an agency's group, and an information-sharing record beside it."""
    grants: list[_Grant] = []
    for incident, d in pairs:
        grants.append(_Grant("incident", incident.pk, reported_by.pk, ("view", "change")))
        people = {p.pk for p in (*d.victims, *d.perpetrators, *(c.person for c in d.children))}
        grants += [_Grant("person", pk, reported_by.pk, ("view",)) for pk in sorted(people)]
        for child in d.children:
            health = {child.person.health_visiting_id, child.person.gp_practice_id} - {None, reported_by.pk}
            for agency_id in sorted(a for a in health if a is not None):
                grants.append(_Grant("incident", incident.pk, agency_id, ("view",)))
                grants.append(_Grant("person", child.person.pk, agency_id, ("view",)))
    grants = list(dict.fromkeys(grants))
    codenames = {"view_incident", "change_incident", "view_person"}
    permissions = dict(
        Permission.objects.filter(content_type__app_label="cases", codename__in=codenames).values_list(
            "codename", "pk"
        )
    )
    groups = {reported_by.pk: reported_by.group_id}
    others = {g.agency_id for g in grants} - set(groups)
    if others:
        groups.update(Agency.objects.filter(pk__in=others).values_list("pk", "group_id"))
    columns = (("permission_id", "integer"), ("group_id", "integer"), ("content_object_id", "bigint"))
    for record_type, model in (("incident", IncidentGroupObjectPermission), ("person", PersonGroupObjectPermission)):
        _insert(
            model._meta.db_table,
            columns,
            [
                (permissions[f"{perm}_{record_type}"], groups[g.agency_id], g.record_id)
                for g in grants if g.record_type == record_type for perm in g.perms
            ],
            conflict="ON CONFLICT DO NOTHING",
        )
    _insert(
        InformationShare._meta.db_table,
        (("record_type", "text"), ("record_id", "bigint"), ("agency_id", "bigint")),
        [(g.record_type, g.record_id, g.agency_id) for g in grants],
        fixed={
            "partnership_id": partnership.pk, "created_at": now, "created_by_id": by.pk if by else None,
            "updated_at": now, "version": 1, "what": NOTIFICATION_WHAT, "shared_at": now,
            "lawful_basis": InformationShare.LawfulBasis.PUBLIC_TASK, "consent": InformationShare.Consent.NOT_SOUGHT,
            "reason_without_consent": "",
        },
    )
    result.shares += len(grants)


@dataclass(frozen=True)
class _Notice:
    """An Operation Encompass notice as the school's staff are told of it."""

    pk: int
    child: Person
    school_id: int | None
    occurred_at: datetime
    due_by: datetime


def _encompass(
    pairs: list[tuple[_Recorded, IncidentDraft]],
    *,
    partnership: Partnership,
    reported_by: Agency,
    stamp: Mapping[str, object],
    calendars: PartnershipCalendars,
    now: datetime,
    result: RecordResult,
) -> list[_Note]:
    """Operation Encompass: a notice per school-age child resident or present, due 08:30 next school day."""
    calendar = calendars[partnership.pk]
    police = reported_by.kind == Agency.Kind.POLICE
    rows = []
    for incident, d in pairs:
        day = _local(incident.occurred_at).date()
        due_by = calendar.next_school_day_start(incident.occurred_at)
        for child in d.children:
            person = child.person
            if not (child.resident or child.present):
                continue
            if not risk.is_school_age_on(person.date_of_birth, day, school_known=person.school_id is not None):
                continue
            rows.append((incident, person, child, due_by))
    if not rows:
        return []
    ids = _insert(
        EncompassNotice._meta.db_table,
        (("incident_id", "bigint"), ("child_id", "bigint"), ("school_id", "bigint"), ("occurred_at", "timestamptz"),
         ("present", "boolean"), ("spoken_to", "boolean"), ("police_reference", "text"), ("due_by", "timestamptz"),
         ("sent_at", "timestamptz")),
        [
            (incident.pk, person.pk, person.school_id, incident.occurred_at, child.present, child.spoken_to,
             incident.reference if police else "", due_by, now if person.school_id is not None else None)
            for incident, person, child, due_by in rows
        ],
        fixed=stamp,
        returning=True,
    )
    result.notices += len(ids)
    result.notices_unsent += sum(1 for _, person, _, _ in rows if person.school_id is None)
    return _school_notifications([
        _Notice(pk, person, person.school_id, incident.occurred_at, due_by)
        for pk, (incident, person, _, due_by) in zip(ids, rows, strict=True)
        if person.school_id is not None
    ])


def _school_notifications(notices: Sequence[_Notice | EncompassNotice]) -> list[_Note]:
    """Tell each school's practitioners and team managers (its designated safeguarding leads) of its notices."""
    if not notices:
        return []
    staff: dict[int, list[int]] = defaultdict(list)
    for agency_id, user_id in Membership.objects.filter(
        agency_id__in={n.school_id for n in notices}, role__in=SCHOOL_STAFF_TOLD, user__is_active=True
    ).order_by("user_id").values_list("agency_id", "user_id"):
        staff[agency_id].append(user_id)
    return [
        _Note(
            recipient_id=user_id, kind="encompass_notice", subject_type="encompass_notice", subject_id=notice.pk,
            message=(
                f"Operation Encompass: your pupil {notice.child.full_name} was involved in a domestic-abuse"
                f" incident on {_when(notice.occurred_at)}. Open the notice before the school day starts."
            ),
            link=f"/encompass/{notice.pk}/", due_at=notice.due_by,
        )
        for notice in notices
        for user_id in staff.get(notice.school_id or 0, [])
    ]


def _when(moment: datetime) -> str:
    local = _local(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _cumulative_risk(
    pairs: list[tuple[_Recorded, IncidentDraft]],
    *,
    by: User | None,
    now: datetime,
    calendars: PartnershipCalendars,
    result: RecordResult,
) -> list[_Note]:
    """Count each child's and each victim-perpetrator pair's incidents in 12 months; flag children escalating."""
    keys = [(c.person.pk, incident.occurred_at) for incident, d in pairs for c in d.children]
    counts = _child_counts(keys)

    # Per child, the widest 12 months at their latest incident in the batch that reaches the threshold.
    latest: dict[int, tuple[_Recorded, IncidentDraft, Person, ChildCount]] = {}
    for incident, d in pairs:
        for c in d.children:
            count = counts[(c.person.pk, incident.occurred_at)]
            result.child_counts[(c.person.pk, incident.pk)] = count.up_to
            if not (c.resident or c.present) or not risk.is_escalating(count.widest):
                continue
            held = latest.get(c.person.pk)
            if held is None or held[3].widest_at <= count.widest_at:
                latest[c.person.pk] = (incident, d, c.person, count)
    if not latest:
        return []
    # The pairs at the incidents that flag a child, whose reasons name them.
    pair_counts = pair_incident_counts_each(sorted({
        (v.pk, p.pk, incident.occurred_at)
        for incident, d, _, _ in latest.values() for v in d.victims for p in d.perpetrators if v.pk != p.pk
    }))
    rows = []
    for child_id, (incident, d, person, count) in sorted(latest.items()):
        n = count.widest
        reason = (
            f"{n} domestic-abuse incidents in the 12 months to {_when(count.widest_at)}, across all agencies"
            f" (SafeLives escalation: {risk.ESCALATING_FROM} or more)."
        )
        for v in d.victims:
            for p in d.perpetrators:
                m = pair_counts.get((v.pk, p.pk, incident.occurred_at))
                if m:
                    reason += f" Between {v.full_name} and {p.full_name}: {m}."
        rows.append((child_id, person.partnership_id, n, reason))
    raised = _flags_upsert(PersonFlag.Kind.ESCALATING, rows, by=by, now=now, update=True)
    result.flags_raised += len(raised)
    result.flags_updated += len(rows) - len(raised)
    if not raised:
        return []
    managers: dict[int, list[int]] = defaultdict(list)
    for partnership_id, user_id in Membership.objects.filter(
        partnership_id__in={latest[child_id][2].partnership_id for child_id in raised.values()},
        role=Role.MASH_MANAGER, agency__kind=Agency.Kind.CHILDRENS_SOCIAL_CARE, user__is_active=True,
    ).order_by("user_id").values_list("partnership_id", "user_id"):
        managers[partnership_id].append(user_id)
    notes = []
    for flag_id, child_id in raised.items():
        _, _, person, count = latest[child_id]
        n = count.widest
        due_at = calendars[person.partnership_id].add_working_days(now, 1)
        for user_id in managers.get(person.partnership_id, []):
            notes.append(
                _Note(
                    recipient_id=user_id, kind="escalating_review", subject_type="person_flag", subject_id=flag_id,
                    message=(
                        f"{person.full_name} is flagged escalating: {n} domestic-abuse incidents in 12 months."
                        " Review the child's record within one working day."
                    ),
                    link=f"/people/{child_id}/", due_at=due_at,
                )
            )
    return notes


def _child_counts(pairs: Sequence[tuple[int, datetime]]) -> dict[tuple[int, datetime], ChildCount]:
    """``child_escalation_counts_each`` in one pass over each child's incidents, for a batch.

    The same counts: each of the child's incidents gets the number in the 12 months up to it (a
    window function over the child's incidents in time order), and for each (child, moment) the
    count at the moment itself is ``up_to`` and the largest at or in the year after it ``widest``.
    Counting every window by joining the child's incidents to themselves grew with the square of a
    child's incidents: half a second a chunk for the children of households the police visit weekly.
    """
    if not pairs:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH t AS (SELECT DISTINCT (e ->> 0)::bigint AS child_id, (e ->> 1)::timestamptz AS at
                         FROM json_array_elements(%s::json) AS e),
                 -- A window that counts ends at most a year after a moment and reaches a year back.
                 span AS (
                     SELECT child_id, min(at) - interval '365 days' AS first, max(at) + interval '365 days' AS last
                       FROM t GROUP BY child_id
                 ),
                 seen AS (
                     SELECT ic.child_id, i.occurred_at,
                            count(*) OVER (PARTITION BY ic.child_id ORDER BY i.occurred_at
                                           RANGE BETWEEN interval '365 days' PRECEDING AND CURRENT ROW) AS n
                       FROM span JOIN cases_incidentchild ic ON ic.child_id = span.child_id
                       JOIN cases_incident i ON i.id = ic.incident_id
                                            AND i.occurred_at >= span.first AND i.occurred_at <= span.last
                 )
            SELECT t.child_id, t.at, coalesce(max(s.n) FILTER (WHERE s.occurred_at = t.at), 0), max(s.n),
                   (array_agg(s.occurred_at ORDER BY s.n DESC, s.occurred_at DESC))[1]
              FROM t JOIN seen s ON s.child_id = t.child_id
                                AND s.occurred_at >= t.at AND s.occurred_at <= t.at + interval '365 days'
             GROUP BY t.child_id, t.at
            """,
            [_json(pairs)],
        )
        found = {(child_id, at): ChildCount(up_to, widest, widest_at) for child_id, at, up_to, widest, widest_at
                 in cursor.fetchall()}
    return {key: found.get(key, ChildCount(0, 0, key[1])) for key in pairs}


def _flags_upsert(
    kind: str, rows: list[tuple[int, int, int, str]], *, by: User | None, now: datetime, update: bool
) -> dict[int, int]:
    """Raise an active flag on each person, or update (``update``) or keep the one they have.

    ``rows`` are (person id, partnership id, incident count, reason). Returns {flag id: person id}
    of the flags newly raised. ON CONFLICT on person_flag_active_once: two incidents flagging the
    same child at once leave one active flag, and only one of them announces it.
    """
    if not rows:
        return {}
    conflict = (
        "DO UPDATE SET incident_count = EXCLUDED.incident_count, reason = EXCLUDED.reason,"
        " updated_at = EXCLUDED.updated_at, version = cases_personflag.version + 1"
        " WHERE cases_personflag.incident_count IS DISTINCT FROM EXCLUDED.incident_count"
        if update
        else "DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO cases_personflag (partnership_id, created_at, created_by_id, updated_at, version, person_id,
                                          kind, raised_at, incident_count, reason)
            SELECT t.partnership_id, %s, %s, %s, 1, t.person_id, %s, %s, t.incident_count, t.reason
              FROM unnest(%s::bigint[], %s::bigint[], %s::smallint[], %s::text[])
                   AS t (person_id, partnership_id, incident_count, reason)
             ORDER BY t.person_id
            ON CONFLICT (person_id, kind) WHERE cleared_at IS NULL {conflict}
            RETURNING id, person_id, (xmax = 0) AS inserted
            """,  # noqa: S608 (the conflict clause is one of two constants)
            [
                now, by.pk if by is not None else None, now, kind, now,
                [r[0] for r in rows], [r[1] for r in rows], [min(r[2], 32767) for r in rows], [r[3] for r in rows],
            ],
        )
        return {flag_id: person_id for flag_id, person_id, inserted in cursor.fetchall() if inserted}


def _marac(
    pairs: list[tuple[_Recorded, IncidentDraft]],
    *,
    partnership: Partnership,
    reported_by: Agency,
    by: User | None,
    now: datetime,
    stamp: Mapping[str, object],
    result: RecordResult,
) -> list[_Note]:
    """MARAC referral tasks for high-risk victims, and repeat referrals within 12 months of an earlier one."""
    victim_ids = {v.pk for _, d in pairs for v in d.victims}
    if not victim_ids:
        return []
    recorded_before = _marac_latest_before([(v.pk, incident.occurred_at) for incident, d in pairs for v in d.victims])
    # This batch's referrals for each victim, in time order as made.
    earlier: dict[int, list[datetime]] = defaultdict(list)
    referrals: list[tuple[_Recorded, Person, bool]] = []
    repeat_rows: dict[int, tuple[int, int, int, str]] = {}
    by_incident: dict[int, list[tuple[Person, bool]]] = defaultdict(list)
    for incident, d in sorted(pairs, key=lambda pair: pair[0].occurred_at):
        high = incident.risk_level == Incident.RiskLevel.HIGH
        for victim in d.victims:
            latest = recorded_before.get((victim.pk, incident.occurred_at))
            repeat = risk.is_repeat_marac([latest] if latest is not None else [], incident.occurred_at) or (
                risk.is_repeat_marac_sorted(earlier[victim.pk], incident.occurred_at)
            )
            if not (high or repeat):
                continue
            referrals.append((incident, victim, repeat))
            by_incident[incident.pk].append((victim, repeat))
            earlier[victim.pk].append(incident.occurred_at)
            if repeat:
                repeat_rows[victim.pk] = (
                    victim.pk, victim.partnership_id, 0,
                    f"Repeat MARAC case: an incident on {_when(incident.occurred_at)} within 12 months of an earlier"
                    " MARAC referral.",
                )
    if not referrals:
        return []
    _insert(
        MaracReferral._meta.db_table,
        (("victim_id", "bigint"), ("incident_id", "bigint"), ("repeat", "boolean")),
        [(victim.pk, incident.pk, repeat) for incident, victim, repeat in referrals],
        fixed=stamp,
    )
    result.marac_referrals += len(referrals)
    result.repeat_marac += sum(1 for _, _, repeat in referrals if repeat)
    _flags_upsert(PersonFlag.Kind.REPEAT_MARAC, list(repeat_rows.values()), by=by, now=now, update=False)
    recipients = _marac_recipients(by=by, reported_by=reported_by, partnership=partnership)
    notes = []
    for incident, _ in pairs:
        made = by_incident.get(incident.pk)
        if not made:
            continue
        names = ", ".join(victim.full_name for victim, _ in made)
        kind = "a repeat MARAC case" if any(repeat for _, repeat in made) else "high risk"
        for user_id in recipients:
            notes.append(
                _Note(
                    recipient_id=user_id, kind="marac_referral_due", subject_type="incident", subject_id=incident.pk,
                    message=f"Incident {incident.reference or incident.pk} is {kind}: refer {names} to the MARAC.",
                    link=f"/incidents/{incident.pk}/",
                )
            )
    return notes


def _marac_latest_before(keys: Sequence[tuple[int, datetime]]) -> dict[tuple[int, datetime], datetime]:
    """For (victim, moment) pairs, the latest MARAC referral already recorded for the victim in the 12 months
    before the moment (when made, or for one not yet made when its incident occurred), where there is one;
    one query.

    That one date is all ``is_repeat_marac`` needs of what was recorded before: not every referral of every
    victim in the batch (thousands, for victims the police attend every week).
    """
    if not keys:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH t AS (SELECT DISTINCT (e ->> 0)::bigint AS victim_id, (e ->> 1)::timestamptz AS at
                         FROM json_array_elements(%s::json) AS e),
                 span AS (
                     SELECT victim_id, min(at) - interval '365 days' AS first, max(at) AS last FROM t GROUP BY victim_id
                 ),
                 made AS (
                     SELECT m.victim_id, coalesce(m.referred_at, i.occurred_at) AS made_at
                       FROM span JOIN cases_maracreferral m ON m.victim_id = span.victim_id
                       JOIN cases_incident i ON i.id = m.incident_id
                      WHERE coalesce(m.referred_at, i.occurred_at) >= span.first
                        AND coalesce(m.referred_at, i.occurred_at) < span.last
                 ),
                 timeline AS (
                     -- At the same moment the pair comes first: a referral then is not before it.
                     SELECT victim_id, made_at AS moment, 1 AS step, made_at FROM made
                     UNION ALL
                     SELECT victim_id, at, 0, NULL FROM t
                 ),
                 latest AS (
                     SELECT victim_id, moment, step,
                            max(made_at) OVER (PARTITION BY victim_id ORDER BY moment, step
                                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS made_at
                       FROM timeline
                 )
            SELECT victim_id, moment, made_at FROM latest
             WHERE step = 0 AND made_at >= moment - interval '365 days'
            """,
            [_json(keys)],
        )
        return {(victim_id, at): made_at for victim_id, at, made_at in cursor.fetchall()}


def _marac_recipients(*, by: User | None, reported_by: Agency, partnership: Partnership) -> list[int]:
    """The reporter's line manager; else the reporting agency's managers in the partnership (else anywhere)."""
    membership = membership_of(by) if by is not None else None
    line_manager_id = membership.line_manager_id if membership is not None else None
    wanted = Q(membership__agency_id=reported_by.pk, membership__role__in=AGENCY_MANAGERS)
    if line_manager_id is not None:
        wanted |= Q(pk=line_manager_id)
    found = list(
        User.objects.filter(wanted, is_active=True)
        .order_by("pk")
        .values_list("pk", "membership__agency_id", "membership__role", "membership__partnership_id")
    )
    if line_manager_id is not None and any(pk == line_manager_id for pk, *_ in found):
        return [line_manager_id]
    managers = [
        (pk, partnership_id) for pk, agency_id, role, partnership_id in found
        if agency_id == reported_by.pk and role in AGENCY_MANAGERS and (by is None or pk != by.pk)
    ]
    local = [pk for pk, partnership_id in managers if partnership_id == partnership.pk]
    return local or [pk for pk, _ in managers]


# -- Later steps ---------------------------------------------------------------------------------------------


@transaction.atomic
def escalating_review_record(*, flag: PersonFlag, by: User, note: str) -> PersonFlag:
    """A MASH manager or senior manager of children's social care records their review of an escalating child."""
    membership = membership_of(by)
    if (
        membership is None
        or not sees_whole_partnership(by)
        or membership.role not in (Role.MASH_MANAGER, Role.SENIOR_MANAGER)
        or membership.partnership_id != flag.partnership_id
    ):
        raise PermissionDenied("Only a MASH manager or senior manager of children's social care reviews this flag.")
    if not note.strip():
        raise ValidationError({"note": ["Say what the review found and what happens next."]})
    locked = PersonFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.kind != PersonFlag.Kind.ESCALATING or locked.cleared_at is not None:
        raise ValidationError({"non_field_errors": ["This flag is not an active escalating flag."]})
    reviewed_at = timezone.now()
    PersonFlag.objects.filter(pk=locked.pk).update(
        reviewed_at=reviewed_at, reviewed_by=by, version=F("version") + 1, updated_at=reviewed_at
    )
    access_record(
        user=by, action="update", record_type="person", record_id=locked.person_id,
        partnership_id=locked.partnership_id, fields={"escalating_review": [None, note.strip()]},
        reason=note.strip(),
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def encompass_notice_send(*, notice: EncompassNotice, school: Agency, by: User) -> EncompassNotice:
    """Send a notice held back for want of a school: record the school (on the child too, if missing) and send."""
    membership = membership_of(by)
    incident = Incident.objects.get(pk=notice.incident_id)
    if not (
        (membership is not None and membership.agency_id == incident.reported_by_id and incident_may_create(by))
        or (sees_whole_partnership(by) and incident_may_create(by))
        or (membership is None and by.is_superuser)
    ):
        raise PermissionDenied("Only the reporting agency or children's social care may send this notice.")
    if school.kind != Agency.Kind.EDUCATION:
        raise ValidationError({"school": [f"{school.name} is not a school."]})
    if not school.partnerships.filter(pk=notice.partnership_id).exists():
        raise ValidationError({"school": [f"{school.name} is not in this partnership."]})
    locked = EncompassNotice.objects.select_for_update().select_related("child").get(pk=notice.pk)
    if locked.sent_at is not None:
        raise ValidationError({"non_field_errors": ["This notice has already been sent."]})
    locked.school = school
    locked.sent_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["school", "sent_at", "version", "updated_at"])
    # Enter once: the child's record learns the school too, where it had none.
    Person.objects.filter(pk=locked.child_id, school__isnull=True).update(school=school, version=F("version") + 1)
    _notes_send(_school_notifications([locked]), now=locked.sent_at)
    return locked


@transaction.atomic
def marac_referral_record(*, referral: MaracReferral, by: User, referred_at: datetime) -> MaracReferral:
    """Record that the victim was referred to the MARAC."""
    if not incident_may_create(by) or not incidents_visible(by).filter(pk=referral.incident_id).exists():
        raise PermissionDenied("You may not record this referral.")
    if referred_at.tzinfo is None or referred_at.utcoffset() is None:
        raise ValidationError({"referred_at": ["Give the time with its time zone offset."]})
    if referred_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"referred_at": ["A referral cannot be made in the future."]})
    locked = MaracReferral.objects.select_for_update().select_related("incident").get(pk=referral.pk)
    if referred_at < locked.incident.occurred_at:
        raise ValidationError({"referred_at": ["The referral cannot be before the incident."]})
    if locked.referred_at is not None:
        raise ValidationError({"referred_at": ["This referral has already been recorded as made."]})
    locked.referred_at = referred_at
    locked.version += 1
    locked.save(update_fields=["referred_at", "version", "updated_at"])
    return locked


# -- Bulk import of an incident feed ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What ``incidents_import`` did: the summary line, and the rows it turned away with their reasons."""

    imported: int = 0
    already_present: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    people_created: int = 0
    households_created: int = 0
    notices: int = 0
    notices_unsent: int = 0
    flags_raised: int = 0
    marac_referrals: int = 0


@dataclass
class _PeopleIndex:
    """Who each name in the feed is: a person already recorded, or one the import will create."""

    by_nhs: dict[str, Person] = field(default_factory=dict)
    by_name: dict[tuple[str, str, date | None], list[Person]] = field(default_factory=dict)
    new_by_nhs: dict[str, Person] = field(default_factory=dict)
    new_by_name: dict[tuple[str, str, date | None], Person] = field(default_factory=dict)


def incidents_import(
    rows: Sequence[FeedRow],
    *,
    partnership: Partnership,
    reported_by: Agency,
    by: User | None,
    chunk_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Record a feed's parsed rows in chunks, each chunk with its consequences in one transaction.

    A row whose reference the agency already has is skipped (re-running a feed creates nothing
    twice); a row that fails the checks ``incident_create`` makes is rejected with its line. People
    are matched within the partnership by NHS number, else by exact name and date of birth, else
    created. ``progress`` is called with the number of rows dealt with so far.
    """
    if by is not None:
        incident_create_check(by)
        membership = membership_of(by)
        if membership is not None and membership.agency_id != reported_by.pk:
            raise PermissionDenied(f"{by.username} does not work for {reported_by.name}.")
    result = ImportResult()
    now = timezone.now()
    present = _references_present(reported_by, [row.reference for row in rows])
    todo = [row for row in rows if row.reference not in present]
    result.already_present = len(rows) - len(todo)
    if progress is not None:
        progress(result.already_present)
    index = _people_index(partnership, todo)
    households = _households_index(partnership, {row.household_address for row in todo if row.household_address})

    accepted: list[tuple[IncidentDraft, Household | None]] = []
    for row in todo:
        draft, reason = _draft_from_row(row, partnership=partnership, index=index, by=by)
        if draft is not None:
            reason = "; ".join(
                message for messages in draft_errors(draft, partnership=partnership, now=now).values()
                for message in messages
            )
        if reason or draft is None:
            result.rejected.append((row.line, reason))
            continue
        household = None
        if row.household_address:
            household = households.get(row.household_address)
            if household is None:
                household = households[row.household_address] = _model_new(Household, {
                    "partnership_id": partnership.pk, "created_by_id": by.pk if by is not None else None,
                    "address": row.household_address,
                })
        accepted.append((draft, household))

    done = result.already_present + len(result.rejected)
    for start in range(0, len(accepted), chunk_size):
        chunk = accepted[start:start + chunk_size]
        with transaction.atomic():
            result.people_created += _unsaved_create(
                [p for d, _ in chunk for p in (*d.victims, *d.perpetrators, *(c.person for c in d.children))]
            )
            result.households_created += _unsaved_create([h for _, h in chunk if h is not None])
            for draft, household in chunk:
                if household is not None:
                    draft.household_id = household.pk
            recorded = incidents_record(
                [d for d, _ in chunk], partnership=partnership, reported_by=reported_by, by=by, now=now
            )
        result.imported += len(recorded.incident_ids)
        result.notices += recorded.notices
        result.notices_unsent += recorded.notices_unsent
        result.flags_raised += recorded.flags_raised
        result.marac_referrals += recorded.marac_referrals
        done += len(chunk)
        if progress is not None:
            progress(done)
    result.rejected.sort()
    return result


def _references_present(reported_by: Agency, references: list[str]) -> set[str]:
    """The references the agency has already recorded (incident_reference_once_per_agency); one query."""
    if not references:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reference FROM cases_incident WHERE reported_by_id = %s AND reference = ANY(%s::text[])",
            [reported_by.pk, references],
        )
        return {reference for (reference,) in cursor.fetchall()}


def _people_index(partnership: Partnership, rows: Sequence[FeedRow]) -> _PeopleIndex:
    """The partnership's people the feed names, in two queries: by NHS number, and by exact name and birth date."""
    index = _PeopleIndex()
    refs = [ref for row in rows for ref in (*row.victims, *row.perpetrators, *(c.person for c in row.children))]
    nhs_numbers = sorted({ref.nhs_number for ref in refs if ref.nhs_number})
    if nhs_numbers:
        for person in Person.objects.filter(
            partnership=partnership, merged_into__isnull=True, nhs_number__in=nhs_numbers
        ).order_by("pk"):  # person_nhs_number_idx
            index.by_nhs.setdefault(person.nhs_number, person)
    names = sorted({ref.name_key for ref in refs if ref.given_name and ref.family_name}, key=str)
    if names:
        found = Person.objects.raw(
            """
            SELECT p.* FROM cases_person p
              JOIN unnest(%s::text[], %s::text[], %s::date[]) AS t (given, family, born)
                ON p.partnership_id = %s AND p.merged_into_id IS NULL
               AND (p.date_of_birth = t.born OR (p.date_of_birth IS NULL AND t.born IS NULL))
               AND lower(p.given_name) = t.given AND lower(p.family_name) = t.family
             ORDER BY p.id
            """,
            [[n[0] for n in names], [n[1] for n in names], [n[2] for n in names], partnership.pk],
        )
        for person in found:
            key = (person.given_name.lower(), person.family_name.lower(), person.date_of_birth)
            index.by_name.setdefault(key, []).append(person)
    return index


def _person_for(ref: PersonRef, *, partnership: Partnership, index: _PeopleIndex, by: User | None) -> Person | None:
    """The recorded person a reference names, a new (unsaved) one, or None when only an unknown NHS number is given."""
    if ref.nhs_number:
        found = index.by_nhs.get(ref.nhs_number) or index.new_by_nhs.get(ref.nhs_number)
        if found is not None:
            return found
    if ref.given_name and ref.family_name:
        for candidate in index.by_name.get(ref.name_key, []):
            # A recorded NHS number that differs says this is somebody else of the same name and birthday.
            if not ref.nhs_number or not candidate.nhs_number or candidate.nhs_number == ref.nhs_number:
                return candidate
        new = index.new_by_name.get(ref.name_key)
        if new is not None and (not ref.nhs_number or not new.nhs_number or new.nhs_number == ref.nhs_number):
            return new
        person = _model_new(Person, {
            "partnership_id": partnership.pk, "created_by_id": by.pk if by is not None else None,
            "given_name": ref.given_name, "family_name": ref.family_name, "date_of_birth": ref.date_of_birth,
            "nhs_number": ref.nhs_number, "search_name": name_key(ref.given_name, ref.family_name),
        })
        index.new_by_name.setdefault(ref.name_key, person)
        if ref.nhs_number:
            index.new_by_nhs[ref.nhs_number] = person
        return person
    return None


@cache
def _model_fields(model: type[Person | Household]) -> tuple[dict[str, int], list[Any], list[tuple[int, Any]]]:
    """A model's columns in order: each attribute's position, the defaults, and the defaults made afresh each time."""
    fields = model._meta.concrete_fields
    defaults = [None if f.primary_key else f.get_default() for f in fields]
    fresh = [(i, f.default) for i, f in enumerate(fields) if f.has_default() and callable(f.default)]
    return {f.attname: i for i, f in enumerate(fields)}, defaults, fresh


def _model_new(model: type[_Unsaved], values: Mapping[str, Any]) -> _Unsaved:
    """An unsaved person or household, built as ``Model.from_db`` builds one, with the values in column
    order: a third of the time keyword arguments take, which counts for the thousands a feed brings."""
    position, defaults, fresh = _model_fields(model)
    row = list(defaults)
    for i, make in fresh:
        row[i] = make()
    for attname, value in values.items():
        row[position[attname]] = value
    return model(*row)


def _draft_from_row(
    row: FeedRow, *, partnership: Partnership, index: _PeopleIndex, by: User | None
) -> tuple[IncidentDraft | None, str]:
    def resolve(ref: PersonRef) -> Person:
        person = _person_for(ref, partnership=partnership, index=index, by=by)
        if person is None:
            raise LookupError(f"no one with NHS number {ref.nhs_number} is recorded; give their name as well")
        return person

    try:
        draft = IncidentDraft(
            occurred_at=row.occurred_at,
            reference=row.reference,
            location=row.location,
            summary=row.summary,
            victims=[resolve(ref) for ref in row.victims],
            perpetrators=[resolve(ref) for ref in row.perpetrators],
            children=[
                ChildAtIncident(resolve(c.person), resident=c.resident, present=c.present, seen=c.seen,
                                spoken_to=c.spoken_to)
                for c in row.children
            ],
            dash=row.dash,
        )
    except LookupError as error:
        return None, str(error)
    return draft, ""


def _households_index(partnership: Partnership, addresses: set[str]) -> dict[str, Household]:
    if not addresses:
        return {}
    found: dict[str, Household] = {}
    for household in Household.objects.filter(partnership=partnership, address__in=sorted(addresses)).order_by("pk"):
        found.setdefault(household.address, household)
    return found


def _unsaved_create(records: Sequence[Person | Household]) -> int:
    """Save, in one statement per model, the records of ``records`` not saved yet (each once)."""
    unsaved = list({id(r): r for r in records if r.pk is None}.values())
    people = [r for r in unsaved if isinstance(r, Person)]
    households = [r for r in unsaved if isinstance(r, Household)]
    for group in (people, households):
        if group:
            _models_insert(group)
    return len(unsaved)


def _models_insert(records: Sequence[Person | Household]) -> None:
    """``bulk_create`` through ``_insert``: one JSON document for the rows, whatever their number.

    A value every record shares (the partnership, the defaults) goes in once, as a fixed column.
    An array column cannot travel inside the JSON, so a model's list fields go in as one value
    for every row (the import creates people without aliases), else by ``bulk_create``.
    """
    model = type(records[0])
    columns: list[tuple[str, str]] = []
    fixed: dict[str, object] = {}
    values: list[list[object]] = []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            continue
        raw = [model_field.pre_save(record, add=True) for record in records]
        kind = model_field.db_type(connection) or ""
        column = str(model_field.column)
        if kind.endswith("[]"):
            if any(raw):
                model._default_manager.bulk_create(records)  # type: ignore[arg-type]
                return
            fixed[column] = []
            continue
        if kind != "jsonb" and not all(type(value) in _JSON_PLAIN for value in raw):
            raw = [model_field.get_db_prep_save(value, connection) for value in raw]
        first = raw[0]
        if kind != "jsonb" and all(value == first and type(value) is type(first) for value in raw):
            fixed[column] = first
            continue
        columns.append((column, kind.split("(")[0]))
        values.append(raw)
    rows = list(zip(*values, strict=True)) if values else [() for _ in records]
    ids = _insert(model._meta.db_table, columns, rows, fixed=fixed, returning=True)
    for record, pk in zip(records, ids, strict=True):
        record.pk = pk
        record._state.adding = False
        record._state.db = connection.alias


# Values json.dumps (with ``_json_value``) writes as PostgreSQL reads them back; others go through their field.
_JSON_PLAIN = frozenset({str, int, bool, type(None), date, datetime})
