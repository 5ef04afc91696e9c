"""How the services report bad input: field-level messages gathered first, then raised at once, so nothing is
saved half-way (every service runs in a transaction and raises before its first write)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

ErrorDict = dict[str, list[str]]
# Clocks differ between systems; a time a few minutes "in the future" is a clock, not an error.
FUTURE_TOLERANCE = timedelta(minutes=15)


def error_add(errors: ErrorDict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def errors_raise(errors: ErrorDict) -> None:
    if errors:
        raise ValidationError(errors)


def moment_errors(errors: ErrorDict, field: str, moment: datetime, *, label: str, now: datetime | None = None,
                  future: bool = False) -> bool:
    """A moment the user gave must carry its time zone and, unless ``future``, not be ahead of now (within the
    clock tolerance). Records the message under ``field``; True when the moment is acceptable."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        error_add(errors, field, f"{label} needs a time zone.")
        return False
    if not future and moment > (now or timezone.now()) + FUTURE_TOLERANCE:
        error_add(errors, field, f"{label} must not be in the future.")
        return False
    return True
