"""The form a manager uses to record a course a member of staff completed (SPEC 3.1).

With no expiry date given, a record lasts three years for the safeguarding children levels (the refresher
interval of the intercollegiate guidance and of most partnerships' training strategies) and one year for DASH
risk-assessment training (a yearly refresher, as the partnership's domestic abuse strategy asks).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django import forms

from agencies.models import TrainingRecord
from cases.forms_dates import DatePartsField

VALID_FOR_YEARS: dict[str, int] = {
    TrainingRecord.Course.SAFEGUARDING_L1: 3,
    TrainingRecord.Course.SAFEGUARDING_L2: 3,
    TrainingRecord.Course.SAFEGUARDING_L3: 3,
    TrainingRecord.Course.DASH: 1,
}


def expiry_default(course: str, completed_on: date) -> date:
    return completed_on + relativedelta(years=VALID_FOR_YEARS.get(course, 3))


class TrainingRecordForm(forms.Form):
    course = forms.ChoiceField(
        label="Course", choices=TrainingRecord.Course.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the course completed", "invalid_choice": "Choose the course completed"},
    )
    completed_on = DatePartsField(
        label="Date completed", past=True, help_text="For example, 14 3 2026",
        error_messages={"required": "Enter the date the course was completed"},
    )
    expires_on = DatePartsField(
        label="Expiry date (optional)", required=False,
        help_text="Leave blank for 3 years after completion (safeguarding levels) or 1 year (DASH)",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        course, completed_on = cleaned.get("course"), cleaned.get("completed_on")
        expires_on = cleaned.get("expires_on")
        if course and completed_on:
            if expires_on is None:
                cleaned["expires_on"] = expiry_default(course, completed_on)
            elif expires_on <= completed_on:
                self.add_error("expires_on", "Expiry date must be after the date completed")
        return cleaned
