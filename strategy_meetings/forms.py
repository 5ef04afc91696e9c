"""Forms of the strategy meeting pages: an agency's contribution, and the meeting held; and the date-and-time
form every meeting page that asks for a moment builds on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from cases.forms_dates import DatePartsField
from referrals.forms_triage import TIME_HINT, time_parse
from strategy_meetings.models import Invitation, StrategyMeeting

ATTENDANCE_PREFIX = "attendance_"
REAL_TIME = "Enter a real time, using the 24-hour clock, for example 14:30"


def clock_field(label: str, *, required_message: str) -> forms.CharField:
    """A 24-hour time typed as text ("14:30", "1430" or "9.05")."""
    return forms.CharField(
        label=label, max_length=5, help_text=TIME_HINT,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": required_message, "max_length": REAL_TIME},
    )


class DateAndTimeForm(forms.Form):
    """A date field (``DatePartsField``) and a 24-hour time field combined into ``cleaned_data["at"]``, an aware
    local datetime; a time that is not a real one is refused on its field."""

    # The names of the two fields, set by each form.
    date_field: ClassVar[str]
    time_field: ClassVar[str]

    @classmethod
    def initial_from(cls, moment: datetime | None) -> dict[str, Any]:
        """The date and time fields prefilled with a moment, in local time (nothing when it is unset)."""
        if moment is None:
            return {}
        local = timezone.localtime(moment)
        return {cls.date_field: local.date(), cls.time_field: local.strftime("%H:%M")}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day: date | None = cleaned.get(self.date_field)
        typed = (cleaned.get(self.time_field) or "").strip()
        if day is not None and typed:
            clock = time_parse(typed)
            if clock is None:
                self.add_error(self.time_field, REAL_TIME)
            else:
                cleaned["at"] = timezone.make_aware(datetime.combine(day, clock))
        return cleaned


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
