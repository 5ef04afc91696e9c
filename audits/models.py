"""The access log: who saw or changed which record, and when."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from cases.models import CaseRecord


class AccessLogEntry(models.Model):
    """One view of, or change to, a record holding personal data.

    Append-only: a trigger (migration 0002) refuses UPDATE and DELETE. Views are
    written by the access helpers; changes by a trigger on each logged table, so a
    bulk ``.update()`` or raw SQL is logged too.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        SEARCH = "search", "Searched"
        DOWNLOAD = "download", "Downloaded"
        BREAK_GLASS = "break_glass", "Opened a restricted record"

    at = models.DateTimeField(db_default=Now())
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, null=True, related_name="+")
    partnership = models.ForeignKey("agencies.Partnership", on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    record_type = models.CharField(max_length=40)
    record_id = models.BigIntegerField(null=True)
    # For changes: {"field": [before, after]}; for a search, what was searched for.
    fields = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # A record's history page and GET /api/v1/access-log/?record_type=&record_id=.
            models.Index(fields=["record_type", "record_id", "-at"], name="accesslog_record_idx"),
            # "What has this user looked at?" for managers investigating misuse.
            models.Index(fields=["user", "-at"], name="accesslog_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username or 'system'} {self.action} {self.record_type} {self.record_id}"


class Grade(models.TextChoices):
    """Ofsted's four grades, used for each agency's grade and the moderated grade of an audited case."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class AuditQuestion(models.TextChoices):
    """The multi-agency audit tool (SPEC 3.5): one answer per question from each agency that worked the case."""

    THRESHOLD = "threshold", "Was the threshold applied in time, and was it the right decision?"
    CHECKS = "checks", "Were the right agency checks asked for and answered?"
    STRATEGY_MEETING = "strategy_meeting", "Was a strategy meeting held, with the right agencies?"
    VOICE = "voice", "Is the child's voice heard, and did it change what was done?"
    CHRONOLOGY = "chronology", "Is the chronology current, showing the pattern and not single incidents?"
    RISK = "risk", "Was the risk analysed, not just described?"
    PLAN = "plan", "Is the plan specific, with actions, owners and dates?"
    ESCALATION = "escalation", "Was escalation used where agencies disagreed?"
    IMPACT = "impact", "Is the child safer, and is there evidence of it?"


class AuditRound(CaseRecord):
    """A case-file audit round: a theme, a random sample of cases drawn with a recorded seed, its auditors.

    Auditors read the sampled cases only, and only while the round is open.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    theme = models.CharField(max_length=200)
    sample_size = models.PositiveSmallIntegerField()
    # The seed the sample was drawn with: the same seed over the same cases draws the same sample.
    seed = models.BigIntegerField()
    # Cases with activity in the 12 months before this moment were eligible.
    drawn_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closes_on = models.DateField(help_text="When the round is due to close; auditors' access ends when it closes")
    closed_at = models.DateTimeField(null=True, blank=True)
    auditors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="audit_rounds")
    summary = models.TextField(blank=True, help_text="The round's overall findings, for the report")

    class Meta:
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sample_size__gte=1) & Q(sample_size__lte=100),
                                   name="audit_round_sample_size_range"),
            models.CheckConstraint(
                condition=(Q(status="closed", closed_at__isnull=False) | Q(status="open", closed_at__isnull=True)),
                name="audit_round_closed_has_time",
            ),
            models.CheckConstraint(condition=~Q(theme=""), name="audit_round_has_theme"),
        ]

    def __str__(self) -> str:
        return f"{self.theme} audit ({self.drawn_at:%B %Y})"


class AuditCase(CaseRecord):
    """One case drawn into a round, with its moderated grade, findings and learning points."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="cases")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="audits")
    # The order the draw produced (1 is the first drawn).
    position = models.PositiveSmallIntegerField()
    moderated_grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    findings = models.TextField(blank=True)
    learning_points = models.TextField(blank=True)

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "case"], name="audit_case_once_per_round"),
            models.UniqueConstraint(fields=["round", "position"], name="audit_case_position_once"),
            models.CheckConstraint(
                condition=(Q(moderated_grade="", moderated_at__isnull=True)
                           | (~Q(moderated_grade="") & Q(moderated_at__isnull=False))),
                name="audit_case_moderated_has_time",
            ),
        ]
        indexes = [
            # The auditor's access check: is this case sampled into an open round of theirs?
            models.Index(fields=["case"], name="audit_case_case_idx"),
        ]


class AuditReview(CaseRecord):
    """One agency's review of an audited case: the tool's answers (``AuditAnswer``) and the agency's grade."""

    audit_case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="reviews")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="audit_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=30, choices=Grade.choices)
    strengths = models.TextField(blank=True)
    concerns = models.TextField(blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["audit_case", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["audit_case", "agency"], name="audit_review_once_per_agency"),
        ]


class AuditAnswer(CaseRecord):
    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    review = models.ForeignKey(AuditReview, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=30, choices=AuditQuestion.choices)
    answer = models.CharField(max_length=20, choices=Answer.choices)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["review", "question"]
        constraints = [
            models.UniqueConstraint(fields=["review", "question"], name="audit_answer_once_per_question"),
        ]


class ImprovementPlan(CaseRecord):
    """A partnership's improvement action plan: themes, actions due at 3, 6, 9 or 12 months, quarterly progress."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    # The 3/6/9/12-month timescales count from here.
    starts_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="improvement_plan_has_title")]

    def __str__(self) -> str:
        return self.title


class ImprovementTheme(CaseRecord):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "title"], name="improvement_theme_once_per_plan"),
            models.CheckConstraint(condition=~Q(title=""), name="improvement_theme_has_title"),
        ]

    def __str__(self) -> str:
        return self.title


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ImprovementAction(CaseRecord):
    """An action of an improvement plan, owned by an agency, due at 3, 6, 9 or 12 months from the plan's start."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    class Timescale(models.IntegerChoices):
        THREE = 3, "3 months"
        SIX = 6, "6 months"
        NINE = 9, "9 months"
        TWELVE = 12, "12 months"

    theme = models.ForeignKey(ImprovementTheme, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="improvement_actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="improvement_actions")
    timescale_months = models.PositiveSmallIntegerField(choices=Timescale.choices)
    due_on = models.DateField()
    expected_impact = models.TextField()
    # The latest quarterly update's RAG status; red until a first update says otherwise.
    rag = models.CharField("RAG status", max_length=5, choices=Rag.choices, default=Rag.RED)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    # Where the action came from, when an audit found it.
    audit_round = models.ForeignKey(AuditRound, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="improvement_actions")
    audit_case = models.ForeignKey(AuditCase, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="improvement_actions")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="improvement_action_has_description"),
            models.CheckConstraint(condition=~Q(expected_impact=""), name="improvement_action_has_impact"),
            models.CheckConstraint(condition=Q(timescale_months__in=[3, 6, 9, 12]),
                                   name="improvement_action_timescale"),
            models.CheckConstraint(
                condition=(Q(status="open", done_at__isnull=True) | Q(status="done", done_at__isnull=False)),
                name="improvement_action_done_has_time",
            ),
        ]
        indexes = [
            # The improvement-action-overdue chaser.
            models.Index(fields=["due_on"], condition=Q(status="open"), name="improvement_action_open_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class ProgressUpdate(CaseRecord):
    """A quarterly progress update on an improvement action, with its evidence and RAG status."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="updates")
    # The first day of the quarter the update reports on.
    quarter_starts_on = models.DateField()
    rag = models.CharField("RAG status", max_length=5, choices=Rag.choices)
    progress = models.TextField()
    evidence = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["action", "-quarter_starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["action", "quarter_starts_on"], name="progress_update_once_per_quarter"),
            models.CheckConstraint(condition=~Q(progress=""), name="progress_update_has_progress"),
            models.CheckConstraint(condition=~Q(evidence=""), name="progress_update_has_evidence"),
        ]


class DashboardSnapshot(models.Model):
    """A dashboard's figures and trends for one scope, as computed at ``computed_at`` (``audits.snapshots``).

    Over a decade of a large partnership's records the measures take seconds to compute; the dashboard shows
    the snapshot, which beat keeps fresh for every scope viewed lately (SPEC 7.1).
    """

    # "partnership:start:end:agency:team" (``audits.snapshots.scope_key``)
    key = models.CharField(max_length=100, unique=True)
    partnership = models.ForeignKey("agencies.Partnership", on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    viewed_at = models.DateTimeField()
    # {measure key: Figure as JSON}, {measure key: [TrendPoint as JSON]} (a month as an ISO date)
    figures = models.JSONField(encoder=DjangoJSONEncoder)
    trends = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        indexes = [models.Index(fields=["viewed_at"], name="dashboard_snapshot_viewed_idx")]

    def __str__(self) -> str:
        return f"Dashboard snapshot {self.key} at {self.computed_at:%Y-%m-%d %H:%M}"
