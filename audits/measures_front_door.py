"""Front door measures (SPEC 4): referral decisions, feedback to referrers, agency checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
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

from audits.measures_base import Scope, Unit
from audits.measures_kinds import Col, MedianHoursMeasure, NowMeasure, RateMeasure, choice_label
from audits.measures_sql import HoursBetween, OneWorkingDayAfter, calendar_years
from referrals.models import AgencyCheck, Decision, Referral, ReferralChild

FRONT_DOOR = "Front door"


def children_names(referral_path: str = "pk") -> Subquery:
    """The names of a referral's children, in one column."""
    return Subquery(
        ReferralChild.objects.filter(referral=OuterRef(referral_path))
        .order_by()
        .values("referral")
        .annotate(names=StringAgg(Concat("child__given_name", Value(" "), "child__family_name",
                                         output_field=CharField()), ", ", order_by="child__family_name"))
        .values("names"),
        output_field=CharField(),
    )


def referrals_in(scope: Scope) -> QuerySet[Referral]:
    """The partnership's referrals, from the scope's referring agency, allocated to a worker in its team."""
    qs = Referral.objects.filter(partnership_id=scope.partnership_id)
    if scope.agency_id is not None:
        qs = qs.filter(referrer_agency_id=scope.agency_id)
    if scope.team_id is not None:
        qs = qs.filter(allocated_to__membership__teams=scope.team_id)
    return qs


REFERRAL_COLUMNS = (
    Col("id", "Referral", "id"),
    Col("child_names", "Children", children_names(), personal=True),
    Col("referrer", "Referrer", "referrer_agency__name"),
    Col("received_at", "Received", "received_at"),
    Col("decision_due_at", "Decision due", "decision_due_at"),
    Col("decided_at", "Decided", "decision__decided_at"),
)


class DecisionsInTime(RateMeasure):
    key = "decisions_in_time"
    label = "Referral decisions within 1 working day"
    section = FRONT_DOOR
    explanation = (
        "Referrals received in the period that were decided, or are past their deadline, and how many were "
        "decided within 1 working day of receipt; by referring agency and the team of the allocated worker."
    )
    clock = "received_at"
    url_name = "referral-detail"
    columns = (
        *REFERRAL_COLUMNS,
        Col("hours", "Hours to decision", HoursBetween(F("received_at"), F("decision__decided_at"))),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        return referrals_in(scope)

    def eligible(self, scope: Scope) -> Q:
        return Q(decision__isnull=False) | Q(decision_due_at__lt=timezone.now())

    def met(self, scope: Scope) -> Q:
        return Q(decision__decided_at__lte=F("decision_due_at"))

    def ordering(self) -> Sequence[Any]:
        return (F("hours").desc(nulls_first=True), "received_at")


class DecisionMedianHours(MedianHoursMeasure):
    key = "decision_median_hours"
    label = "Median hours from receipt to decision"
    section = FRONT_DOOR
    explanation = (
        "The middle of the hours each referral received in the period took from receipt to decision; "
        "by referring agency and the team of the allocated worker."
    )
    clock = "received_at"
    url_name = "referral-detail"
    columns = DecisionsInTime.columns

    def base(self, scope: Scope) -> QuerySet[Any]:
        return referrals_in(scope)

    def eligible(self, scope: Scope) -> Q:
        return Q(decision__isnull=False)

    def hours(self) -> Any:
        return HoursBetween(F("received_at"), F("decision__decided_at"))

    def ordering(self) -> Sequence[Any]:
        return (F("hours").desc(), "received_at")


def _awaiting_at(at: datetime) -> Q:
    return Q(received_at__lt=at) & (Q(decision__isnull=True) | Q(decision__decided_at__gte=at))


class QueueNow(NowMeasure):
    key = "queue_now"
    label = "Referrals awaiting a decision now"
    section = FRONT_DOOR
    unit: Unit = "count"
    explanation = (
        "Referrals received and not yet decided, whatever the period (each month of the trend: at its end); "
        "by referring agency and the team of the allocated worker."
    )
    url_name = "referral-detail"
    columns = (
        *REFERRAL_COLUMNS[:5],
        Col("hours_waiting", "Hours waiting", "hours_waiting"),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        return referrals_in(scope)

    def held(self, scope: Scope, at: datetime) -> Q:
        return _awaiting_at(at)

    def annotate_for_drill(self, qs: QuerySet[Any], at: datetime) -> QuerySet[Any]:
        return qs.annotate(hours_waiting=HoursBetween(F("received_at"), Value(at, output_field=DateTimeField())))

    def ordering(self) -> Sequence[Any]:
        return ("received_at", "id")


class QueueOldestHours(QueueNow):
    key = "queue_oldest_hours"
    label = "Hours the oldest referral has waited"
    unit = "hours"
    hours_of = "Longest"
    explanation = (
        "How long the referral waiting longest for a decision has waited, now (each month of the trend: at "
        "its end); by referring agency and the team of the allocated worker."
    )

    def snapshot_aggregates(self, scope: Scope, at: datetime, suffix: str) -> dict[str, Any]:
        held = self.held(scope, at)
        return {
            f"n{suffix}": Count("pk", filter=held),
            f"m{suffix}": Max(HoursBetween(F("received_at"), Value(at, output_field=DateTimeField())), filter=held),
        }

    def snapshot_point(self, row: dict[str, Any], suffix: str) -> tuple[float | None, int | None, int | None]:
        hours = row[f"m{suffix}"]
        return (round(hours, 1) if hours is not None else None), None, row[f"n{suffix}"]


def decided_in(scope: Scope) -> QuerySet[Referral]:
    return referrals_in(scope).filter(decision__isnull=False)


FEEDBACK_COLUMNS = (
    *REFERRAL_COLUMNS[:4],
    Col("decided_at", "Decided", "decision__decided_at"),
    Col("outcome", "Decision", choice_label("decision__outcome", Decision.Outcome.choices)),
    Col("fed_back_at", "Fed back", "feedback__shared_at"),
    Col("hours", "Hours to feedback", HoursBetween(F("decision__decided_at"), F("feedback__shared_at"))),
)


class FeedbackGiven(RateMeasure):
    key = "feedback_given"
    label = "Decisions fed back to the referrer within 1 working day"
    section = FRONT_DOOR
    explanation = (
        "Decisions made in the period, and how many the referrer was told of within 1 working day (a decision "
        "still inside its working day is counted once it is fed back or the day has passed); by referring agency "
        "and the team of the allocated worker."
    )
    clock = "decision__decided_at"
    url_name = "referral-detail"
    columns = FEEDBACK_COLUMNS

    def base(self, scope: Scope) -> QuerySet[Any]:
        return decided_in(scope).alias(
            feedback_due=OneWorkingDayAfter(F("decision__decided_at"), partnership_id=scope.partnership_id,
                                            years=calendar_years(scope))
        )

    def eligible(self, scope: Scope) -> Q:
        return Q(feedback__isnull=False) | Q(feedback_due__lt=timezone.now())

    def met(self, scope: Scope) -> Q:
        return Q(feedback__shared_at__lte=F("feedback_due"))

    def ordering(self) -> Sequence[Any]:
        return (F("fed_back_at").desc(nulls_first=True), "decided_at")


class FeedbackMedianHours(MedianHoursMeasure):
    key = "feedback_median_hours"
    label = "Median hours from decision to feedback"
    section = FRONT_DOOR
    explanation = (
        "The middle of the hours from decision to telling the referrer, for decisions made in the period and "
        "fed back; by referring agency and the team of the allocated worker."
    )
    clock = "decision__decided_at"
    url_name = "referral-detail"
    columns = FEEDBACK_COLUMNS

    def base(self, scope: Scope) -> QuerySet[Any]:
        return decided_in(scope)

    def eligible(self, scope: Scope) -> Q:
        return Q(feedback__isnull=False)

    def hours(self) -> Any:
        return HoursBetween(F("decision__decided_at"), F("feedback__shared_at"))

    def ordering(self) -> Sequence[Any]:
        return (F("hours").desc(), "decided_at")


class UnsharedNow(NowMeasure):
    key = "unshared_now"
    label = "Decisions not fed back now"
    section = FRONT_DOOR
    unit = "count"
    explanation = (
        "Decisions the referrer has not yet been told of, whatever the period (each month of the trend: at its "
        "end); by referring agency and the team of the allocated worker."
    )
    url_name = "referral-detail"
    columns = (
        *REFERRAL_COLUMNS[:4],
        Col("decided_at", "Decided", "decision__decided_at"),
        Col("outcome", "Decision", choice_label("decision__outcome", Decision.Outcome.choices)),
        Col("hours_waiting", "Hours since decision", "hours_waiting"),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        return decided_in(scope)

    def held(self, scope: Scope, at: datetime) -> Q:
        return Q(decision__decided_at__lt=at) & (Q(feedback__isnull=True) | Q(feedback__shared_at__gte=at))

    def annotate_for_drill(self, qs: QuerySet[Any], at: datetime) -> QuerySet[Any]:
        return qs.annotate(hours_waiting=HoursBetween(F("decision__decided_at"),
                                                      Value(at, output_field=DateTimeField())))

    def ordering(self) -> Sequence[Any]:
        return ("decision__decided_at", "id")


class ChecksOnTime(RateMeasure):
    key = "checks_on_time"
    label = "Agency checks answered on time"
    section = FRONT_DOOR
    explanation = (
        "Agency checks requested in the period that were answered, or are past their due time, and how many "
        "were answered by it; by the agency asked and the team of the referral's allocated worker."
    )
    clock = "requested_at"
    url_name = "referral-detail"
    id_key = "referral_id"
    breakdown_agency = "agency"
    columns = (
        Col("referral_id", "Referral", "referral_id"),
        Col("child_names", "Children", children_names("referral_id"), personal=True),
        Col("agency_name", "Agency asked", "agency__name"),
        Col("requested_at", "Requested", "requested_at"),
        Col("due_at", "Due", "due_at"),
        Col("answered_at", "Answered", "answered_at"),
        Col("hours_after_due", "Hours from the due time to the answer", HoursBetween(F("due_at"), F("answered_at"))),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        qs = AgencyCheck.objects.filter(partnership_id=scope.partnership_id)
        if scope.agency_id is not None:
            qs = qs.filter(agency_id=scope.agency_id)
        if scope.team_id is not None:
            qs = qs.filter(referral__allocated_to__membership__teams=scope.team_id)
        return qs

    def eligible(self, scope: Scope) -> Q:
        return Q(answered_at__isnull=False) | Q(due_at__lt=timezone.now())

    def met(self, scope: Scope) -> Q:
        return Q(answered_at__lte=F("due_at"))

    def ordering(self) -> Sequence[Any]:
        return (F("answered_at").asc(nulls_first=True), "due_at", "referral_id")


FRONT_DOOR_MEASURES = [
    DecisionsInTime(), DecisionMedianHours(), QueueNow(), QueueOldestHours(), FeedbackGiven(),
    FeedbackMedianHours(), UnsharedNow(), ChecksOnTime(),
]
