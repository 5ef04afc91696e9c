"""The child's voice (SPEC 3.2): what a record must hold, and when a child on an open case is overdue to be heard.

What a record must hold. A practitioner records the child's own words, or what the child's behaviour and
presentation showed, or why the child was not spoken to (a reason from the list). "Too young to talk" is never a
reason on its own: a baby who cannot talk still shows us their world (how they feed and sleep, whom they reach for
or turn from), so "too young" stands only beside an observation. An observation needs what was observed, a
structured tool its name, and a child not seen alone the names of who else was there.

Heard recently. A child on an open case should be heard at least every six weeks, counted from the later of
their latest voice record (by any agency) and the day the case opened: a case opened today has six weeks to hear
the child, whatever was recorded before it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.errors import ErrorDict, error_add

VOICE_STALE_AFTER = timedelta(weeks=6)

# The values of ChildVoice.Method and ChildVoice.NotSpokenReason these rules turn on.
OBSERVATION = "observation"
STRUCTURED_TOOL = "structured_tool"
TOO_YOUNG = "too_young"

NOTHING_HEARD = ("Choose why the child was not spoken to, or record their own words or what you observed of"
                 " them")
TOO_YOUNG_ALONE = ("A child too young to talk still shows us their world: record what you observed of them"
                   " instead of 'too young'")
OBSERVATION_EMPTY = "Enter what you observed of the child: how they looked, behaved and responded"
TOOL_MISSING = "Enter the name of the structured tool you used"
SEEN_WITH_MISSING = "Say who else was there when you saw the child"


def voice_content_errors(
    *,
    method: str,
    tool: str,
    seen_alone: bool | None,
    seen_with: str,
    childs_words: str,
    observations: str,
    not_spoken_reason: str,
) -> ErrorDict:
    """Everything wrong with what a voice record says, field by field (texts already stripped)."""
    errors: ErrorDict = {}
    if not childs_words and not observations:
        if not not_spoken_reason:
            error_add(errors, "not_spoken_reason", NOTHING_HEARD)
        elif not_spoken_reason == TOO_YOUNG:
            error_add(errors, "observations", TOO_YOUNG_ALONE)
    if method == OBSERVATION and not observations and "observations" not in errors:
        error_add(errors, "observations", OBSERVATION_EMPTY)
    if method == STRUCTURED_TOOL and not tool:
        error_add(errors, "tool", TOOL_MISSING)
    if seen_alone is False and not seen_with:
        error_add(errors, "seen_with", SEEN_WITH_MISSING)
    return errors


def case_opened_at(opened_on: date, tz: ZoneInfo) -> datetime:
    """A case opened on a day counts as opened at the start of that day, in the partnership's time zone."""
    return datetime.combine(opened_on, time.min, tzinfo=tz)


def voice_due_by(*, heard_at: datetime | None, opened_at: datetime) -> datetime:
    """When a child on an open case must next be heard: six weeks after the later of their latest voice record
    and the case opening."""
    since = opened_at if heard_at is None or heard_at < opened_at else heard_at
    return since + VOICE_STALE_AFTER


def voice_is_stale(*, heard_at: datetime | None, opened_at: datetime, now: datetime) -> bool:
    """Has a child on an open case gone unheard for six weeks?"""
    return voice_due_by(heard_at=heard_at, opened_at=opened_at) <= now
