"""The GOV.UK date input as a form field, for every form that asks for a date."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


class DatePartsWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes, named <field>_day, <field>_month, <field>_year."""

    def __init__(self) -> None:
        numeric = {"inputmode": "numeric", "spellcheck": "false"}
        super().__init__({"day": forms.TextInput(numeric), "month": forms.TextInput(numeric),
                          "year": forms.TextInput(numeric)})

    def decompress(self, value: date | None) -> list[Any]:
        return [value.day, value.month, value.year] if value else [None, None, None]


class DatePartsField(forms.MultiValueField):
    """A date typed as day, month and year, with the GOV.UK date-input error messages."""

    widget = DatePartsWidget

    def __init__(self, *, past: bool = False, **kwargs: Any) -> None:
        self.past = past
        # Which of day, month and year the error is about, so only those boxes are marked.
        self.invalid_parts: set[str] = set()
        parts = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields=parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> date | None:
        return None

    def clean(self, value: Any) -> date | None:
        self.invalid_parts = set()
        day, month, year = (str(part or "").strip() for part in (value or ["", "", ""]))
        if not (day or month or year):
            if self.required:
                self.invalid_parts = {"day", "month", "year"}
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        label = str(self.label)
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            self.invalid_parts = set(missing)
            raise ValidationError(f"{label} must include a {' and a '.join(missing)}", code="incomplete")
        if len(year) != 4:
            self.invalid_parts = {"year"}
            raise ValidationError("Year must include 4 numbers", code="year")
        try:
            typed = date(int(year), int(month), int(day))
        except ValueError:
            self.invalid_parts = {"day", "month", "year"}
            raise ValidationError(f"{label} must be a real date", code="invalid") from None
        if self.past and typed > timezone.localdate():
            self.invalid_parts = {"day", "month", "year"}
            raise ValidationError(f"{label} must be today or in the past", code="future")
        return typed


TIME_PATTERN = re.compile(r"^\s*(\d{1,2})\s*[:.]?\s*(\d{2})\s*$")
TIME_HINT = "Use the 24-hour clock, for example 14:30"


def time_parse(text: str) -> time | None:
    """A 24-hour time typed as "14:30", "1430" or "9.05"; None when it is not a real time."""
    match = TIME_PATTERN.match(text)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2])
    return time(hour, minute) if hour < 24 and minute < 60 else None


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
