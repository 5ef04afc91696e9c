"""What the chase rules' tests share: a London moment, one rule's sweep, and what the sweep sent (SPEC 5)."""

from __future__ import annotations

from datetime import datetime

from agencies.chasers import RuleResult, chase_run
from agencies.models import Notification
from agencies.rules import DEFAULT_TZ


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DEFAULT_TZ)


def sweep(rule: str, now: datetime) -> RuleResult:
    """One rule's sweep at ``now``."""
    (result,) = chase_run(now=now, rules=[rule])
    return result


def chased(rule: str, subject_id: int | None = None) -> list[tuple[int, str]]:
    """(level, recipient's username) of every reminder the rule sent, lowest level first."""
    notes = Notification.objects.filter(kind=rule)
    if subject_id is not None:
        notes = notes.filter(subject_id=subject_id)
    return [(n.level, n.recipient.username) for n in notes.select_related("recipient").order_by("level", "pk")]


def message(rule: str, level: int, subject_id: int | None = None) -> str:
    """The one reminder the rule sent at ``level`` (about ``subject_id``, when given)."""
    notes = Notification.objects.filter(kind=rule, level=level)
    if subject_id is not None:
        notes = notes.filter(subject_id=subject_id)
    return notes.get().message
