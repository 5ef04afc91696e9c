"""Strategy meeting and child protection measures (SPEC 4): meetings in time, attendance, minutes,
meetings considered and not held, initial child protection conferences and assessments in time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from audits.measures_base import Scope
from audits.measures_kinds import Col, CountMeasure, RateMeasure, choice_label
from audits.measures_sql import (
    HoursBetween,
    LocalDate,
    NthWorkingDayAfter,
    OneWorkingDayAfter,
    calendar_years,
    today_local,
)
from cases.models import Case
from strategy_meetings.models import OPEN_STATUSES, Contribution, Invitation, StrategyMeeting, StrategyMeetingChild
from strategy_meetings.rules import HEARD_RESPONSES

MEETINGS = "Strategy meetings"
CHILD_PROTECTION = "Child protection"
ASSESSMENT_WORKING_DAYS = 45


def meeting_children(meeting_path: str = "pk") -> Subquery:
    return Subquery(
        StrategyMeetingChild.objects.filter(meeting=OuterRef(meeting_path))
        .order_by()
        .values("meeting")
        .annotate(names=StringAgg(Concat("child__given_name", Value(" "), "child__family_name",
                                         output_field=CharField()), ", ", order_by="child__family_name"))
        .values("names"),
        output_field=CharField(),
    )


def meetings_in(scope: Scope) -> QuerySet[StrategyMeeting]:
    """The partnership's strategy meetings, to which the scope's agency was invited, chaired in its team."""
    qs = StrategyMeeting.objects.filter(partnership_id=scope.partnership_id)
    if scope.agency_id is not None:
        qs = qs.filter(Exists(Invitation.objects.filter(meeting=OuterRef("pk"), agency_id=scope.agency_id)))
    if scope.team_id is not None:
        qs = qs.filter(chair__membership__teams=scope.team_id)
    return qs


MEETING_COLUMNS = (
    Col("id", "Meeting", "id"),
    Col("child_names", "Children", meeting_children(), personal=True),
    Col("threshold_met_at", "Threshold met", "threshold_met_at"),
)


class MeetingsInTime(RateMeasure):
    key = "meetings_in_time"
    label = "Strategy meetings held within 24 hours of the threshold"
    section = MEETINGS
    explanation = (
        "Meetings whose threshold was met in the period that were held, or are still to be held past their "
        "deadline, and how many were held within the partnership's hours of the threshold; for meetings the "
        "agency was invited to and chaired in the team."
    )
    clock = "threshold_met_at"
    url_name = "meeting-detail"
    columns = (
        *MEETING_COLUMNS,
        Col("due_at", "Due by", "deadline"),
        Col("held_at", "Held", "held_at"),
        Col("hours", "Hours from threshold", HoursBetween(F("threshold_met_at"), F("held_at"))),
        Col("status_text", "Status", choice_label("status", StrategyMeeting.Status.choices)),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        # The meeting's own due time (the threshold plus the partnership's hours when it was convened), as the
        # not-held chase counts it.
        return meetings_in(scope).alias(deadline=F("due_by"))

    def eligible(self, scope: Scope) -> Q:
        return Q(status=StrategyMeeting.Status.HELD) | Q(status__in=OPEN_STATUSES, deadline__lt=timezone.now())

    def met(self, scope: Scope) -> Q:
        return Q(status=StrategyMeeting.Status.HELD, held_at__lte=F("deadline"))

    def ordering(self) -> Sequence[Any]:
        return (F("hours").desc(nulls_first=True), "threshold_met_at")


class MeetingAttendance(RateMeasure):
    key = "meeting_attendance"
    label = "Invited agencies that attended or contributed"
    section = MEETINGS
    explanation = (
        "Agencies invited to meetings held whose threshold was met in the period, and how many attended or "
        "sent what they know; for the agency invited and meetings chaired in the team."
    )
    clock = "meeting__threshold_met_at"
    url_name = "meeting-detail"
    id_key = "meeting_id"
    breakdown_agency = "agency"
    columns = (
        Col("meeting_id", "Meeting", "meeting_id"),
        Col("child_names", "Children", meeting_children("meeting_id"), personal=True),
        Col("agency_name", "Agency", "agency__name"),
        Col("required", "Required", "required"),
        Col("held_at", "Held", "meeting__held_at"),
        Col("response_text", "Response", choice_label("response", Invitation.Response.choices)),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        qs = Invitation.objects.filter(partnership_id=scope.partnership_id, meeting__status=StrategyMeeting.Status.HELD)
        if scope.agency_id is not None:
            qs = qs.filter(agency_id=scope.agency_id)
        if scope.team_id is not None:
            qs = qs.filter(meeting__chair__membership__teams=scope.team_id)
        return qs

    def met(self, scope: Scope) -> Q:
        contributed = Contribution.objects.filter(meeting=OuterRef("meeting"), agency=OuterRef("agency"))
        return Q(response__in=sorted(HEARD_RESPONSES)) | Q(Exists(contributed))

    def ordering(self) -> Sequence[Any]:
        return ("-held_at", "meeting_id", "agency_name")


class MinutesInTime(RateMeasure):
    key = "minutes_in_time"
    label = "Minutes distributed within 1 working day"
    section = MEETINGS
    explanation = (
        "Meetings held in the period whose minutes went out, or are past their deadline, and how many went out "
        "within 1 working day of the meeting on the partnership's calendar; for meetings the agency was invited "
        "to and chaired in the team."
    )
    clock = "held_at"
    url_name = "meeting-detail"
    columns = (
        *MEETING_COLUMNS[:2],
        Col("held_at", "Held", "held_at"),
        Col("minutes_due_at", "Minutes due", "minutes_due"),
        Col("minutes_distributed_at", "Minutes distributed", "minutes_distributed_at"),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        return meetings_in(scope).filter(status=StrategyMeeting.Status.HELD).alias(
            minutes_due=OneWorkingDayAfter(F("held_at"), partnership_id=scope.partnership_id,
                                           years=calendar_years(scope))
        )

    def eligible(self, scope: Scope) -> Q:
        return Q(minutes_distributed_at__isnull=False) | Q(minutes_due__lt=timezone.now())

    def met(self, scope: Scope) -> Q:
        return Q(minutes_distributed_at__lte=F("minutes_due"))

    def ordering(self) -> Sequence[Any]:
        return (F("minutes_distributed_at").desc(nulls_first=True), "held_at")


class MeetingsNotHeld(CountMeasure):
    key = "meetings_not_held"
    label = "Meetings considered and not held"
    section = MEETINGS
    trend_drawn = False
    explanation = (
        "Meetings whose threshold was met in the period that a manager recorded as considered and not needed, "
        "with the rationale; for meetings the agency was invited to and chaired in the team."
    )
    clock = "threshold_met_at"
    url_name = "meeting-detail"
    columns = (
        *MEETING_COLUMNS,
        Col("not_held_rationale", "Rationale", "not_held_rationale", personal=True),
        Col("not_held_instead", "Done instead", "not_held_instead", personal=True),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        return meetings_in(scope).filter(status=StrategyMeeting.Status.CONSIDERED_NOT_HELD)

    def ordering(self) -> Sequence[Any]:
        return ("-threshold_met_at", "-id")


class ConferencesInTime(RateMeasure):
    key = "conferences_in_time"
    label = "Initial child protection conferences within 15 working days"
    section = CHILD_PROTECTION
    explanation = (
        "Strategy meetings held in the period that decided on a section 47 enquiry, whose conference is booked "
        "or overdue, and how many conferences are booked on or before the 15th working day; for meetings the "
        "agency was invited to and chaired in the team."
    )
    clock = "held_at"
    url_name = "meeting-detail"
    columns = (
        *MEETING_COLUMNS[:2],
        Col("held_at", "Strategy meeting held", "held_at"),
        Col("icpc_due_by", "Conference due by", "icpc_due_by"),
        Col("icpc_at", "Conference", "icpc_at"),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        return meetings_in(scope).filter(icpc_due_by__isnull=False)

    def eligible(self, scope: Scope) -> Q:
        return Q(icpc_at__isnull=False) | Q(icpc_due_by__lt=today_local())

    def met(self, scope: Scope) -> Q:
        return Q(icpc_at__isnull=False) & Q(icpc_due_by__gte=LocalDate(F("icpc_at")))

    def ordering(self) -> Sequence[Any]:
        return (F("icpc_at").desc(nulls_first=True), "icpc_due_by")


class AssessmentsInTime(RateMeasure):
    key = "assessments_in_time"
    label = "Assessments completed within 45 working days"
    section = CHILD_PROTECTION
    explanation = (
        "Assessments started in the period that were completed, or have passed 45 working days, and how many "
        "were completed within 45 working days of their start on the partnership's calendar; by the lead "
        "professional's agency and the case's allocated team."
    )
    clock = "assessment_started_on"
    clock_is_date = True
    url_name = "case-detail"
    columns = (
        Col("id", "Case", "id"),
        Col("child_name", "Child", Concat("child__given_name", Value(" "), "child__family_name",
                                          output_field=CharField()), personal=True),
        Col("assessment_started_on", "Started", "assessment_started_on"),
        Col("due_on", "Due by", "assessment_due"),
        Col("assessment_completed_on", "Completed", "assessment_completed_on"),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        qs = Case.objects.filter(partnership_id=scope.partnership_id, assessment_started_on__isnull=False)
        if scope.agency_id is not None:
            qs = qs.filter(lead_professional__membership__agency_id=scope.agency_id)
        if scope.team_id is not None:
            qs = qs.filter(allocated_team_id=scope.team_id)
        return qs.alias(assessment_due=NthWorkingDayAfter(
            F("assessment_started_on"), ASSESSMENT_WORKING_DAYS, partnership_id=scope.partnership_id,
            years=calendar_years(scope)))

    def eligible(self, scope: Scope) -> Q:
        return Q(assessment_completed_on__isnull=False) | Q(assessment_due__lt=today_local())

    def met(self, scope: Scope) -> Q:
        return Q(assessment_completed_on__lte=F("assessment_due"))

    def ordering(self) -> Sequence[Any]:
        return (F("assessment_completed_on").desc(nulls_first=True), "assessment_started_on")


MEETING_MEASURES = [MeetingsInTime(), MeetingAttendance(), MinutesInTime(), MeetingsNotHeld()]
CHILD_PROTECTION_MEASURES = [ConferencesInTime(), AssessmentsInTime()]
