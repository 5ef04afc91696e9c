"""Case-file audit rounds (SPEC 3.5): drawing a round, each agency's review of a sampled case, the moderation,
the actions raised into the improvement plan, and closing the round (which ends the auditors' access).

Every service gathers its field-level errors first and raises before its first write, so nothing is saved
half-way; changes are logged by the database's triggers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Role, User
from audits import rules_rounds as rules
from audits.models import (
    AuditAnswer,
    AuditCase,
    AuditQuestion,
    AuditReview,
    AuditRound,
    Grade,
    ImprovementAction,
    ImprovementPlan,
    ImprovementTheme,
)
from audits.sampling import sample_draw, seed_new
from audits.services_improvement import improvement_action_add
from config.errors import ErrorDict, error_add, errors_raise

STALE = "__all__"


def auditors_of(partnership_id: int) -> list[User]:
    """The partnership's auditors, whom a round may name."""
    return list(
        User.objects.filter(membership__partnership_id=partnership_id, membership__role=Role.AUDITOR, is_active=True)
        .select_related("membership__agency")
        .order_by("last_name", "first_name", "username")
    )


@transaction.atomic
def audit_round_create(
    *,
    partnership_id: int,
    by: User,
    theme: str,
    sample_size: int | None,
    seed: int | None = None,
    auditor_ids: Sequence[int] = (),
    closes_on: date | None = None,
    drawn_at: datetime | None = None,
) -> AuditRound:
    """Draw a round: ``sample_size`` cases with activity in the last 12 months, at random with ``seed`` (a fresh
    one when none is given); all of them when fewer are eligible. The cases keep the draw's order."""
    drawn_at = drawn_at or timezone.now()
    drawn_on = timezone.localdate(drawn_at)
    errors: ErrorDict = {}
    theme = theme.strip()
    if not theme:
        error_add(errors, "theme", "Enter the round's theme, for example domestic abuse.")
    if sample_size is None:
        error_add(errors, "sample_size", "Enter how many cases to sample.")
    elif not rules.SAMPLE_SIZE_MIN <= sample_size <= rules.SAMPLE_SIZE_MAX:
        error_add(errors, "sample_size",
                  f"The sample must be between {rules.SAMPLE_SIZE_MIN} and {rules.SAMPLE_SIZE_MAX} cases.")
    if seed is not None and not 0 <= seed <= rules.SEED_MAX:
        error_add(errors, "seed", f"The seed must be a whole number from 0 to {rules.SEED_MAX}.")
    closes_on = closes_on or rules.closes_on_default(drawn_on)
    if closes_on < drawn_on:
        error_add(errors, "closes_on", "The round must close today or later.")
    wanted = list(dict.fromkeys(auditor_ids))
    auditors = [user for user in auditors_of(partnership_id) if user.pk in wanted]
    if len(auditors) != len(wanted):
        found = {user.pk for user in auditors}
        for pk in wanted:
            if pk not in found:
                error_add(errors, "auditors", f"User {pk} is not an auditor of this partnership.")
    errors_raise(errors)
    assert sample_size is not None  # noqa: S101 - checked above
    seed = seed_new() if seed is None else seed
    case_ids = sample_draw(partnership_id=partnership_id, seed=seed, size=sample_size, drawn_at=drawn_at)
    audit_round = AuditRound.objects.create(
        partnership_id=partnership_id, created_by=by, theme=theme, sample_size=sample_size, seed=seed,
        drawn_at=drawn_at, closes_on=closes_on,
    )
    AuditCase.objects.bulk_create(
        AuditCase(partnership_id=partnership_id, created_by=by, round=audit_round, case_id=case_id, position=n)
        for n, case_id in enumerate(case_ids, start=1)
    )
    audit_round.auditors.set(auditors)
    return audit_round


@dataclass(frozen=True)
class AnswerGiven:
    answer: str
    comment: str = ""


def _stale_review(review: AuditReview) -> str:
    who = review.reviewer.get_full_name() or review.reviewer.get_username()
    return (f"{who} submitted {review.agency.name}'s review since you opened this page. Their answers are shown"
            " below; submit again to replace them with yours.")


@transaction.atomic
def audit_review_submit(
    *,
    audit_case: AuditCase,
    by: User,
    agency: Agency,
    grade: str,
    answers: Mapping[str, AnswerGiven],
    strengths: str = "",
    concerns: str = "",
    version: int = 0,
) -> AuditReview:
    """The agency's review of a sampled case: every question of the tool answered, and a grade. One review per
    agency: submitting again replaces it, unless another reviewer submitted since ``version`` was read (0: no
    review existed)."""
    errors: ErrorDict = {}
    for question in AuditQuestion:
        given = answers.get(question.value)
        if given is None or given.answer not in AuditAnswer.Answer.values:
            error_add(errors, f"answer_{question.value}", f"Answer: {question.label}")
    if grade not in Grade.values:
        error_add(errors, "grade", "Choose the grade for your agency's work on this case.")
    _round_still_open(audit_case, errors, auditors_window=True)
    # The case's row is the lock two reviewers of one agency queue on, so neither overwrites the other unseen.
    AuditCase.objects.select_for_update().filter(pk=audit_case.pk).first()
    current = (AuditReview.objects.filter(audit_case=audit_case, agency=agency)
               .select_related("reviewer", "agency").first())
    if (current.version if current is not None else 0) != version:
        error_add(errors, STALE, _stale_review(current) if current is not None
                  else "The review changed since you opened this page; check it and submit again.")
    errors_raise(errors)
    now = timezone.now()
    if current is None:
        review = AuditReview.objects.create(
            partnership_id=audit_case.partnership_id, created_by=by, audit_case=audit_case, agency=agency,
            reviewer=by, grade=grade, strengths=strengths.strip(), concerns=concerns.strip(), submitted_at=now,
        )
    else:
        review = current
        review.reviewer, review.grade, review.submitted_at = by, grade, now
        review.strengths, review.concerns = strengths.strip(), concerns.strip()
        review.version += 1
        review.save(update_fields=["reviewer", "grade", "strengths", "concerns", "submitted_at", "version",
                                   "updated_at"])
    AuditAnswer.objects.bulk_create(
        [AuditAnswer(partnership_id=audit_case.partnership_id, created_by=by, review=review, question=question,
                     answer=answers[question].answer, comment=answers[question].comment.strip())
         for question in AuditQuestion.values],
        update_conflicts=True, unique_fields=["review", "question"], update_fields=["answer", "comment", "updated_at"],
    )
    return review


def _round_still_open(audit_case: AuditCase, errors: ErrorDict, *, auditors_window: bool) -> None:
    """Lock the case's round (closing it takes the same lock) and refuse the write once it is closed, or, for
    the auditors' reviews, once its closing date has passed: a close landing between the page's check and this
    write still wins."""
    audit_round = AuditRound.objects.select_for_update().get(pk=audit_case.round_id)
    if audit_round.status != AuditRound.Status.OPEN:
        error_add(errors, STALE, "This audit round has closed: nothing more can be recorded in it.")
    elif auditors_window and audit_round.closes_on < timezone.localdate():
        error_add(errors, STALE, "This audit round's closing date has passed: reviews are no longer taken.")


@transaction.atomic
def audit_case_moderate(
    *,
    audit_case: AuditCase,
    by: User,
    grade: str,
    findings: str,
    learning_points: str,
    version: int,
) -> AuditCase:
    """The moderated overall grade of a sampled case, with its findings and learning points."""
    errors: ErrorDict = {}
    if grade not in Grade.values:
        error_add(errors, "moderated_grade", "Choose the moderated overall grade.")
    if not findings.strip():
        error_add(errors, "findings", "Enter the findings: what the audit found in this case.")
    if not learning_points.strip():
        error_add(errors, "learning_points", "Enter the learning points for practitioners.")
    _round_still_open(audit_case, errors, auditors_window=False)
    locked = AuditCase.objects.select_for_update().get(pk=audit_case.pk)
    if locked.version != version:
        moderator = locked.moderated_by
        who = (moderator.get_full_name() or moderator.get_username()) if moderator is not None else "Someone"
        error_add(errors, STALE, f"{who} moderated this case since you opened this page. Their moderation is shown"
                                 " below; submit again to replace it with yours.")
    errors_raise(errors)
    locked.moderated_grade = grade
    locked.findings, locked.learning_points = findings.strip(), learning_points.strip()
    locked.moderated_by, locked.moderated_at = by, timezone.now()
    locked.version += 1
    locked.save(update_fields=["moderated_grade", "findings", "learning_points", "moderated_by", "moderated_at",
                               "version", "updated_at"])
    return locked


def action_themes(partnership_id: int) -> list[ImprovementTheme]:
    """The themes of the partnership's active improvement plans, which an audit's action may be added to."""
    return list(
        ImprovementTheme.objects.filter(plan__partnership_id=partnership_id, plan__status=ImprovementPlan.Status.ACTIVE)
        .select_related("plan")
        .order_by("plan__title", "position", "pk")
    )


@transaction.atomic
def audit_action_raise(
    *,
    audit_case: AuditCase,
    by: User,
    theme_id: int | None,
    description: str,
    owner_agency: Agency | None,
    timescale_months: int | None,
    expected_impact: str,
) -> ImprovementAction:
    """An action the audit of a case found, added to a theme of the partnership's active improvement plan."""
    errors: ErrorDict = {}
    theme = next((t for t in action_themes(audit_case.partnership_id) if t.pk == theme_id), None)
    if theme is None:
        error_add(errors, "theme", "Choose the improvement plan's theme this action belongs to.")
    if owner_agency is None:
        error_add(errors, "owner_agency", "Choose the agency that owns the action.")
    if timescale_months is None:
        error_add(errors, "timescale_months", "Choose 3, 6, 9 or 12 months.")
    if not description.strip():
        error_add(errors, "description", "Enter what will be done.")
    if not expected_impact.strip():
        error_add(errors, "expected_impact", "Enter the difference this action should make for children.")
    errors_raise(errors)
    assert theme is not None and owner_agency is not None and timescale_months is not None  # noqa: S101
    return improvement_action_add(
        user=by, theme=theme, description=description, owner_agency=owner_agency,
        timescale_months=timescale_months, expected_impact=expected_impact,
        audit_round=audit_case.round, audit_case=audit_case,
    )


@transaction.atomic
def audit_round_close(*, audit_round: AuditRound, by: User, summary: str = "") -> AuditRound:
    """Close the round: its auditors' access to the sampled cases ends at once, and its report is published."""
    locked = AuditRound.objects.select_for_update().get(pk=audit_round.pk)
    errors: ErrorDict = {}
    if locked.status == AuditRound.Status.CLOSED:
        error_add(errors, STALE, "This round is already closed.")
    errors_raise(errors)
    locked.status, locked.closed_at = AuditRound.Status.CLOSED, timezone.now()
    if summary.strip():
        locked.summary = summary.strip()
    locked.version += 1
    locked.save(update_fields=["status", "closed_at", "summary", "version", "updated_at"])
    return locked
