"""Writes to the access log made by the application (reads, searches, downloads).

Changes are logged by the database itself (audits.db); these are the accesses the
database cannot see.
"""

from __future__ import annotations

from typing import Any

from agencies.models import User
from audits.models import AccessLogEntry


def access_record(
    *,
    user: User,
    action: str,
    record_type: str,
    record_id: int | None,
    partnership_id: int | None = None,
    fields: dict[str, Any] | None = None,
    reason: str = "",
) -> AccessLogEntry:
    """Record that a user viewed, searched for or downloaded a record.

    Called inside the request's transaction (ATOMIC_REQUESTS), so the page and its
    log row stand or fall together.
    """
    membership = getattr(user, "membership", None)
    return AccessLogEntry.objects.create(
        user=user,
        username=user.get_username(),
        agency_id=membership.agency_id if membership else None,
        partnership_id=partnership_id,
        action=action,
        record_type=record_type,
        record_id=record_id,
        fields=fields or {},
        reason=reason,
    )
