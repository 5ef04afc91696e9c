"""Reads of case-file audit rounds (SPEC 3.5): the list, a round with its sample's progress, one sampled case's
reviews and moderation, and the round's report. Each takes a round already fetched through its access helper and
runs a fixed number of queries whatever the sample's size."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from agencies.models import User
from audits import rules_rounds as rules
from audits.models import (
    AuditAnswer,
    AuditCase,
    AuditQuestion,
    AuditReview,
    AuditRound,
    Grade,
    ImprovementAction,
)
from audits.permissions import rounds_visible


def rounds_listed(*, user: User) -> QuerySet[AuditRound]:
    """The rounds the user may open, newest first, with how many cases were drawn and moderated (1 query)."""
    return (
        rounds_visible(user)
        .annotate(
            drawn=Count("cases", distinct=True),
            moderated=Count("cases", filter=~Q(cases__moderated_grade=""), distinct=True),
        )
        .order_by("-drawn_at", "-id")
    )


@dataclass
class CaseProgress:
    audit_case: AuditCase
    reviews: list[AuditReview]

    @property
    def agencies_reviewed(self) -> list[str]:
        return [review.agency.name for review in self.reviews]

    @property
    def status(self) -> str:
        if self.audit_case.moderated_grade:
            return "moderated"
        return "reviewed" if self.reviews else "not_started"


@dataclass
class RoundDetail:
    audit_round: AuditRound
    auditors: list[User]
    cases: list[CaseProgress]

    @property
    def drawn(self) -> int:
        return len(self.cases)

    @property
    def shortfall(self) -> str:
        return rules.sample_shortfall(asked=self.audit_round.sample_size, drawn=self.drawn)

    @property
    def moderated(self) -> int:
        return sum(1 for row in self.cases if row.audit_case.moderated_grade)


def _auditors(audit_round: AuditRound) -> list[User]:
    return list(audit_round.auditors.select_related("membership__agency").order_by("last_name", "first_name"))


def round_detail(*, audit_round: AuditRound) -> RoundDetail:
    """Queries: the auditors (1), the sampled cases with their children (1), their reviews with agencies (1)."""
    cases = list(
        AuditCase.objects.filter(round=audit_round)
        .select_related("case", "case__child")
        .prefetch_related(Prefetch("reviews", AuditReview.objects.select_related("agency").order_by("agency__name")))
        .order_by("position")
    )
    return RoundDetail(audit_round=audit_round, auditors=_auditors(audit_round),
                       cases=[CaseProgress(case, list(case.reviews.all())) for case in cases])


@dataclass
class QuestionAnswers:
    question: str
    label: str
    answers: list[AuditAnswer] = field(default_factory=list)


@dataclass
class AgencyReview:
    review: AuditReview
    answers: list[QuestionAnswers]


@dataclass
class AuditCaseDetail:
    audit_case: AuditCase
    reviews: list[AgencyReview]
    own: AuditReview | None
    actions: list[ImprovementAction]


def audit_case_detail(*, audit_case: AuditCase, agency_id: int | None) -> AuditCaseDetail:
    """Queries: the reviews with agencies and reviewers (1) and their answers (1); the actions raised (1)."""
    reviews = list(
        AuditReview.objects.filter(audit_case=audit_case)
        .select_related("agency", "reviewer")
        .prefetch_related("answers")
        .order_by("agency__name")
    )
    rows = []
    for review in reviews:
        by_question = {answer.question: answer for answer in review.answers.all()}
        rows.append(AgencyReview(review, [
            QuestionAnswers(question.value, question.label,
                            [by_question[question.value]] if question.value in by_question else [])
            for question in AuditQuestion
        ]))
    actions = list(
        ImprovementAction.objects.filter(audit_case=audit_case).select_related("theme", "owner_agency")
        .order_by("pk")
    )
    own = next((review for review in reviews if review.agency_id == agency_id), None)
    return AuditCaseDetail(audit_case=audit_case, reviews=rows, own=own, actions=actions)


@dataclass
class QuestionTally:
    question: str
    label: str
    tallies: list[rules.Tally]


@dataclass
class AgencyGrades:
    agency: str
    tallies: list[rules.Tally]


@dataclass
class ReportCase:
    label: str
    moderated_grade: str
    findings: str
    learning_points: str


@dataclass
class RoundReport:
    audit_round: AuditRound
    drawn: int
    moderated: list[rules.Tally]
    by_agency: list[AgencyGrades]
    questions: list[QuestionTally]
    cases: list[ReportCase]
    actions: list[ImprovementAction]


def round_report(*, audit_round: AuditRound) -> RoundReport:
    """The round's report, naming no child: cases are called by their place in the draw.

    Queries, each counted in the database: the cases' moderation (1), the agencies' grades (1), the answers per
    question (1), the actions raised (1).
    """
    cases = list(
        AuditCase.objects.filter(round=audit_round)
        .order_by("position")
        .values("position", "moderated_grade", "findings", "learning_points")
    )
    grade_labels = dict(Grade.choices)
    moderated_counts: dict[str, int] = {}
    for row in cases:
        if row["moderated_grade"]:
            moderated_counts[row["moderated_grade"]] = moderated_counts.get(row["moderated_grade"], 0) + 1
    agency_rows = (
        AuditReview.objects.filter(audit_case__round=audit_round)
        .values("agency__name", "grade")
        .annotate(count=Count("pk"))
        .order_by("agency__name")
    )
    per_agency: dict[str, dict[str, int]] = {}
    for graded in agency_rows:
        per_agency.setdefault(graded["agency__name"], {})[graded["grade"]] = graded["count"]
    answer_rows = (
        AuditAnswer.objects.filter(review__audit_case__round=audit_round)
        .values("question", "answer")
        .annotate(count=Count("pk"))
        .order_by()
    )
    per_question: dict[str, dict[str, int]] = {}
    for answered in answer_rows:
        per_question.setdefault(answered["question"], {})[answered["answer"]] = answered["count"]
    actions = list(
        ImprovementAction.objects.filter(audit_round=audit_round)
        .select_related("theme", "owner_agency", "audit_case")
        .order_by("audit_case__position", "pk")
    )
    return RoundReport(
        audit_round=audit_round,
        drawn=len(cases),
        moderated=rules.tallies(moderated_counts, Grade.choices),
        by_agency=[AgencyGrades(name, rules.tallies(counts, Grade.choices)) for name, counts in per_agency.items()],
        questions=[QuestionTally(q.value, q.label, rules.tallies(per_question.get(q.value, {}),
                                                                  AuditAnswer.Answer.choices))
                   for q in AuditQuestion],
        cases=[ReportCase(rules.case_label(row["position"]), grade_labels.get(row["moderated_grade"], ""),
                          row["findings"], row["learning_points"]) for row in cases],
        actions=actions,
    )
