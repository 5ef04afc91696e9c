"""The access log: who saw or changed which record, and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


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
