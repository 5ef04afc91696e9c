"""Forms of organising a strategy meeting: inviting an agency, the time and chair, considered but not held, and
the initial child protection conference.

A moment is asked for as the GOV.UK date input and a 24-hour time, combined by ``DateAndTimeForm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms

from agencies.models import Agency, User
from cases.forms_dates import DateAndTimeForm, DatePartsField, clock_field
from strategy_meetings.rules import ICPC_WORKING_DAYS

# Up to this many options are radios; a longer list is a select (GOV.UK: radios unless the list is long).
RADIOS_UP_TO = 8
YES_NO = (("yes", "Yes"), ("no", "No"))


def _version_field() -> forms.IntegerField:
    # The meeting's version when the page was opened: a save over someone else's change is refused.
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


def _choice_widget(count: int) -> forms.Widget:
    return forms.RadioSelect() if count <= RADIOS_UP_TO else forms.Select()


def _choices(options: Sequence[tuple[int, str]], count: int, blank: str) -> list[tuple[Any, str]]:
    """The options, led by a blank "Choose …" option when they are shown as a select."""
    return [*([("", blank)] if count > RADIOS_UP_TO else []), *options]


class InviteForm(forms.Form):
    """One more agency invited: which (of those not yet invited), whether it is required, and why."""

    agency = forms.TypedChoiceField(
        label="Agency to invite", coerce=int,
        error_messages={"required": "Choose the agency to invite", "invalid_choice": "Choose the agency to invite"},
    )
    required = forms.ChoiceField(
        label="Must the meeting hear from this agency before it is held?", choices=YES_NO, widget=forms.RadioSelect,
        help_text="If yes, the meeting cannot be recorded as held until the agency attends or sends what it knows,"
                  " unless the reason it went ahead without it is recorded.",
        error_messages={"required": "Choose whether the meeting must hear from this agency",
                        "invalid_choice": "Choose whether the meeting must hear from this agency"},
    )
    proposed_because = forms.CharField(
        label="Why this agency is invited (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown with the invitation on the meeting's page.",
        error_messages={"max_length": "Why this agency is invited must be 2000 characters or fewer"},
    )

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = {agency.pk: agency for agency in agencies}
        field = self.fields["agency"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.widget = _choice_widget(len(agencies))
        field.choices = _choices([(agency.pk, agency.name) for agency in agencies], len(agencies),
                                 "Choose an agency")

    def agency_chosen(self) -> Agency:
        return self.agencies[self.cleaned_data["agency"]]


class ScheduleForm(DateAndTimeForm):
    """When the meeting (or its first call) is, and who chairs it."""

    date_field, time_field = "scheduled_on", "scheduled_time"
    scheduled_on = DatePartsField(label="Date", error_messages={"required": "Enter the date of the meeting"})
    scheduled_time = clock_field("Time", required_message="Enter the time of the meeting")
    chair = forms.TypedChoiceField(
        label="Chair", coerce=int,
        help_text="A practitioner or manager of children's social care. The chair may hold the meeting and"
                  " distribute its minutes.",
        error_messages={"required": "Choose who chairs the meeting",
                        "invalid_choice": "Choose who chairs the meeting"},
    )
    version = _version_field()

    def __init__(self, *args: Any, chairs: Sequence[tuple[User, str]], **kwargs: Any) -> None:
        """``chairs``: (user, label) for everyone who may be chosen."""
        super().__init__(*args, **kwargs)
        self.chairs = {user.pk: user for user, _ in chairs}
        field = self.fields["chair"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.widget = _choice_widget(len(chairs))
        field.choices = _choices([(user.pk, label) for user, label in chairs], len(chairs), "Choose the chair")

    def chair_chosen(self) -> User:
        return self.chairs[self.cleaned_data["chair"]]


class NotHeldForm(forms.Form):
    """The meeting considered and not needed: why, and what was done instead."""

    rationale = forms.CharField(
        label="Why is the meeting not needed?", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example, what changed since the threshold was met, and who agreed.",
        error_messages={"required": "Say why the meeting is not needed",
                        "max_length": "Why the meeting is not needed must be 5000 characters or fewer"},
    )
    instead = forms.CharField(
        label="What was done instead (optional)", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "What was done instead must be 5000 characters or fewer"},
    )


class ConferenceForm(DateAndTimeForm):
    """When the initial child protection conference is; its due date is the date's hint."""

    date_field, time_field = "conference_on", "conference_time"
    conference_on = DatePartsField(label="Date", error_messages={"required": "Enter the date of the conference"})
    conference_time = clock_field("Time", required_message="Enter the time of the conference")
    version = _version_field()

    def __init__(self, *args: Any, due_by: date | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if due_by is not None:
            self.fields["conference_on"].help_text = (f"Due by {due_by:%A %-d %B %Y} ({ICPC_WORKING_DAYS} working"
                                                      " days after the meeting)")
