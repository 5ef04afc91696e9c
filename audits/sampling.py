"""The case-file audit's random sample (SPEC 3.5): reproducible from its recorded seed and moment.

The eligible cases are those of the partnership with activity in the 12 months before the draw: open at any
time in that window (opened on or before the draw, and not closed before the window began). Restricted
children are left out: an auditor is not one of the users named on their record. The candidates are taken in
the order of their ids, so the same seed, the same moment and the same records always draw the same cases, in
the same order.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from cases.models import Case

ACTIVITY_WINDOW = timedelta(days=365)


def seed_new() -> int:
    """A fresh seed for a round whose creator did not give one (fits a signed 63-bit column)."""
    return secrets.randbelow(2**62)


def cases_eligible(*, partnership_id: int, drawn_at: datetime) -> list[int]:
    """The ids of the cases a round drawn at ``drawn_at`` samples from, in id order."""
    drawn_on = timezone.localdate(drawn_at)
    window_starts = timezone.localdate(drawn_at - ACTIVITY_WINDOW)
    return list(
        Case.objects.filter(partnership_id=partnership_id, opened_on__lte=drawn_on, child__restricted=False)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=window_starts))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def sample_draw(*, partnership_id: int, seed: int, size: int, drawn_at: datetime) -> list[int]:
    """``size`` case ids drawn at random with ``seed`` (all of them when fewer are eligible), in draw order."""
    eligible = cases_eligible(partnership_id=partnership_id, drawn_at=drawn_at)
    # A seeded generator on purpose: the draw must be repeatable from the recorded seed, not unpredictable.
    return random.Random(seed).sample(eligible, min(size, len(eligible)))  # noqa: S311
