"""Reads of the child's voice (SPEC 3.2): each through ``voice_records_visible``, so a user sees only the records
of children they may open (a restricted child's only when named on them, or having broken glass)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from agencies.models import User
from cases.models import ChildVoice, Person
from cases.permissions import voice_records_visible
from cases.rules.voice import VOICE_STALE_AFTER

__all__ = ["VOICE_STALE_AFTER", "voice_latest_per_child", "voice_records_of"]


def voice_latest_per_child(*, user: User, children: Sequence[Person]) -> dict[int, ChildVoice | None]:
    """Each child's latest voice record the user may see (None when there is none), with its practitioner and
    agency: one query (DISTINCT ON the child, child_voice_latest_idx), so a sibling group shows every child's
    own last record and no child stands for the others."""
    ids = [child.pk for child in children]
    latest: dict[int, ChildVoice | None] = dict.fromkeys(ids)
    if not ids:
        return latest
    records = (
        voice_records_visible(user)
        .filter(child_id__in=ids)
        .select_related("practitioner", "agency")
        .order_by("child_id", "-recorded_at", "-pk")
        .distinct("child_id")
    )
    for record in records:
        latest[record.child_id] = record
    return latest


def voice_records_of(*, user: User, child: Person) -> QuerySet[ChildVoice]:
    """A child's voice records the user may see, newest first, with who recorded each and for which agency."""
    return (
        voice_records_visible(user)
        .filter(child=child)
        .select_related("practitioner", "agency")
        .order_by("-recorded_at", "-pk")
    )
