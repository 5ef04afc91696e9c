"""The child's voice and patterns of harm (SPEC 4): voice recorded recently, under-fives' voice by method,
repeat referrals, children flagged escalating, repeat MARAC cases, Operation Encompass notices in time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.utils import timezone

from audits.measures_base import Figure, Scope, TrendPoint
from audits.measures_front_door import REFERRAL_COLUMNS, referrals_in
from audits.measures_kinds import Col, CountMeasure, NowMeasure, RateMeasure, choice_label
from audits.measures_sql import LOCAL_TZ, DateMinusYears, LocalDate, month_trunc, period_q, trend_months
from cases.models import Case, ChildVoice, EncompassNotice, IncidentChild, MaracReferral, Person, PersonFlag
from referrals.models import ReferralChild
from referrals.rules import REPEAT_WINDOW

VOICE = "Child's voice"
HARM = "Patterns of harm"
VOICE_RECENT = timedelta(weeks=6)
UNDER = 5


def person_name(prefix: str = "") -> Concat:
    return Concat(f"{prefix}given_name", Value(" "), f"{prefix}family_name", output_field=CharField())


def day_before(at: datetime) -> date:
    """The last local day that ends at or before ``at`` (``at`` itself when it is a day's first moment)."""
    return timezone.localtime(at - timedelta(microseconds=1), LOCAL_TZ).date()


def cases_open_on(scope: Scope, day: date, child_path: str = "pk") -> Exists:
    """A case of the child open on ``day``, led by the scope's agency and allocated to its team."""
    cases = Case.objects.filter(child=OuterRef(child_path), opened_on__lte=day).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    )
    if scope.agency_id is not None:
        cases = cases.filter(lead_professional__membership__agency_id=scope.agency_id)
    if scope.team_id is not None:
        cases = cases.filter(allocated_team_id=scope.team_id)
    return Exists(cases)


class VoiceRecent(NowMeasure):
    key = "voice_recent"
    label = "Children on open cases whose voice was recorded in the last 6 weeks"
    section = VOICE
    unit = "percent"
    explanation = (
        "Children with an open case now, and how many had their voice recorded in the last 6 weeks, whatever "
        "the period (each month of the trend: at its end); by the lead professional's agency and the case's "
        "allocated team."
    )
    url_name = "person-detail"
    columns = (
        Col("id", "Child", "id"),
        Col("child_name", "Name", person_name(), personal=True),
        Col("date_of_birth", "Date of birth", "date_of_birth", personal=True),
        Col("last_voice_at", "Voice last recorded", "last_voice_at"),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        return Person.objects.filter(partnership_id=scope.partnership_id, merged_into__isnull=True)

    def held(self, scope: Scope, at: datetime) -> Q:
        return Q(cases_open_on(scope, day_before(at)))

    def met(self, scope: Scope, at: datetime) -> Q:
        recent = ChildVoice.objects.filter(child=OuterRef("pk"), recorded_at__gt=at - VOICE_RECENT,
                                           recorded_at__lte=at)
        return Q(Exists(recent))

    def annotate_for_drill(self, qs: QuerySet[Any], at: datetime) -> QuerySet[Any]:
        last = (ChildVoice.objects.filter(child=OuterRef("pk"), recorded_at__lte=at).order_by()
                .values("child").annotate(last=Max("recorded_at")).values("last"))
        return qs.annotate(last_voice_at=Subquery(last, output_field=DateTimeField()))

    def ordering(self) -> Sequence[Any]:
        return (F("last_voice_at").asc(nulls_first=True), "family_name", "id")


class VoiceUnderFivesByMethod(CountMeasure):
    key = "voice_under_fives_by_method"
    label = "Voice records of under-fives, by method"
    section = VOICE
    explanation = (
        "Voice records made in the period of children under five on the day, by how the voice was heard; by "
        "the recording agency and the recording practitioner's team."
    )
    clock = "recorded_at"
    url_name = "voice-detail"
    columns = (
        Col("id", "Record", "id"),
        Col("child_name", "Child", person_name("child__"), personal=True),
        Col("date_of_birth", "Date of birth", "child__date_of_birth", personal=True),
        Col("recorded_at", "Recorded", "recorded_at"),
        Col("method_text", "Method", choice_label("method", ChildVoice.Method.choices)),
        Col("agency_name", "Agency", "agency__name"),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        qs = ChildVoice.objects.filter(
            partnership_id=scope.partnership_id,
            child__date_of_birth__gt=DateMinusYears(LocalDate(F("recorded_at")), UNDER),
        )
        if scope.agency_id is not None:
            qs = qs.filter(agency_id=scope.agency_id)
        if scope.team_id is not None:
            qs = qs.filter(practitioner__membership__teams=scope.team_id)
        return qs

    def breakdown(self, scope: Scope, qs: QuerySet[Any]) -> tuple[Figure, ...]:
        labels = dict(ChildVoice.Method.choices)
        rows = qs.values("method").annotate(n=Count("pk")).order_by("method")
        return tuple(Figure(key=self.key, label=str(labels.get(row["method"], row["method"])), unit="count",
                            value=float(row["n"]), numerator=row["n"], denominator=None, group=row["method"])
                     for row in rows)

    def group_filter(self, group: str) -> Q | None:
        return Q(method=group) if group in ChildVoice.Method.values else None

    def group_label(self, group: str) -> str:
        return str(dict(ChildVoice.Method.choices).get(group, "")).lower()

    def ordering(self) -> Sequence[Any]:
        return ("-recorded_at", "-id")


class RepeatReferrals(RateMeasure):
    key = "repeat_referrals"
    label = "Repeat referrals within 12 months"
    section = HARM
    explanation = (
        "Referrals received in the period, and how many were about a child referred in the 12 months before; "
        "by referring agency and the team of the allocated worker."
    )
    clock = "received_at"
    url_name = "referral-detail"
    columns = REFERRAL_COLUMNS[:4]

    def base(self, scope: Scope) -> QuerySet[Any]:
        return referrals_in(scope)

    def met(self, scope: Scope) -> Q:
        earlier = ReferralChild.objects.filter(
            child=OuterRef("child"),
            referral__partnership_id=scope.partnership_id,
            referral__received_at__lt=OuterRef("referral__received_at"),
            referral__received_at__gte=OuterRef("referral__received_at") - REPEAT_WINDOW,
        )
        return Q(Exists(ReferralChild.objects.filter(referral=OuterRef("pk")).filter(Exists(earlier))))

    def ordering(self) -> Sequence[Any]:
        return ("-received_at", "-id")


class ChildrenEscalating(CountMeasure):
    key = "children_escalating"
    label = "Children flagged escalating"
    section = HARM
    explanation = (
        "Children flagged escalating (three or more domestic-abuse incidents in 12 months) in the period; for "
        "children in an incident the agency reported, and with a case allocated to the team."
    )
    clock = "raised_at"
    url_name = "person-detail"
    columns = (
        Col("id", "Child", "id"),
        Col("child_name", "Name", person_name(), personal=True),
        Col("date_of_birth", "Date of birth", "date_of_birth", personal=True),
        Col("flagged_at", "Flagged", "flagged_at"),
    )

    def children(self, scope: Scope) -> QuerySet[Person]:
        qs = Person.objects.filter(partnership_id=scope.partnership_id)
        if scope.agency_id is not None:
            qs = qs.filter(Exists(IncidentChild.objects.filter(child=OuterRef("pk"),
                                                               incident__reported_by_id=scope.agency_id)))
        if scope.team_id is not None:
            qs = qs.filter(Exists(Case.objects.filter(child=OuterRef("pk"), allocated_team_id=scope.team_id)))
        return qs

    def flags(self, scope: Scope, start: date, end: date) -> QuerySet[PersonFlag]:
        return PersonFlag.objects.filter(partnership_id=scope.partnership_id, kind=PersonFlag.Kind.ESCALATING).filter(
            period_q("raised_at", start, end))

    def population(self, scope: Scope, start: date, end: date) -> QuerySet[Any]:
        flags = self.flags(scope, start, end).filter(person=OuterRef("pk"))
        latest = flags.order_by().values("person").annotate(last=Max("raised_at")).values("last")
        return (self.children(scope).filter(Exists(flags))
                .alias(is_met=Value(True)).annotate(flagged_at=Subquery(latest, output_field=DateTimeField()))
                .order_by())

    def trend(self, scope: Scope, months: int = 12) -> list[TrendPoint]:
        firsts = trend_months(scope.end, months)
        people = self.children(scope).filter(pk=OuterRef("person"))
        rows = (
            self.flags(scope, firsts[0], scope.end).filter(Exists(people))
            .annotate(month=month_trunc("raised_at")).values("month")
            .annotate(n=Count("person", distinct=True)).order_by("month")
        )
        by_month = {row["month"]: row["n"] for row in rows}
        return [TrendPoint(month=m, value=float(by_month.get(m, 0)), numerator=by_month.get(m, 0), denominator=None)
                for m in firsts]

    def ordering(self) -> Sequence[Any]:
        return ("-flagged_at", "id")


class RepeatMarac(CountMeasure):
    key = "repeat_marac"
    label = "Repeat MARAC cases"
    section = HARM
    explanation = (
        "MARAC referrals marked repeat (a new incident within 12 months of an earlier MARAC referral) for "
        "incidents in the period; by the agency that reported the incident (the team filter does not apply)."
    )
    clock = "incident__occurred_at"
    url_name = "incident-detail"
    id_key = "incident_id"
    columns = (
        Col("incident_id", "Incident", "incident_id"),
        Col("victim_name", "Victim", person_name("victim__"), personal=True),
        Col("reference", "Reference", "incident__reference"),
        Col("occurred_at", "Occurred", "incident__occurred_at"),
        Col("referred_at", "Referred to MARAC", "referred_at"),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        qs = MaracReferral.objects.filter(partnership_id=scope.partnership_id, repeat=True)
        if scope.agency_id is not None:
            qs = qs.filter(incident__reported_by_id=scope.agency_id)
        return qs

    def ordering(self) -> Sequence[Any]:
        return ("-occurred_at", "-id")


class EncompassInTime(RateMeasure):
    key = "encompass_in_time"
    label = "Operation Encompass notices sent before the next school day"
    section = HARM
    explanation = (
        "Operation Encompass notices for incidents in the period that were sent, or are past 08:30 on the next "
        "school day, and how many were sent by then; by the reporting police force or the school (the team "
        "filter does not apply)."
    )
    clock = "occurred_at"
    url_name = "encompass-detail"
    columns = (
        Col("id", "Notice", "id"),
        Col("child_name", "Child", person_name("child__"), personal=True),
        Col("school_name", "School", "school__name"),
        Col("occurred_at", "Incident", "occurred_at"),
        Col("due_by", "Due by", "due_by"),
        Col("sent_at", "Sent", "sent_at"),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        qs = EncompassNotice.objects.filter(partnership_id=scope.partnership_id)
        if scope.agency_id is not None:
            qs = qs.filter(Q(school_id=scope.agency_id) | Q(incident__reported_by_id=scope.agency_id))
        return qs

    def eligible(self, scope: Scope) -> Q:
        return Q(sent_at__isnull=False) | Q(due_by__lt=timezone.now())

    def met(self, scope: Scope) -> Q:
        return Q(sent_at__lte=F("due_by"))

    def ordering(self) -> Sequence[Any]:
        return (F("sent_at").desc(nulls_first=True), "due_by")


VOICE_MEASURES = [VoiceRecent(), VoiceUnderFivesByMethod()]
HARM_MEASURES = [RepeatReferrals(), ChildrenEscalating(), RepeatMarac(), EncompassInTime()]
