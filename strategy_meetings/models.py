"""Strategy discussions (SPEC 3.4): convened when the threshold for section 47 enquiries is met."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cases.models import CaseRecord, Person


class StrategyMeeting(CaseRecord):
    """A strategy meeting (or a series of calls) for one or more children."""

    class Status(models.TextChoices):
        DUE = "due", "Due"
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CONSIDERED_NOT_HELD = "considered_not_held", "Considered, not held"
        CANCELLED = "cancelled", "Cancelled"

    # The referral whose decision convened it, if any.
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="strategy_meetings")
    reason = models.TextField(help_text="Why the threshold was reached")
    threshold_met_at = models.DateTimeField()
    # threshold_met_at plus the partnership's setting (24 hours by default).
    due_by = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DUE)

    class Meta:
        ordering = ["due_by"]
        constraints = [
            models.CheckConstraint(condition=Q(due_by__gt=models.F("threshold_met_at")),
                                   name="strategy_meeting_due_after_threshold"),
            models.CheckConstraint(condition=~Q(reason=""), name="strategy_meeting_has_reason"),
        ]
        indexes = [
            # The strategy-meeting-not-held chaser.
            models.Index(fields=["due_by"], condition=Q(status__in=["due", "scheduled"]),
                         name="strategy_meeting_open_idx"),
        ]

    def __str__(self) -> str:
        return f"Strategy meeting {self.pk}"


class StrategyMeetingChild(CaseRecord):
    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="strategy_meeting_appearances")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "child"], name="strategy_meeting_child_once")]
        indexes = [models.Index(fields=["child"], name="strategy_meeting_child_idx")]
