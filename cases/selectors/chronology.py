"""A child's chronology (SPEC 3.2): every agency's events about one child, merged into one time-ordered list,
each source read through its own visibility selector, so a reader sees only the events they may see.

The sources: incidents involving the child, referrals about the child, their decisions and answered agency
checks, strategy meetings (the threshold met, and the meeting held with its outcome), the child's voice
records, plans (started, and each later version), the case (opened, and each change of status, read from the
access log's change rows), MARAC referrals after incidents involving the child, and Operation Encompass
notices (the only form in which a school learns of an incident).

One SQL statement answers a page, whatever the number of events: each source is a ``SELECT`` of the same
columns, joined by ``UNION ALL``; the filters (agency, period) sit in each source's own ``WHERE``, so each
runs on its index; the ordering, the page window and the total (``count(*) OVER ()``) are the database's.
A kind filter leaves the other sources out of the statement altogether.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    Expression,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, Left, NullIf, Trim
from django.urls import reverse

from agencies.models import Agency, User
from agencies.rules import DEFAULT_TZ
from audits.models import AccessLogEntry
from cases.models import (
    Case,
    ChildVoice,
    Incident,
    IncidentChild,
    MaracReferral,
    Person,
    Plan,
    PlanVersion,
)
from cases.permissions import (
    cases_visible,
    encompass_notices_visible,
    incidents_visible,
    plans_visible,
    voice_records_visible,
)
from cases.rules import chronology as rules
from cases.rules.chronology import ChronologyEvent, ChronologyRow
from referrals.models import Decision, Referral, ReferralChild
from referrals.permissions import agency_checks_visible, referrals_visible
from strategy_meetings.models import StrategyMeeting, StrategyMeetingChild
from strategy_meetings.permissions import meetings_visible

__all__ = [
    "PAGE_SIZE",
    "ChronologyEvent",
    "ChronologyFilters",
    "ChronologyPage",
    "chronology",
    "chronology_agencies",
    "chronology_months",
    "chronology_page",
]

PAGE_SIZE = 50
# Long free text (an incident's summary, a plan's change note) is cut to this in the database: the summary
# shows a line of it, and a page of events need not carry whole records.
_TEXT_READ = 400

# The columns every source gives, in this order (rules.ChronologyRow's fields).
COLUMNS = ("c_at", "c_kind", "c_code", "c_code2", "c_record", "c_link", "c_agency", "c_agency_name", "c_a", "c_b",
           "c_moment", "c_date_only")


@dataclass(frozen=True)
class ChronologyFilters:
    """What the reader narrowed the chronology to: one agency, some kinds, a period (days, inclusive)."""

    agency_id: int | None = None
    kinds: frozenset[str] | None = None
    since: date | None = None
    until: date | None = None

    @property
    def any(self) -> bool:
        return bool(self.agency_id or self.kinds or self.since or self.until)


@dataclass(frozen=True)
class ChronologyPage:
    events: list[ChronologyEvent]
    total: int
    number: int
    per_page: int = PAGE_SIZE

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class _Source:
    """One source's rows, as a queryset of the shared columns."""

    kind: str
    rows: QuerySet[Any]


def _text(name: str) -> Cast:
    """A boolean or number column as text, to stack with the text other sources put in the same column."""
    return Cast(F(name), TextField())


def _flags(*names: str) -> Expression:
    """Booleans as "true,false,…" (one column for all of them)."""
    parts: list[Any] = []
    for name in names:
        if parts:
            parts.append(Value(","))
        parts.append(_text(name))
    return Concat(*parts, output_field=TextField())


def _csc(partnership: str) -> tuple[Subquery, Subquery]:
    """Children's social care of the partnership (for the events that are its own: cases, plans, meetings)."""
    csc = Agency.objects.filter(kind=Agency.Kind.CHILDRENS_SOCIAL_CARE, partnerships=OuterRef(partnership)).order_by(
        "pk")
    return Subquery(csc.values("pk")[:1]), Subquery(csc.values("name")[:1])


def _day_start(expression: str) -> Cast:
    """A day as a moment (midnight UTC: within the same day in the UK), for ordering among timed events."""
    return Cast(F(expression), DateTimeField())


_EMPTY = Value("", output_field=TextField())
_NO_MOMENT = Cast(Value(None), DateTimeField())


def _columns(
    rows: QuerySet[Any],
    *,
    kind: str,
    at: Any,
    record: Any,
    link: Any,
    agency: Any,
    agency_name: Any,
    code: Any = _EMPTY,
    code2: Any = _EMPTY,
    a: Any = _EMPTY,
    b: Any = _EMPTY,
    moment: Any = _NO_MOMENT,
    date_only: bool = False,
) -> QuerySet[Any]:
    """The source's rows as the shared columns, so the sources stack in one UNION ALL: moments (timestamptz),
    ids (bigint) and texts, booleans and numbers cast to text by the caller; a NULL text is read as ""."""
    return rows.order_by().annotate(
        c_at=at, c_kind=Value(kind, output_field=TextField()), c_code=code, c_code2=code2, c_record=record,
        c_link=link, c_agency=agency, c_agency_name=agency_name, c_a=a, c_b=b, c_moment=moment,
        c_date_only=Value(date_only, output_field=BooleanField()),
    )


def _practitioner_name() -> Expression:
    full = Trim(Concat(F("practitioner__first_name"), Value(" "), F("practitioner__last_name"),
                       output_field=CharField()))
    return Coalesce(NullIf(full, Value("")), F("practitioner__username"), output_field=CharField())


def _sources(user: User, child: Person, kinds: Iterable[str]) -> list[_Source]:
    """Each source of the kinds asked for, narrowed to what ``user`` may see about ``child``."""
    wanted = set(kinds)
    sources: list[_Source] = []
    rows: QuerySet[Any]
    # Each visibility selector built once, however many sources read through it.
    incidents = incidents_visible(user) if wanted & {rules.INCIDENT, rules.MARAC} else None
    referrals = (
        ReferralChild.objects.filter(child=child, referral__in=referrals_visible(user))
        if wanted & {rules.REFERRAL, rules.DECISION, rules.AGENCY_CHECK} else None
    )
    csc_id, csc_name = _csc("partnership")
    if incidents is not None and rules.INCIDENT in wanted:
        rows = IncidentChild.objects.filter(child=child, incident__in=incidents)
        sources.append(_Source(rules.INCIDENT, _columns(
            rows, kind=rules.INCIDENT, at=F("incident__occurred_at"), record=F("incident_id"), link=F("incident_id"),
            agency=F("incident__reported_by_id"), agency_name=F("incident__reported_by__name"),
            code=F("incident__risk_level"), code2=_flags("present", "seen", "spoken_to"), a=F("incident__reference"),
            b=Left(F("incident__summary"), _TEXT_READ),
        )))
    if referrals is not None and rules.REFERRAL in wanted:
        rows = referrals
        categories = Func(F("referral__categories"), Value(","), function="array_to_string", output_field=TextField())
        sources.append(_Source(rules.REFERRAL, _columns(
            rows, kind=rules.REFERRAL, at=F("referral__received_at"), record=F("referral_id"), link=F("referral_id"),
            agency=F("referral__referrer_agency_id"), agency_name=F("referral__referrer_agency__name"),
            code=F("referral__urgency"), code2=_text("repeat"), a=categories,
        )))
    if referrals is not None and rules.DECISION in wanted:
        rows = Decision.objects.filter(referral_id__in=referrals.values("referral_id"))
        sources.append(_Source(rules.DECISION, _columns(
            rows, kind=rules.DECISION, at=F("decided_at"), record=F("pk"), link=F("referral_id"),
            agency=csc_id, agency_name=csc_name, code=F("outcome"),
        )))
    if referrals is not None and rules.AGENCY_CHECK in wanted:
        # Only for those who see the referral, and of its checks only those they may see (their own agency's).
        rows = agency_checks_visible(user).filter(referral_id__in=referrals.values("referral_id"),
                                                  answered_at__isnull=False)
        sources.append(_Source(rules.AGENCY_CHECK, _columns(
            rows, kind=rules.AGENCY_CHECK, at=F("answered_at"), record=F("pk"), link=F("referral_id"),
            agency=F("agency_id"), agency_name=F("agency__name"),
        )))
    if rules.STRATEGY_MEETING in wanted:
        rows = StrategyMeetingChild.objects.filter(child=child, meeting__in=meetings_visible(user))
        meeting_csc_id, meeting_csc_name = _csc("meeting__partnership")
        sources.append(_Source(rules.STRATEGY_MEETING, _columns(
            rows, kind=rules.STRATEGY_MEETING, at=F("meeting__threshold_met_at"), record=F("meeting_id"),
            link=F("meeting_id"), agency=meeting_csc_id, agency_name=meeting_csc_name,
            code=Value(rules.MEETING_CONVENED),
            code2=F("meeting__status"),
        )))
        held = rows.filter(meeting__status=StrategyMeeting.Status.HELD)
        sources.append(_Source(rules.STRATEGY_MEETING, _columns(
            held, kind=rules.STRATEGY_MEETING, at=F("meeting__held_at"), record=F("meeting_id"),
            link=F("meeting_id"), agency=meeting_csc_id, agency_name=meeting_csc_name, code=Value(rules.MEETING_HELD),
            code2=F("meeting__outcome"),
        )))
    if rules.VOICE in wanted:
        rows = voice_records_visible(user).filter(child=child)
        sources.append(_Source(rules.VOICE, _columns(
            rows, kind=rules.VOICE, at=F("recorded_at"), record=F("pk"), link=F("pk"), agency=F("agency_id"),
            agency_name=F("agency__name"), code=F("method"), code2=F("not_spoken_reason"), a=_practitioner_name(),
            b=_text("seen_alone"),
        )))
    if rules.PLAN in wanted:
        visible = plans_visible(user).values("pk")
        sources.append(_Source(rules.PLAN, _columns(
            Plan.objects.filter(pk__in=visible, case__child=child), kind=rules.PLAN, at=_day_start("starts_on"),
            record=F("pk"), link=F("pk"), agency=csc_id, agency_name=csc_name, code=Value(rules.PLAN_STARTED),
            code2=F("kind"), a=F("status"), date_only=True,
        )))
        sources.append(_Source(rules.PLAN, _columns(
            PlanVersion.objects.filter(plan__in=visible, plan__case__child=child, number__gt=1), kind=rules.PLAN,
            at=F("created_at"), record=F("pk"), link=F("plan_id"), agency=csc_id, agency_name=csc_name,
            code=Value(rules.PLAN_CHANGED), code2=F("plan__kind"), a=_text("number"),
            b=Left(F("change_note"), _TEXT_READ),
        )))
    if rules.CASE in wanted:
        cases = cases_visible(user).filter(child=child)
        sources.append(_Source(rules.CASE, _columns(
            cases, kind=rules.CASE, at=_day_start("opened_on"), record=F("pk"), link=F("pk"), agency=csc_id,
            agency_name=csc_name, code=Value(rules.CASE_OPENED), code2=F("status"), date_only=True,
        )))
        # Each change of status as the database logged it (audits.db): {"status": [before, after]}
        # (accesslog_record_idx: record_type, record_id).
        changes = AccessLogEntry.objects.filter(
            record_type="case", action=AccessLogEntry.Action.UPDATE, record_id__in=cases.values("pk"),
            fields__has_key="status",
        )
        sources.append(_Source(rules.CASE, _columns(
            changes, kind=rules.CASE, at=F("at"), record=F("pk"), link=F("record_id"), agency=csc_id,
            agency_name=csc_name, code=Value(rules.CASE_STATUS), code2=KT("fields__status__1"),
            a=KT("fields__status__0"),
        )))
    if incidents is not None and rules.MARAC in wanted:
        rows = MaracReferral.objects.filter(
            incident__in=incidents, incident__children__child=child, referred_at__isnull=False
        )
        sources.append(_Source(rules.MARAC, _columns(
            rows, kind=rules.MARAC, at=F("referred_at"), record=F("pk"), link=F("incident_id"),
            agency=F("incident__reported_by_id"), agency_name=F("incident__reported_by__name"), code=_text("repeat"),
            a=F("incident__reference"),
        )))
    if rules.ENCOMPASS in wanted:
        rows = encompass_notices_visible(user).filter(child=child)
        sent = CaseWhen(When(sent_at__isnull=False, then=Value("sent")), default=Value(""), output_field=TextField())
        sources.append(_Source(rules.ENCOMPASS, _columns(
            rows, kind=rules.ENCOMPASS, at=Coalesce(F("sent_at"), F("occurred_at")), record=F("pk"), link=F("pk"),
            agency=F("incident__reported_by_id"), agency_name=F("incident__reported_by__name"),
            code=_flags("present", "spoken_to"), a=F("school__name"), b=sent, moment=F("occurred_at"),
        )))
    return sources


def _day_moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=DEFAULT_TZ)


def _narrowed(rows: QuerySet[Any], filters: ChronologyFilters) -> QuerySet[Any]:
    if filters.agency_id is not None:
        rows = rows.filter(c_agency=filters.agency_id)
    if filters.since is not None:
        rows = rows.filter(c_at__gte=_day_moment(filters.since))
    if filters.until is not None:
        rows = rows.filter(c_at__lt=_day_moment(filters.until + timedelta(days=1)))
    return rows


def _compiled(
    user: User, child: Person, kinds: Iterable[str], filters: ChronologyFilters
) -> tuple[str, list[Any]] | None:
    """The union's SQL and parameters for these kinds and filters, None when no source is of the kinds.

    Compiling the dozen sources takes longer than running them (SPEC 7.1's chronology in under 150 ms), and a
    page compiles the same union twice (the agency filter's choices and the events, when nothing is filtered):
    it is kept on the ``child`` instance, which lives for one request.
    """
    wanted = tuple(kinds)
    cache: dict[tuple[Any, ...], tuple[str, list[Any]] | None] = child.__dict__.setdefault("_chronology_sql", {})
    key = (user.pk, wanted, filters)
    if key not in cache:
        sources = _sources(user, child, wanted)
        cache[key] = _union(sources, filters) if sources else None
    found = cache[key]
    return (found[0], list(found[1])) if found is not None else None


def _union(sources: Sequence[_Source], filters: ChronologyFilters) -> tuple[str, list[Any]]:
    """The sources as one ``UNION ALL`` of the shared columns, with the filters in each source's WHERE."""
    parts: list[str] = []
    params: list[Any] = []
    for source in sources:
        sql, source_params = _narrowed(source.rows, filters).values_list(*COLUMNS).query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(source_params)
    return " UNION ALL ".join(parts), params


_ROUTES = {
    rules.INCIDENT: "incident-detail",
    rules.REFERRAL: "referral-detail",
    rules.DECISION: "referral-detail",
    rules.AGENCY_CHECK: "referral-detail",
    rules.STRATEGY_MEETING: "meeting-detail",
    rules.VOICE: "voice-detail",
    rules.PLAN: "plan-detail",
    rules.CASE: "case-detail",
    rules.MARAC: "incident-detail",
    rules.ENCOMPASS: "encompass-detail",
}
_SENTINEL = 2147483647


def _link_templates() -> dict[str, str]:
    """Each kind's link as a template ("/incidents/{}/"), reversed once per chronology, not once per event."""
    return {kind: reverse(name, args=[_SENTINEL]).replace(str(_SENTINEL), "{}") for kind, name in _ROUTES.items()}


def _labels() -> rules.ChoiceLabels:
    return {
        "risk_level": dict(Incident.RiskLevel.choices),
        "urgency": dict(Referral.Urgency.choices),
        "category": dict(Referral.Category.choices),
        "decision_outcome": dict(Decision.Outcome.choices),
        "meeting_status": dict(StrategyMeeting.Status.choices),
        "meeting_outcome": dict(StrategyMeeting.Outcome.choices),
        # Without the explanations in brackets the form gives, which read badly inside a sentence.
        "method": {value: label.split(" (")[0] for value, label in ChildVoice.Method.choices},
        "not_spoken_reason": {value: label.split(" (")[0] for value, label in ChildVoice.NotSpokenReason.choices},
        "plan_kind": dict(Plan.Kind.choices),
        "case_status": dict(Case.Status.choices),
    }


_TEXT_COLUMNS = frozenset(i for i, name in enumerate(COLUMNS) if name in {
    "c_code", "c_code2", "c_agency_name", "c_a", "c_b"})


def _row(values: Sequence[Any]) -> ChronologyRow:
    """A fetched row as the rules read it: a missing text (a school not recorded, no log value) as ""."""
    fields: list[Any] = [("" if value is None else value) if i in _TEXT_COLUMNS else value
                         for i, value in enumerate(values[: len(COLUMNS)])]
    return ChronologyRow(*fields)


def _events(
    *, user: User, child: Person, filters: ChronologyFilters, limit: int | None, offset: int
) -> tuple[list[ChronologyEvent], int | None]:
    """One page of events, newest first, and the total (None when the page is past the end: no row carries it).

    One query (none when the kinds asked for match no source).
    """
    kinds = rules.KINDS.keys() if filters.kinds is None else [k for k in rules.KINDS if k in filters.kinds]
    compiled = _compiled(user, child, kinds, filters)
    if compiled is None:
        return [], 0
    union, params = compiled
    window = ""
    if limit is not None:
        window = " LIMIT %s OFFSET %s"
        params = [*params, limit, offset]
    elif offset:
        window = " OFFSET %s"
        params = [*params, offset]
    columns = ", ".join(COLUMNS)
    sql = (
        f"SELECT {columns}, count(*) OVER () FROM ({union}) AS events"  # noqa: S608 (column names are constants)
        f" ORDER BY c_at DESC, c_kind, c_record DESC, c_code{window}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    links = _link_templates()
    labels = _labels()
    events = []
    for values in fetched:
        row = _row(values)
        link = links[row.kind].format(row.link_id)
        events.append(rules.event(row, link=link, labels=labels))
    total = int(fetched[0][-1]) if fetched else (0 if not offset else None)
    return events, total


def chronology(
    *,
    user: User,
    child: Person,
    agency_id: int | None = None,
    kinds: Iterable[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ChronologyEvent]:
    """The child's events that ``user`` may see, newest first (``limit`` of them from ``offset``; all by default).

    ``child`` must already be one the user may open (``cases.permissions.person_get_for``). One query.
    """
    filters = ChronologyFilters(agency_id=agency_id, kinds=frozenset(kinds) if kinds is not None else None,
                                since=since, until=until)
    events, _ = _events(user=user, child=child, filters=filters, limit=limit, offset=offset)
    return events


def chronology_page(
    *, user: User, child: Person, filters: ChronologyFilters, page: int = 1, per_page: int = PAGE_SIZE
) -> ChronologyPage:
    """A page of the chronology (a page past the end gives the last page), with the total.

    One query; two more only for a page past the end (the total, then the last page).
    """
    number = max(1, page)
    events, total = _events(user=user, child=child, filters=filters, limit=per_page, offset=(number - 1) * per_page)
    if total is None:
        total = _total(user=user, child=child, filters=filters)
        number = max(1, -(-total // per_page))
        if total:
            events, _ = _events(user=user, child=child, filters=filters, limit=per_page,
                                offset=(number - 1) * per_page)
    return ChronologyPage(events, total, number, per_page)


def _total(*, user: User, child: Person, filters: ChronologyFilters) -> int:
    kinds = rules.KINDS.keys() if filters.kinds is None else [k for k in rules.KINDS if k in filters.kinds]
    compiled = _compiled(user, child, kinds, filters)
    if compiled is None:
        return 0
    union, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({union}) AS events", params)  # noqa: S608 (built from querysets)
        found = cursor.fetchone()
        return int(found[0]) if found else 0


def chronology_agencies(*, user: User, child: Person) -> list[tuple[int, str]]:
    """The agencies with events in the child's chronology that ``user`` may see, by name: the agency filter's
    choices. One query."""
    compiled = _compiled(user, child, rules.KINDS.keys(), ChronologyFilters())
    if compiled is None:
        return []
    union, params = compiled
    sql = (
        f"SELECT c_agency, min(c_agency_name) AS name FROM ({union}) AS events"  # noqa: S608 (built from querysets)
        " WHERE c_agency IS NOT NULL GROUP BY c_agency ORDER BY name, c_agency"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(agency_id), str(name)) for agency_id, name in cursor.fetchall()]


def chronology_months(*, user: User, child: Person, filters: ChronologyFilters) -> list[tuple[date, int]]:
    """How many of the filtered events fall in each month (UK time), oldest first, as (first day, count): the
    density strip above the timeline. One query, grouped in the database, whatever the number of events."""
    kinds = rules.KINDS.keys() if filters.kinds is None else [k for k in rules.KINDS if k in filters.kinds]
    compiled = _compiled(user, child, kinds, filters)
    if compiled is None:
        return []
    union, params = compiled
    sql = (
        "SELECT (date_trunc('month', c_at AT TIME ZONE %s))::date AS month, count(*)"  # noqa: S608 (from querysets)
        f" FROM ({union}) AS events WHERE c_at IS NOT NULL GROUP BY 1 ORDER BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(DEFAULT_TZ), *params])
        return [(month, int(count)) for month, count in cursor.fetchall()]
