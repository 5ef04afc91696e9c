"""The form of the page that records a child's voice (SPEC 3.2, 8 "Record the child's voice").

Method first (observation for a child too young to talk); the child's own words, what their behaviour and
presentation showed, and the practitioner's analysis in three separate boxes; "not spoken to" only with a reason.
The rules of ``cases.rules.voice`` run here too, so every problem shows at once, on its field.
"""

from __future__ import annotations

from typing import Any

from django import forms

from cases.forms_dates import DateAndTimeForm, DatePartsField, clock_field
from cases.models import ChildVoice
from cases.rules.voice import voice_content_errors
from cases.services.voice import SEEN_WITH_MAX, TEXT_MAX, TOOL_MAX

YES_NO = (("yes", "Yes"), ("no", "No"))
NOT_SPOKEN_CHOICES = (("", "Not applicable: the child's words or what you observed are recorded"),
                      *ChildVoice.NotSpokenReason.choices)


def _yes_no(label: str, required_message: str, hint: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda value: value == "yes", widget=forms.RadioSelect, help_text=hint,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


def _text(label: str, hint: str, rows: int = 6) -> forms.CharField:
    return forms.CharField(label=label, help_text=hint, required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": rows, "spellcheck": "true"}),
                           error_messages={"max_length": f"{label} must be {TEXT_MAX} characters or fewer"})


class VoiceForm(DateAndTimeForm):
    date_field = "recorded_on"
    time_field = "recorded_time"

    method = forms.ChoiceField(
        label="How did you hear from the child?", choices=ChildVoice.Method.choices, widget=forms.RadioSelect,
        help_text="For a baby or a child who does not yet talk, choose observation.",
        error_messages={"required": "Choose how you heard from the child",
                        "invalid_choice": "Choose how you heard from the child"},
    )
    tool = forms.CharField(label="Name of the tool", required=False, max_length=TOOL_MAX,
                           help_text="For example, three houses or wishes and feelings",
                           error_messages={"max_length": f"The tool's name must be {TOOL_MAX} characters or fewer"})
    recorded_on = DatePartsField(label="Date you saw the child", past=True, help_text="For example, 27 3 2026",
                                 error_messages={"required": "Enter the date you saw the child"})
    recorded_time = clock_field("Time you saw the child", required_message="Enter the time you saw the child")
    seen_alone = _yes_no("Did you see the child on their own?",
                         "Choose yes if you saw the child on their own, or no if someone else was there")
    seen_with = forms.CharField(
        label="Who else was there?", required=False, max_length=SEEN_WITH_MAX,
        help_text="Their name and who they are to the child, for example Ngozi Okafor, mother",
        error_messages={"max_length": f"Who else was there must be {SEEN_WITH_MAX} characters or fewer"},
    )
    interpreter_used = _yes_no("Was an interpreter used?", "Choose yes if an interpreter was used, or no if not")
    childs_words = _text(
        "The child's own words",
        "What the child said, wrote or signed, in their words and not yours. Use quotation marks for exact words.",
    )
    observations = _text(
        "What the child's behaviour and presentation showed",
        "What you saw and heard: how they looked, played and moved, how they responded to their carers and to"
        " you. For a baby: feeding, sleep, whom they reach for or turn from.",
    )
    analysis = _text(
        "Your analysis",
        "What this tells you about the child's daily life and what it is like for them. Keep this apart from the"
        " child's own words.",
    )
    not_spoken_reason = forms.ChoiceField(
        label="Why was the child not spoken to?", choices=NOT_SPOKEN_CHOICES, required=False,
        help_text="Only when you have not recorded the child's own words. A child too young to talk is observed:"
                  " record what you observed above.",
        error_messages={"invalid_choice": "Choose a reason from the list"},
    )
    not_spoken_detail = _text("More about why (optional)", "For example, when you will try again.", rows=3)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        problems = voice_content_errors(
            method=cleaned.get("method", ""),
            tool=cleaned.get("tool", "").strip(),
            seen_alone=cleaned.get("seen_alone"),
            seen_with=cleaned.get("seen_with", "").strip(),
            childs_words=cleaned.get("childs_words", "").strip(),
            observations=cleaned.get("observations", "").strip(),
            not_spoken_reason=cleaned.get("not_spoken_reason", ""),
        )
        for field, messages in problems.items():
            if field not in self.errors:
                self.add_error(field, messages)
        return cleaned

    def voice_fields(self) -> dict[str, Any]:
        """The cleaned answers as ``voice_record`` takes them."""
        data = self.cleaned_data
        return {
            "recorded_at": data["at"], "method": data["method"], "tool": data["tool"],
            "seen_alone": data["seen_alone"], "seen_with": data["seen_with"],
            "interpreter_used": data["interpreter_used"], "childs_words": data["childs_words"],
            "observations": data["observations"], "analysis": data["analysis"],
            "not_spoken_reason": data["not_spoken_reason"], "not_spoken_detail": data["not_spoken_detail"],
        }
