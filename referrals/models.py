"""The front door (SPEC 3.3): contacts and referrals, MASH triage, agency checks, decisions, feedback to the
referrer and escalations when an agency disagrees."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency
from cases.models import Case, CaseRecord, Incident, InformationShare, Person


class Referral(CaseRecord):
    """A contact or referral about one or more children, from any agency or member of the public."""

    class Status(models.TextChoices):
        AWAITING_DECISION = "awaiting_decision", "Awaiting decision"
        # Decided, and the referrer not yet told (the decision-not-fed-back chaser).
        DECIDED = "decided", "Decided, not fed back"
        FED_BACK = "fed_back", "Decided and fed back"

    class Urgency(models.TextChoices):
        IMMEDIATE = "immediate", "Immediate: a child may be at risk of harm today"
        URGENT = "urgent", "Urgent"
        STANDARD = "standard", "Standard"

    class Category(models.TextChoices):
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
        PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
        SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
        EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
        NEGLECT = "neglect", "Neglect"
        PARENTAL_MENTAL_HEALTH = "parental_mental_health", "Parental mental health"
        PARENTAL_SUBSTANCE_MISUSE = "parental_substance_misuse", "Parental substance misuse"
        EXPLOITATION = "exploitation", "Sexual or criminal exploitation"
        GOING_MISSING = "going_missing", "Going missing"
        OTHER = "other", "Other"

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    class Consent(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        NOT_SOUGHT = "not_sought", "Not sought"

    received_at = models.DateTimeField()
    referrer_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals_made")
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True, help_text="Telephone or e-mail")
    # The Children in Need census referral source, from the agency unless the referral says otherwise.
    source_code = models.CharField(max_length=2, choices=Agency.ReferralSource.choices, blank=True)
    concerns = models.TextField()
    categories = ArrayField(models.CharField(max_length=30, choices=Category.choices), default=list, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.STANDARD)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals")
    family_told = models.TextField("what the family was told", blank=True)
    consent = models.CharField(max_length=12, choices=Consent.choices)
    # Without consent: why (SPEC 6: risk of significant harm, or asking would increase the risk).
    consent_reason = models.TextField(blank=True)
    lawful_basis = models.CharField(max_length=20, choices=InformationShare.LawfulBasis.choices,
                                    default=InformationShare.LawfulBasis.PUBLIC_TASK)
    # One working day from receipt, on the partnership's calendar.
    decision_due_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_DECISION)
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices, blank=True)
    rag_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    allocated_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="referrals_allocated")

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=Q(consent="given") | ~Q(consent_reason=""),
                                   name="referral_without_consent_has_reason"),
            models.CheckConstraint(condition=~Q(concerns=""), name="referral_has_concerns"),
            models.CheckConstraint(condition=Q(decision_due_at__gt=models.F("received_at")),
                                   name="referral_due_after_receipt"),
        ]
        indexes = [
            # The triage queue and the referral-decision chaser: what waits for a decision, by deadline.
            models.Index(fields=["partnership", "decision_due_at"], condition=Q(status="awaiting_decision"),
                         name="referral_awaiting_idx"),
            # A referring agency's own referrals, newest first.
            models.Index(fields=["referrer_agency", "-received_at"], name="referral_referrer_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}"


class ReferralChild(CaseRecord):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referral_appearances")
    # Referred before in the 12 months up to this referral's receipt.
    repeat = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "child"], name="referral_child_once")]
        # Repeat referrals: a child's earlier referrals.
        indexes = [models.Index(fields=["child"], name="referral_child_child_idx")]


class AgencyCheck(CaseRecord):
    """The MASH asks an agency what it knows about the children of a referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="checks")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="checks_received")
    question = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # Sharing the referral onward without the family's consent needs a manager's authorisation (SPEC 6).
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    information = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "agency"], condition=Q(answered_at__isnull=True),
                                    name="agency_check_open_once"),
            models.CheckConstraint(condition=Q(due_at__gt=models.F("requested_at")), name="agency_check_due_later"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | (~Q(information="") & Q(answered_by__isnull=False)),
                name="agency_check_answer_complete",
            ),
        ]
        indexes = [
            # An agency's inbox of checks, and the agency-check-unanswered chaser.
            models.Index(fields=["agency", "due_at"], condition=Q(answered_at__isnull=True),
                         name="agency_check_open_idx"),
            models.Index(fields=["due_at"], condition=Q(answered_at__isnull=True), name="agency_check_due_idx"),
        ]


class Decision(CaseRecord):
    """A MASH manager's decision on a referral, with the rationale (SPEC 3.3)."""

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        ADVICE_SIGNPOSTING = "advice_signposting", "Advice and signposting"
        EARLY_HELP = "early_help", "Early help"
        CHILD_AND_FAMILY_ASSESSMENT = "child_and_family_assessment", "Child and family assessment (section 17)"
        STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion (section 47)"
        IMMEDIATE_PROTECTION = "immediate_protection", "Immediate protection"
        ALREADY_OPEN = "already_open", "Already open to children's social care"

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    cases = models.ManyToManyField(Case, blank=True, related_name="referral_decisions",
                                   help_text="The children's cases the decision opened, moved or linked")

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(rationale=""), name="decision_has_rationale")]
        # The decision-not-fed-back chaser reads decisions of referrals in status "decided".
        indexes = [models.Index(fields=["decided_at"], name="decision_decided_at_idx")]


class Feedback(CaseRecord):
    """That, when and how the referrer was told the decision."""

    class Method(models.TextChoices):
        PHONE = "phone", "Telephone"
        SECURE_EMAIL = "secure_email", "Secure e-mail"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"
        MEETING = "meeting", "At a meeting"

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="feedback")
    method = models.CharField(max_length=20, choices=Method.choices)
    shared_at = models.DateTimeField()
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)


class Escalation(CaseRecord):
    """A professional disagreement with a decision, climbing the stages until it is resolved."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        # The last stage (the partnership) gave its final answer without agreement.
        CONCLUDED = "concluded", "Concluded by the partnership"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="escalations")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="escalations_raised")
    raised_at = models.DateTimeField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    stage = models.PositiveSmallIntegerField(default=1)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["referral"], condition=Q(status="open"), name="escalation_open_once"),
            models.CheckConstraint(condition=Q(stage__gte=1, stage__lte=4), name="escalation_stage_1_to_4"),
            models.CheckConstraint(condition=~Q(reason=""), name="escalation_has_reason"),
            models.CheckConstraint(condition=Q(status="open") | Q(closed_at__isnull=False),
                                   name="escalation_closed_has_date"),
        ]


class EscalationStage(CaseRecord):
    """One stage of an escalation: 1 practitioner, 2 line manager, 3 senior manager, 4 partnership."""

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        ESCALATE = "escalate", "Escalated to the next stage"
        # Not answered by its deadline: the next stage opened on its own.
        TIMED_OUT = "timed_out", "Not answered in time; escalated"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField()
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="escalation_stages")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "number"], name="escalation_stage_once"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=4), name="escalation_stage_number"),
            models.CheckConstraint(condition=Q(outcome="") | Q(responded_at__isnull=False),
                                   name="escalation_stage_outcome_has_time"),
        ]
        indexes = [
            # The escalation-stage-unanswered chaser.
            models.Index(fields=["due_at"], condition=Q(outcome=""), name="escalation_stage_open_idx"),
        ]


# Object permissions granted to agency groups, in direct-foreign-key tables (django-guardian).
class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferralUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)
