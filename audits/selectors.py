from __future__ import annotations

from django.db.models import QuerySet

from agencies.models import User
from audits.models import AccessLogEntry
from audits.records import record_type_get


def record_history(*, user: User, record_type: str, record_id: int) -> tuple[str, QuerySet[AccessLogEntry]]:
    """Who viewed and changed a record, newest first (accesslog_record_idx).

    Raises Http404/PermissionDenied through the record type's own check.
    """
    label = record_type_get(record_type).history_check(user, record_id)
    entries = (
        AccessLogEntry.objects.filter(record_type=record_type, record_id=record_id)
        .select_related("agency")
        .order_by("-at", "-id")
    )
    return label, entries
