"""Quality and workforce measures (SPEC 4): escalations by stage and outcome, the completeness of children's
records, and staff training compliance against the partnership's target."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery

from agencies.models import Partnership, Role, User
from agencies.training import staff_in_scope, staff_with_compliance
from audits.measures_base import Column, Drill, Figure, Measure, Part, Scope, TrendPoint
from audits.measures_children import day_before, person_name
from audits.measures_front_door import children_names
from audits.measures_kinds import Col, CountMeasure, NowMeasure, choice_label, drill_values, percent
from audits.measures_sql import DateMinusYears, month_moments, today_local
from cases.models import Case, Person
from cases.rules.people import ADULT_AGE, SCHOOL_AGE_FROM, SCHOOL_AGE_TO
from referrals.models import Escalation

QUALITY = "Quality and workforce"
STAGE_NAMES = {1: "practitioner", 2: "line manager", 3: "senior manager", 4: "partnership"}


def _stage_words(stage: int, status: str) -> str:
    """A breakdown row's words: "Stage 2 (line manager): resolved"."""
    outcome = str(dict(Escalation.Status.choices).get(status, status)).lower()
    return f"Stage {stage} ({STAGE_NAMES.get(stage, '')}): {outcome}"


class Escalations(CountMeasure):
    key = "escalations"
    label = "Escalations by stage and outcome"
    section = QUALITY
    explanation = (
        "Escalations of a decision raised in the period, by the stage they reached and where they stand; by the "
        "agency that raised them and the team of the referral's allocated worker."
    )
    clock = "raised_at"
    url_name = "escalation-detail"
    columns = (
        Col("id", "Escalation", "id"),
        Col("referral_id", "Referral", "referral_id"),
        Col("child_names", "Children", children_names("referral_id"), personal=True),
        Col("raised_by_agency_name", "Raised by", "raised_by_agency__name"),
        Col("raised_at", "Raised", "raised_at"),
        Col("stage", "Stage", "stage"),
        Col("status_text", "Outcome", choice_label("status", Escalation.Status.choices)),
        Col("closed_at", "Closed", "closed_at"),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        qs = Escalation.objects.filter(partnership_id=scope.partnership_id)
        if scope.agency_id is not None:
            qs = qs.filter(raised_by_agency_id=scope.agency_id)
        if scope.team_id is not None:
            qs = qs.filter(referral__allocated_to__membership__teams=scope.team_id)
        return qs

    def breakdown(self, scope: Scope, qs: QuerySet[Any]) -> tuple[Figure, ...]:
        rows = qs.values("stage", "status").annotate(n=Count("pk")).order_by("stage", "status")
        return tuple(
            Figure(key=self.key, label=_stage_words(row["stage"], row["status"]), unit="count",
                   value=float(row["n"]), numerator=row["n"], denominator=None,
                   group=f"{row['stage']}:{row['status']}")
            for row in rows
        )

    @staticmethod
    def _group(group: str) -> tuple[int, str] | None:
        """A group's key, "stage:status", read back (None when it is not one)."""
        stage, _, status = group.partition(":")
        if not stage.isdigit() or status not in Escalation.Status.values:
            return None
        return int(stage), status

    def group_filter(self, group: str) -> Q | None:
        parsed = self._group(group)
        return Q(stage=parsed[0], status=parsed[1]) if parsed is not None else None

    def group_label(self, group: str) -> str:
        parsed = self._group(group)
        return _stage_words(*parsed) if parsed is not None else ""

    def ordering(self) -> Sequence[Any]:
        return ("-raised_at", "-id")


def _children_on(day: date) -> Q:
    """Under 18 on ``day``, or not yet born (an expected date and no date of birth)."""
    return Q(date_of_birth__gt=DateMinusYears(day, ADULT_AGE)) | Q(
        date_of_birth__isnull=True, expected_date_of_birth__isnull=False
    )


class DataQuality(NowMeasure):
    key = "data_quality"
    label = "Children's records complete"
    section = QUALITY
    unit = "percent"
    trend_drawn = False
    explanation = (
        "Children's records now, and how many have every key field: a date of birth that is not estimated, "
        "ethnicity, first language, whether an interpreter is needed, NHS number, sex, and a school for a child "
        "of school age (an unborn child: ethnicity only); for children whose school, GP practice or health "
        "visiting service is the agency, with a case allocated to the team (each month of the trend: the "
        "children recorded by its end, as their records stand now)."
    )
    url_name = "person-detail"
    columns = (
        Col("id", "Child", "id"),
        Col("child_name", "Name", person_name(), personal=True),
        Col("date_of_birth", "Date of birth", "date_of_birth", personal=True),
        Col("ethnicity", "Ethnicity", "ethnicity", personal=True),
        Col("first_language", "First language", "first_language", personal=True),
        Col("interpreter_needed", "Interpreter needed", "interpreter_needed", personal=True),
        Col("has_nhs_number", "NHS number recorded", "has_nhs_number"),
        Col("school_name", "School", "school__name", personal=True),
    )

    def base(self, scope: Scope) -> QuerySet[Any]:
        qs = Person.objects.filter(partnership_id=scope.partnership_id, merged_into__isnull=True)
        if scope.agency_id is not None:
            qs = qs.filter(Q(school_id=scope.agency_id) | Q(gp_practice_id=scope.agency_id)
                           | Q(health_visiting_id=scope.agency_id))
        if scope.team_id is not None:
            qs = qs.filter(Exists(Case.objects.filter(child=OuterRef("pk"), allocated_team_id=scope.team_id)))
        return qs

    def held(self, scope: Scope, at: datetime) -> Q:
        return Q(created_at__lt=at) & _children_on(today_local())

    def met(self, scope: Scope, at: datetime) -> Q:
        today = today_local()
        unborn = Q(date_of_birth__isnull=True, expected_date_of_birth__isnull=False)
        ethnicity = ~Q(ethnicity__in=["", Person.Ethnicity.NOBT])
        school_age = Q(date_of_birth__lte=DateMinusYears(today, SCHOOL_AGE_FROM),
                       date_of_birth__gt=DateMinusYears(today, SCHOOL_AGE_TO + 1))
        born = (
            Q(date_of_birth__isnull=False, date_of_birth_estimated=False)
            & Q(first_language__regex=r"\S")
            & Q(interpreter_needed__isnull=False)
            & ~Q(nhs_number="")
            & ~Q(sex__in=["", Person.Sex.UNKNOWN])
            & (~school_age | Q(school__isnull=False))
        )
        return ethnicity & (unborn | born)

    def annotate_for_drill(self, qs: QuerySet[Any], at: datetime) -> QuerySet[Any]:
        return qs.annotate(has_nhs_number=~Q(nhs_number=""))

    def ordering(self) -> Sequence[Any]:
        return ("family_name", "given_name", "id")


class _Count(Func):
    """COUNT(*) of a subquery's rows, as a plain (not grouping) select expression."""

    function = "COUNT"
    template = "COUNT(*)"
    output_field = IntegerField()


def _count_of(qs: QuerySet[Any]) -> Subquery:
    return Subquery(qs.order_by().values(c=_Count()).values("c"), output_field=IntegerField())


# No names: who holds what is read on the training pages, under their own access rules (a MASH manager sees
# their own teams there); the dashboard's list links each member of staff to that page.
TRAINING_COLUMNS = (
    Col("id", "Staff member", "id"),
    Col("agency_name", "Agency", "membership__agency__name"),
    Col("role", "Role", choice_label("membership__role", Role.choices)),
    Col("compliant", "Compliant", "compliant"),
    Col("holds_level_3", "Level 3 in date", "holds_level_3"),
    Col("holds_level_2", "Level 2 or 3 in date", "holds_level_2"),
    Col("holds_dash", "DASH in date", "holds_dash"),
)


class TrainingCompliance(Measure):
    key = "training_compliance"
    label = "Staff holding their required training"
    section = QUALITY
    unit = "percent"
    explanation = (
        "Staff working in the partnership now, and how many hold in date every safeguarding course their role "
        "requires, against the partnership's target; by the staff member's agency and team (each month of the "
        "trend: today's staff, as their training stood at its end)."
    )
    url_name = "training-staff"

    def staff(self, scope: Scope) -> QuerySet[User]:
        return staff_in_scope(partnership_id=scope.partnership_id, agency_id=scope.agency_id, team_id=scope.team_id)

    def figure(self, scope: Scope) -> Figure:
        today = today_local()
        staff = staff_with_compliance(self.staff(scope), as_of=today)
        row = Partnership.objects.filter(pk=scope.partnership_id).values(
            "training_target_percent", n=_count_of(self.staff(scope)), m=_count_of(staff.filter(Q(compliant=True)))
        ).first()
        if row is None:
            return Figure(key=self.key, label=self.label, unit="percent", value=None, numerator=0, denominator=0)
        rows = (
            staff.values(bd_agency=F("membership__agency"), bd_name=F("membership__agency__name"))
            .annotate(n=Count("pk"), m=Count("pk", filter=Q(compliant=True)))
            .order_by("bd_name", "bd_agency")
        )
        breakdown = tuple(
            Figure(key=self.key, label=r["bd_name"], unit="percent", value=percent(r["m"], r["n"]), numerator=r["m"],
                   denominator=r["n"], agency_id=r["bd_agency"], target=float(row["training_target_percent"]))
            for r in rows
        )
        return Figure(key=self.key, label=self.label, unit="percent", value=percent(row["m"], row["n"]),
                      numerator=row["m"], denominator=row["n"], breakdown=breakdown,
                      target=float(row["training_target_percent"]))

    def records(self, scope: Scope, part: Part, *, agency_id: int | None = None, group: str = "") -> Drill:
        staff = staff_with_compliance(self.staff(scope), as_of=today_local())
        if agency_id is not None:
            staff = staff.filter(membership__agency_id=agency_id)
        if part == "met":
            staff = staff.filter(Q(compliant=True))
        elif part == "missed":
            staff = staff.filter(Q(compliant=False))
        columns = TRAINING_COLUMNS
        rows = drill_values(staff, columns, "id").order_by("compliant", "agency_name", "last_name", "id")
        return Drill(columns=tuple(Column(c.key, c.label, c.personal) for c in columns), rows=rows,
                     url_name=self.url_name)

    def trend(self, scope: Scope, months: int = 12) -> list[TrendPoint]:
        """Today's staff, as their training stood at the end of each month: the compliance query is built once
        with a placeholder day and run for each month's last day as scalar subqueries of one statement."""
        moments = month_moments(scope.end, months)
        staff_sql, staff_params = self.staff(scope).order_by().values("pk").query.sql_with_params()
        compliant = staff_with_compliance(self.staff(scope), as_of=_AS_OF_PLACEHOLDER).filter(Q(compliant=True))
        sql, params = compliant.order_by().values("pk").query.sql_with_params()
        # Only Django-compiled SQL is interpolated below; every value is a parameter.
        selects = [f"(SELECT COUNT(*) FROM ({staff_sql}) staff)"]  # noqa: S608
        values: list[Any] = list(staff_params)
        for _, at in moments:
            selects.append(f"(SELECT COUNT(*) FROM ({sql}) compliant)")  # noqa: S608
            as_of = day_before(at)
            values.extend(as_of if value == _AS_OF_PLACEHOLDER else value for value in params)
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(selects), values)
            n, *compliant_counts = cursor.fetchone()
        return [TrendPoint(month=month, value=percent(m, n), numerator=m, denominator=n)
                for (month, _), m in zip(moments, compliant_counts, strict=True)]


# A day no training record is dated: stands for each month's last day in the trend's one statement.
_AS_OF_PLACEHOLDER = date(1000, 1, 1)


QUALITY_MEASURES = [Escalations(), DataQuality(), TrainingCompliance()]
