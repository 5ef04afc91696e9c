"""Every write to strategy meetings. Convening is here; the strategy-meetings issue completes the rest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Partnership, User
from cases.models import Person
from strategy_meetings.models import StrategyMeeting, StrategyMeetingChild

if TYPE_CHECKING:
    from referrals.models import Referral


def meeting_due_by(threshold_met_at: datetime, partnership: Partnership) -> datetime:
    """The partnership's setting (24 hours by default) after the threshold was met."""
    return threshold_met_at + timedelta(hours=partnership.strategy_meeting_due_hours)


@transaction.atomic
def meeting_convene(
    *,
    partnership: Partnership,
    by: User,
    children: Sequence[Person],
    threshold_met_at: datetime,
    reason: str,
    referral: Referral | None = None,
) -> StrategyMeeting:
    """A strategy meeting due by the partnership's deadline, for the children whose threshold was met."""
    errors: dict[str, list[str]] = {}
    if not children:
        errors["children"] = ["Name at least one child the strategy meeting is for."]
    if not reason.strip():
        errors["reason"] = ["Say why the threshold for a strategy discussion was met."]
    if errors:
        raise ValidationError(errors)
    meeting = StrategyMeeting.objects.create(
        partnership=partnership,
        created_by=by,
        referral=referral,
        reason=reason.strip(),
        threshold_met_at=threshold_met_at,
        due_by=meeting_due_by(threshold_met_at, partnership),
    )
    StrategyMeetingChild.objects.bulk_create(
        StrategyMeetingChild(partnership=partnership, created_by=by, meeting=meeting, child=child)
        for child in dict.fromkeys(children)
    )
    return meeting
