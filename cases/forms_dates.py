"""The GOV.UK date input as a form field, for every form that asks for a date."""

from __future__ import annotations

from datetime import date
from typing import Any

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
