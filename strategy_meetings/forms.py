"""Forms of the strategy meeting pages: an agency's contribution, and the meeting held."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from cases.forms_dates import DateAndTimeForm, DatePartsField, clock_field
from strategy_meetings.models import Invitation, StrategyMeeting

ATTENDANCE_PREFIX = "attendance_"
class ContributeForm(forms.Form):
    information = forms.CharField(
        label="What does your agency know about the child and family?", max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Involvement, concerns, recent contact and anything the meeting should weigh.",
        error_messages={"required": "Say what your agency knows about the child and family."},
    )


class HoldForm(DateAndTimeForm):
    """The meeting held: when, who was there (one set of radios per invited agency), what was decided."""

    date_field = "held_on"
    time_field = "held_time"
    held_on = DatePartsField(label="Date held", error_messages={"required": "Enter the date the meeting was held"})
    held_time = clock_field("Time held", required_message="Enter the time the meeting was held")
    outcome = forms.ChoiceField(label="Outcome", choices=StrategyMeeting.Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose the outcome of the meeting.",
                                                "invalid_choice": "Choose the outcome of the meeting."})
    missing_agency_reason = forms.CharField(
        label="Why the meeting went ahead without a required agency (if one was not heard)", required=False,
        max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only needed when the police, health or children's social care neither attended nor sent"
                  " information.",
    )

    def __init__(self, *args: Any, invitations: Sequence[Invitation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitations = list(invitations)
        for invitation in self.invitations:
            name = invitation.agency.name
            self.fields[f"{ATTENDANCE_PREFIX}{invitation.agency_id}"] = forms.ChoiceField(
                label=f"{name}{' (required)' if invitation.required else ''}",
                choices=Invitation.Response.choices, widget=forms.RadioSelect,
                initial=invitation.response or Invitation.Response.NO_RESPONSE,
                error_messages={"required": f"Choose whether {name} attended, sent information, sent apologies"
                                            " or did not respond",
                                "invalid_choice": f"Choose whether {name} attended, sent information, sent"
                                                  " apologies or did not respond"},
            )
        self.order_fields(["held_on", "held_time", *(f"{ATTENDANCE_PREFIX}{i.agency_id}" for i in self.invitations)])

    def attendance_fields(self) -> list[forms.BoundField]:
        return [self[f"{ATTENDANCE_PREFIX}{invitation.agency_id}"] for invitation in self.invitations]

    def first_attendance_field(self) -> str | None:
        return f"{ATTENDANCE_PREFIX}{self.invitations[0].agency_id}" if self.invitations else None

    def attendance(self) -> dict[int, str]:
        return {invitation.agency_id: self.cleaned_data[f"{ATTENDANCE_PREFIX}{invitation.agency_id}"]
                for invitation in self.invitations}
