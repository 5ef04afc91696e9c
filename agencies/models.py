"""Partnerships, agencies, people who work for them, and what the system tells them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models import Q


class Partnership(models.Model):
    """A local safeguarding partnership area: the tenant every case record belongs to."""

    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, unique=True, help_text="Local-authority code")
    strategy_meeting_due_hours = models.PositiveSmallIntegerField(default=24)
    dash_medium_from = models.PositiveSmallIntegerField(default=10)
    dash_high_from = models.PositiveSmallIntegerField(default=14)
    training_target_percent = models.PositiveSmallIntegerField(default=90)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dash_medium_from__lt=models.F("dash_high_from")),
                name="partnership_dash_bands_ordered",
            ),
            models.CheckConstraint(
                condition=Q(training_target_percent__lte=100), name="partnership_training_target_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClosureDay(models.Model):
    """A day the partnership's offices are closed beyond bank holidays (e.g. a Christmas shutdown)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["partnership", "date"], name="closure_day_once")]

    def __str__(self) -> str:
        return f"{self.date}: {self.reason}"


class Agency(models.Model):
    class Kind(models.TextChoices):
        CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        PROBATION = "probation", "Probation"
        YOUTH_JUSTICE = "youth_justice", "Youth justice"
        CAFCASS = "cafcass", "Cafcass"
        HOUSING = "housing", "Housing"
        EARLY_HELP = "early_help", "Early help"
        ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
        VOLUNTARY = "voluntary", "Voluntary sector"

    class HealthKind(models.TextChoices):
        GP = "gp", "GP practice"
        HEALTH_VISITING = "health_visiting", "Health visiting"
        MIDWIFERY = "midwifery", "Midwifery"
        SCHOOL_NURSING = "school_nursing", "School nursing"
        EMERGENCY_DEPARTMENT = "emergency_department", "Emergency department"
        ADULT_MENTAL_HEALTH = "adult_mental_health", "Adult mental health"
        CAMHS = "camhs", "CAMHS"
        SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"

    class ReferralSource(models.TextChoices):
        """Children in Need census referral-source codes."""

        INDIVIDUAL_FAMILY = "1A", "Individual: family member, relative or carer"
        INDIVIDUAL_ACQUAINTANCE = "1B", "Individual: acquaintance"
        INDIVIDUAL_SELF = "1C", "Individual: self"
        INDIVIDUAL_OTHER = "1D", "Individual: other"
        SCHOOLS = "2A", "Schools"
        EDUCATION_SERVICES = "2B", "Education services"
        HEALTH_GP = "3A", "Health services: GP"
        HEALTH_VISITOR = "3B", "Health services: health visitor"
        HEALTH_SCHOOL_NURSE = "3C", "Health services: school nurse"
        HEALTH_OTHER_PRIMARY = "3D", "Health services: other primary health services"
        HEALTH_A_AND_E = "3E", "Health services: A&E"
        HEALTH_OTHER = "3F", "Health services: other"
        HOUSING = "4", "Housing"
        LA_SOCIAL_CARE = "5A", "Local authority services: social care"
        LA_OTHER_INTERNAL = "5B", "Local authority services: other internal"
        LA_EXTERNAL = "5C", "Local authority services: external"
        LA_EARLY_HELP = "5D", "Local authority services: early help"
        POLICE = "6", "Police"
        OTHER_LEGAL = "7", "Other legal agency"
        OTHER = "8", "Other"
        ANONYMOUS = "9", "Anonymous"
        UNKNOWN = "10", "Unknown"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    health_kind = models.CharField(max_length=30, choices=HealthKind.choices, blank=True)
    partnerships = models.ManyToManyField(Partnership, related_name="agencies")
    referral_source_code = models.CharField(max_length=2, choices=ReferralSource.choices, blank=True)
    # Object permissions are granted to this group, never to individual users (SPEC 6).
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["name"], name="agency_name_unique"),
            models.CheckConstraint(
                condition=Q(kind="health") | Q(health_kind=""), name="agency_health_kind_only_for_health"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class User(AbstractUser):
    """A person who signs in. What they may do comes from their membership."""

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    MASH_PRACTITIONER = "mash_practitioner", "MASH practitioner"
    MASH_MANAGER = "mash_manager", "MASH manager"
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


class Membership(models.Model):
    """Where a user works and in what role: one agency, one role, one line manager."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    # The partnership the user works in; for an agency serving several, the user's own area.
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    line_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(condition=~Q(line_manager=models.F("user")), name="membership_not_own_manager"),
        ]
        indexes = [
            # The chase ladder's "senior manager of this agency" look-up.
            models.Index(fields=["agency", "role"], name="membership_agency_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.agency})"


class TrainingRecord(models.Model):
    class Course(models.TextChoices):
        SAFEGUARDING_L1 = "safeguarding_l1", "Safeguarding children level 1"
        SAFEGUARDING_L2 = "safeguarding_l2", "Safeguarding children level 2"
        SAFEGUARDING_L3 = "safeguarding_l3", "Safeguarding children level 3"
        DASH = "dash", "DASH risk assessment"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=30, choices=Course.choices)
    completed_on = models.DateField()
    expires_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gt=models.F("completed_on")), name="training_expires_after"),
        ]
        indexes = [
            # The training-expired chaser: latest record per (user, course) by expiry.
            models.Index(fields=["user", "course", "-expires_on"], name="training_user_course_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_course_display()} ({self.completed_on})"


class Chase(models.Model):
    """One reminder or escalation of one overdue item, at one level of the ladder.

    The unique constraint is what makes a reminder go out once: a second sweep, or two
    sweeps at once, insert the same (subject, rule, level) and the database refuses it.
    """

    rule = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    level = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="chases_received"
    )
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "rule", "level"], name="chase_once_per_level"
            ),
            models.CheckConstraint(condition=Q(level__gte=1), name="chase_level_from_one"),
        ]
        indexes = [
            # A rule's sweep loads what it has already sent for its open items.
            models.Index(fields=["rule", "subject_id"], name="chase_rule_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} level {self.level} for {self.subject_type} {self.subject_id}"


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    message = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    level = models.PositiveSmallIntegerField(default=0, help_text="Escalation level; 0 for a plain notification")
    chase = models.ForeignKey(Chase, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications")
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox page and GET /api/v1/notifications/: a user's newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            # The header badge: a user's unread count, on every page.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
            # E-mail delivery sweep: what has not been e-mailed yet.
            models.Index(fields=["created_at"], condition=Q(emailed_at__isnull=True), name="notification_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient}"


class Draft(models.Model):
    """What a user has typed into a long form and not yet saved (SPEC 7.4: nothing typed is ever lost).

    One per author and form: ``key`` names the form and the record it is about ("voice:12", agencies.drafts.key).
    The form's own page saves it as the user types and offers it back; only its author ever sees it, and only
    through that page, after the page's own access checks. Saving the record removes it. Its changes are in the
    access log (agencies migration 0003), without the typed text, which stays here only.
    """

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, null=True, related_name="+")
    key = models.CharField(max_length=120)
    # The form's own address, for the home page's list of unfinished drafts.
    url = models.CharField(max_length=300)
    # The form's fields as posted: {"name": ["value", ...]}, the page's CSRF token left out.
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["author", "key"], name="draft_one_per_author_and_form")]

    def __str__(self) -> str:
        return f"draft {self.key} by {self.author_id}"
