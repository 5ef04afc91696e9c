"""Strategy discussions (SPEC 3.4): convened when the threshold for section 47 enquiries is met."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency
from cases.models import CaseRecord, Person


class StrategyMeeting(CaseRecord):
    """A strategy meeting (or a series of calls) for one or more children."""

    class Status(models.TextChoices):
        DUE = "due", "Due"
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CONSIDERED_NOT_HELD = "considered_not_held", "Considered, not held"
        CANCELLED = "cancelled", "Cancelled"

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        SECTION_47_SINGLE_AGENCY = "section_47_single_agency", "Section 47 enquiry (single agency)"
        SECTION_47_JOINT = "section_47_joint", "Section 47 enquiry (joint with police)"
        CHILD_AND_FAMILY_ASSESSMENT = "child_and_family_assessment", "Child and family assessment"
        FURTHER_STRATEGY_MEETING = "further_strategy_meeting", "Further strategy meeting"
        IMMEDIATE_PROTECTION = "immediate_protection", "Immediate protection"

    # The referral whose decision convened it, if any.
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="strategy_meetings")
    reason = models.TextField(help_text="Why the threshold was reached")
    threshold_met_at = models.DateTimeField()
    # threshold_met_at plus the partnership's setting (24 hours by default).
    due_by = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DUE)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="strategy_meetings_chaired")
    scheduled_for = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    # Why the meeting went ahead although a required agency neither attended nor sent information.
    missing_agency_reason = models.TextField(blank=True)
    # Initial child protection conference due by: 15 working days after a meeting deciding on section 47.
    icpc_due_by = models.DateField("initial child protection conference due by", null=True, blank=True)
    # When the initial child protection conference is booked for, once children's social care books it.
    icpc_at = models.DateTimeField("initial child protection conference booked for", null=True, blank=True)
    minutes = models.TextField(blank=True)
    minutes_distributed_at = models.DateTimeField(null=True, blank=True)
    # Considered but not held: why not, and what was done instead.
    not_held_rationale = models.TextField(blank=True)
    not_held_instead = models.TextField(blank=True)

    class Meta:
        ordering = ["due_by"]
        constraints = [
            models.CheckConstraint(condition=Q(due_by__gt=models.F("threshold_met_at")),
                                   name="strategy_meeting_due_after_threshold"),
            models.CheckConstraint(condition=~Q(reason=""), name="strategy_meeting_has_reason"),
            models.CheckConstraint(
                condition=~Q(status="held") | (Q(held_at__isnull=False) & ~Q(outcome="")),
                name="strategy_meeting_held_has_time_and_outcome",
            ),
            models.CheckConstraint(condition=~Q(status="considered_not_held") | ~Q(not_held_rationale=""),
                                   name="strategy_meeting_not_held_has_rationale"),
            models.CheckConstraint(condition=~Q(status="scheduled") | Q(scheduled_for__isnull=False),
                                   name="strategy_meeting_scheduled_has_time"),
            models.CheckConstraint(
                condition=Q(icpc_due_by__isnull=True)
                | Q(outcome__in=["section_47_single_agency", "section_47_joint"]),
                name="strategy_meeting_icpc_only_for_s47",
            ),
            models.CheckConstraint(condition=Q(minutes_distributed_at__isnull=True) | Q(status="held"),
                                   name="strategy_meeting_minutes_after_held"),
            models.CheckConstraint(condition=Q(icpc_at__isnull=True) | Q(icpc_due_by__isnull=False),
                                   name="strategy_meeting_icpc_booked_after_s47"),
        ]
        indexes = [
            # The strategy-meeting-not-held chaser.
            models.Index(fields=["due_by"], condition=Q(status__in=["due", "scheduled"]),
                         name="strategy_meeting_open_idx"),
            # The minutes-not-distributed chaser: held meetings whose minutes have not gone out.
            models.Index(fields=["held_at"], condition=Q(status="held", minutes_distributed_at__isnull=True),
                         name="strategy_meeting_minutes_idx"),
            # The conference-date-not-set chaser: section 47 decided, no conference booked.
            models.Index(fields=["held_at"], condition=Q(icpc_due_by__isnull=False, icpc_at__isnull=True),
                         name="strategy_icpc_unset_idx"),
            # The invited-agency-silent chaser: meetings about to happen (scheduled_for within 4 hours).
            models.Index(fields=["scheduled_for"], condition=Q(status="scheduled"),
                         name="strategy_meeting_scheduled_idx"),
        ]

    def __str__(self) -> str:
        return f"Strategy meeting {self.pk}"


# A meeting still to be held: it can be organised, contributed to and chased.
OPEN_STATUSES = (StrategyMeeting.Status.DUE, StrategyMeeting.Status.SCHEDULED)


class StrategyMeetingChild(CaseRecord):
    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="strategy_meeting_appearances")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "child"], name="strategy_meeting_child_once")]
        indexes = [models.Index(fields=["child"], name="strategy_meeting_child_idx")]


class Invitation(CaseRecord):
    """An agency asked to the meeting; required (CSC, police, health) or proposed from the records."""

    class Response(models.TextChoices):
        ATTENDED = "attended", "Attended"
        SENT_INFORMATION = "sent_information", "Sent information"
        APOLOGIES = "apologies", "Apologies"
        NO_RESPONSE = "no_response", "No response"

    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="strategy_meeting_invitations")
    required = models.BooleanField(default=False)
    proposed_because = models.TextField(blank=True)
    # Blank until the agency contributes or the meeting records its attendance.
    response = models.CharField(max_length=20, choices=Response.choices, blank=True)
    invited_at = models.DateTimeField()

    class Meta:
        ordering = ["-required", "agency__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="strategy_invitation_once"),
        ]
        indexes = [
            # An agency's work list: the meetings it is invited to (agency first, then the meeting).
            models.Index(fields=["agency", "meeting"], name="strategy_invitation_agency_idx"),
            # The invited-agency-silent chaser: invitations with neither contribution nor attendance.
            models.Index(fields=["meeting"], condition=Q(response__in=["", "no_response"]),
                         name="strategy_invitation_silent_idx"),
        ]


class Contribution(CaseRecord):
    """What an invited agency knows, sent before or at the meeting."""

    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="strategy_meeting_contributions")
    information = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(information=""), name="strategy_contribution_has_text")]
        indexes = [
            # The meeting page's contributions per agency, and "has this agency contributed?" when holding.
            models.Index(fields=["meeting", "agency"], name="strategy_contribution_idx"),
        ]


class Action(CaseRecord):
    """An action agreed at the meeting, owned by an agency (and a person in it)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="strategy_meeting_actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="strategy_meeting_actions")
    due_by = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_by", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="strategy_action_has_description"),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(done_at__isnull=True)) | (Q(status="done") & Q(done_at__isnull=False)),
                name="strategy_action_done_has_time",
            ),
        ]
        indexes = [
            # The meeting-action-overdue chaser: open actions by due date.
            models.Index(fields=["due_by"], condition=Q(status="open"), name="strategy_action_open_idx"),
            # An agency's work list: its open actions.
            models.Index(fields=["owner_agency", "due_by"], condition=Q(status="open"),
                         name="strategy_action_agency_idx"),
        ]


class MinutesDistribution(CaseRecord):
    """The minutes (with the actions) went to this invited agency, at this time: once per agency."""

    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="distributions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="strategy_minutes_received")
    distributed_at = models.DateTimeField()

    class Meta:
        ordering = ["agency__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="strategy_minutes_once_per_agency"),
        ]
        indexes = [
            # An agency's work list: the minutes it has received (agency first).
            models.Index(fields=["agency", "distributed_at"], name="strategy_minutes_agency_idx"),
        ]


# Object permissions granted to agency groups, in direct-foreign-key tables (django-guardian).
class StrategyMeetingGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE)


class StrategyMeetingUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE)
