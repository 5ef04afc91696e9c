"""Forms of the pages after a strategy meeting: an action agreed, and the minutes (with their starting text)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import dateformat, timezone

from agencies.models import Agency, Membership, User
from cases.forms_dates import DatePartsField
from strategy_meetings.models import Action, Invitation, StrategyMeeting

OWNER_NOT_NAMED = ("", "Not named: anyone at the owner agency")


@dataclass(frozen=True)
class OwnerOption:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class OwnerGroup:
    """The people of one invited agency, for an <optgroup> of the owner select."""

    agency: str
    options: list[OwnerOption]


class ActionForm(forms.Form):
    """An action agreed at the meeting: what, which invited agency owns it (and who there), due when."""

    description = forms.CharField(
        label="What is to be done", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what is to be done"},
    )
    owner_agency = forms.ChoiceField(
        label="Which agency owns the action", widget=forms.RadioSelect,
        error_messages={"required": "Choose the agency that owns the action",
                        "invalid_choice": "Choose one of the agencies invited to the meeting"},
    )
    owner = forms.ChoiceField(
        label="Who at that agency owns it (optional)", required=False,
        help_text="Without a name, everyone at the owner agency is told.",
        error_messages={"invalid_choice": "Choose someone who works for one of the invited agencies"},
    )
    due_by = DatePartsField(label="Due by", error_messages={"required": "Enter the date the action is due by"})

    def __init__(self, *args: Any, invitations: Sequence[Invitation], memberships: Sequence[Membership],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        example = timezone.localdate() + timedelta(days=7)
        self.fields["due_by"].help_text = f"For example, {example.day} {example.month} {example.year}"
        self.agencies: dict[str, Agency] = {str(invitation.agency_id): invitation.agency for invitation in invitations}
        self.people: dict[str, User] = {str(membership.user_id): membership.user for membership in memberships}
        by_agency: dict[int, list[Membership]] = {}
        for membership in memberships:
            by_agency.setdefault(membership.agency_id, []).append(membership)
        self.groups: list[tuple[str, list[Membership]]] = [
            (invitation.agency.name, by_agency[invitation.agency_id])
            for invitation in invitations if invitation.agency_id in by_agency
        ]
        owner_agency = self.fields["owner_agency"]
        assert isinstance(owner_agency, forms.ChoiceField)  # noqa: S101 - declared above
        owner_agency.choices = [(key, agency.name) for key, agency in self.agencies.items()]
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)  # noqa: S101 - declared above
        owner.choices = [OWNER_NOT_NAMED, *(
            (name, [(str(membership.user_id), membership.user.display_name) for membership in people])
            for name, people in self.groups
        )]

    def owner_groups(self) -> list[OwnerGroup]:
        """The owner select's options grouped by agency (the shared field component has no <optgroup>)."""
        chosen = str(self["owner"].value() or "")
        return [
            OwnerGroup(agency=name, options=[
                OwnerOption(value=str(membership.user_id), label=membership.user.display_name,
                            selected=chosen == str(membership.user_id))
                for membership in people
            ])
            for name, people in self.groups
        ]

    def owner_agency_chosen(self) -> Agency:
        return self.agencies[self.cleaned_data["owner_agency"]]

    def owner_chosen(self) -> User | None:
        key = self.cleaned_data.get("owner") or ""
        return self.people.get(key)


MINUTES_DISTRIBUTE = "distribute"


class MinutesForm(forms.Form):
    """The minutes as typed; a draft may be empty, the distributed minutes may not."""

    minutes = forms.CharField(
        label="Minutes of the meeting", required=False, max_length=50000, widget=forms.Textarea(attrs={"rows": 20}),
        help_text="Only children's social care and the chair see the draft. Once distributed, the minutes and"
                  " the actions go to every invited agency and cannot be changed.",
    )
    # The digest of the draft as it was when the page was opened (strategy_meetings.rules.minutes_digest).
    seen = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, distributing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.distributing = distributing

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.distributing and not cleaned.get("minutes") and "minutes" not in self.errors:
            self.add_error("minutes", "Write the minutes before distributing them")
        return cleaned


def _when(moment: Any, pattern: str) -> str:
    return dateformat.format(moment, pattern)


def _moment(moment: datetime) -> str:
    """'14:30 on Monday 3 March 2025', in the partnership's local time."""
    local = timezone.localtime(moment)
    return f"{_when(local, 'H:i')} on {_when(local, 'l j F Y')}"


def minutes_starting_text(*, meeting: StrategyMeeting, invitations: Sequence[Invitation],
                          actions: Sequence[Action]) -> str:
    """A first draft of the minutes from what the meeting's record already holds, and nothing else: when it
    was held, the chair, the outcome, the conference date after a section 47 decision, who attended, and the
    actions with their owners and due dates. The chair writes the discussion itself."""
    lines: list[str] = []
    if meeting.held_at is not None:
        lines.append(f"Held at {_moment(meeting.held_at)}.")
    if meeting.chair is not None:
        lines.append(f"Chair: {meeting.chair.display_name}.")
    if meeting.outcome:
        lines.append(f"Outcome: {meeting.get_outcome_display()}.")
    if meeting.icpc_due_by is not None:
        lines.append(f"Initial child protection conference due by {_when(meeting.icpc_due_by, 'l j F Y')}.")
    if meeting.icpc_at is not None:
        lines.append("Initial child protection conference booked for"
                     f" {_moment(meeting.icpc_at)}.")
    if meeting.missing_agency_reason:
        lines.append(f"Why the meeting went ahead without a required agency: {meeting.missing_agency_reason}")
    lines += ["", "Attendance"]
    lines += [f"- {invitation.agency.name}: {invitation.get_response_display() or 'Not recorded'}"
              for invitation in invitations] or ["- No agency was invited."]
    lines += ["", "Actions"]
    for action in actions:
        owner = action.owner_agency.name + (f" ({action.owner.display_name})" if action.owner is not None else "")
        done = " Done." if action.status == Action.Status.DONE else ""
        lines.append(f"- {action.description}")
        lines.append(f"  Owner: {owner}. Due by {_when(action.due_by, 'l j F Y')}.{done}")
    if not actions:
        lines.append("- No actions recorded.")
    return "\n".join(lines)
