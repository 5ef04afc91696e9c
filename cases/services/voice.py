"""Every write to the child's voice (SPEC 3.2).

``voice_record``: what one child said, showed or was seen to experience, as a practitioner recorded it. The
record names the practitioner and their agency, and the child's open case if they have one (the case page shows
each child's latest record). Everything is checked before anything is saved, and reported field by field
(``ValidationError``); a user whose role does not record casework gets ``PermissionDenied``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from agencies.selectors import membership_of
from cases.models import Case, ChildVoice, Person
from cases.permissions import people_visible, voice_record_check
from cases.rules.people import is_child
from cases.rules.voice import voice_content_errors
from config.errors import ErrorDict, error_add, errors_raise, moment_errors

TOOL_MAX = 100
SEEN_WITH_MAX = 200
TEXT_MAX = 20000


def _too_long(errors: ErrorDict, field: str, text: str, limit: int, what: str) -> None:
    if len(text) > limit:
        error_add(errors, field, f"{what} must be {limit} characters or fewer")


@transaction.atomic
def voice_record(
    *,
    child: Person,
    by: User,
    recorded_at: datetime,
    method: str,
    tool: str = "",
    seen_alone: bool | None = None,
    seen_with: str = "",
    interpreter_used: bool = False,
    childs_words: str = "",
    observations: str = "",
    analysis: str = "",
    not_spoken_reason: str = "",
    not_spoken_detail: str = "",
) -> ChildVoice:
    """Record a child's voice: their words kept apart from what was observed and from the practitioner's
    analysis; "not spoken to" only with a reason from the list, and "too young" only beside an observation."""
    voice_record_check(by)
    membership = membership_of(by)
    assert membership is not None  # noqa: S101 - voice_record_check lets only members of an agency through

    tool, seen_with = tool.strip(), seen_with.strip()
    childs_words, observations, analysis = childs_words.strip(), observations.strip(), analysis.strip()
    not_spoken_detail = not_spoken_detail.strip()

    errors: ErrorDict = {}
    if child.pk is None or not people_visible(by).filter(pk=child.pk).exists():
        # Never named: the user may not open this record.
        error_add(errors, "child", "Choose a child whose record you may open")
    else:
        on_time = moment_errors(errors, "recorded_at", recorded_at, label="The time you saw the child")
        day = timezone.localdate(recorded_at) if on_time else timezone.localdate()
        if not is_child(child.date_of_birth, child.expected_date_of_birth, day):
            error_add(errors, "child", f"{child.full_name} was not a child (under 18 or unborn) on {day.day}"
                                       f" {day:%B %Y}: the child's voice is recorded for children")
        if on_time and child.date_of_birth is not None and day < child.date_of_birth:
            error_add(errors, "recorded_at", f"The time you saw the child must be after they were born,"
                                             f" on {child.date_of_birth.day} {child.date_of_birth:%B %Y}")
    if method not in ChildVoice.Method.values:
        error_add(errors, "method", "Choose how you heard from the child")
    if not_spoken_reason and not_spoken_reason not in ChildVoice.NotSpokenReason.values:
        error_add(errors, "not_spoken_reason", "Choose a reason from the list")
    if method != ChildVoice.Method.STRUCTURED_TOOL:
        tool = ""  # left over from a choice changed on the form
    if seen_alone is not False:
        seen_with = ""
    _too_long(errors, "tool", tool, TOOL_MAX, "The tool's name")
    _too_long(errors, "seen_with", seen_with, SEEN_WITH_MAX, "Who else was there")
    for field, text, what in (
        ("childs_words", childs_words, "The child's own words"),
        ("observations", observations, "What you observed"),
        ("analysis", analysis, "Your analysis"),
        ("not_spoken_detail", not_spoken_detail, "More about why"),
    ):
        _too_long(errors, field, text, TEXT_MAX, what)
    for field, problems in voice_content_errors(
        method=method, tool=tool, seen_alone=seen_alone, seen_with=seen_with, childs_words=childs_words,
        observations=observations, not_spoken_reason=not_spoken_reason,
    ).items():
        for problem in problems:
            error_add(errors, field, problem)
    errors_raise(errors)

    open_case = Case.objects.filter(child=child).exclude(status=Case.Status.CLOSED).first()  # case_one_open_per_child
    return ChildVoice.objects.create(
        partnership_id=child.partnership_id,
        created_by=by,
        child=child,
        case=open_case,
        recorded_at=recorded_at,
        practitioner=by,
        agency_id=membership.agency_id,
        method=method,
        tool=tool,
        seen_alone=seen_alone,
        seen_with=seen_with,
        interpreter_used=interpreter_used,
        childs_words=childs_words,
        observations=observations,
        analysis=analysis,
        not_spoken_reason=not_spoken_reason,
        not_spoken_detail=not_spoken_detail,
    )
