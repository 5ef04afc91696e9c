"""Forms of the MASH pages: the queue's filters, rating and allocating, asking an agency, the decision and the
feedback to the referrer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from agencies.models import Agency, User
from cases.forms_dates import TIME_HINT, DatePartsField, time_parse
from referrals.models import Decision, Feedback, Referral
from referrals.selectors import FLAG_LABELS, QueueFilters

# The largest value of the version columns (PositiveIntegerField).
VERSION_MAX = 2**31 - 1

ANY = ("", "Any")
RAG_FILTERS = (ANY, ("red", "Red"), ("amber", "Amber"), ("green", "Green"), ("unrated", "Not rated yet"))
ALLOCATED_FILTERS = (("", "All"), ("me", "Me"), ("unallocated", "Unallocated"))

OUTCOME_HINTS: dict[str, str] = {
    Decision.Outcome.NO_FURTHER_ACTION: "No service is needed. The referrer is told why.",
    Decision.Outcome.ADVICE_SIGNPOSTING: "Advice to the family or the referrer, or a pointer to a universal service.",
    Decision.Outcome.EARLY_HELP: "Support from early help, with the family's agreement.",
    Decision.Outcome.CHILD_AND_FAMILY_ASSESSMENT: "A social work assessment of a child in need. Each child's case "
                                                  "opens at assessment.",
    Decision.Outcome.STRATEGY_DISCUSSION: "Reasonable cause to suspect significant harm. A strategy meeting is "
                                          "convened, due within 24 hours.",
    Decision.Outcome.IMMEDIATE_PROTECTION: "A child needs protecting now: police protection or an emergency "
                                           "protection order.",
    Decision.Outcome.ALREADY_OPEN: "Every child already has an open case. The referral is linked to it.",
}


def _time_field(label: str, *, required_message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=5, help_text=TIME_HINT,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": required_message} if required_message else None,
    )


def _moment(form: forms.Form, date_field: str, time_field: str, *, what: str) -> datetime | None:
    """The date and time typed in two fields, as an aware datetime in local time; errors go on the fields."""
    day = form.cleaned_data.get(date_field)
    typed = (form.cleaned_data.get(time_field) or "").strip()
    if date_field in form.errors:
        return None
    if day is None and not typed:
        return None
    if day is None:
        form.add_error(date_field, f"Enter the date {what}")
        return None
    if not typed:
        form.add_error(time_field, f"Enter the time {what}")
        return None
    clock = time_parse(typed)
    if clock is None:
        form.add_error(time_field, "Enter a real time, using the 24-hour clock, for example 14:30")
        return None
    return timezone.make_aware(datetime.combine(day, clock))


# -- The queue's filters ------------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The triage queue's filters (a GET form); a value that is not one of the choices is ignored."""

    agency = forms.TypedChoiceField(label="Referrer agency", required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label="Category", required=False,
                                 choices=(ANY, *Referral.Category.choices))
    flag = forms.ChoiceField(label="Flag", required=False, choices=(ANY, *FLAG_LABELS.items()))
    rag = forms.ChoiceField(label="RAG rating", required=False, choices=RAG_FILTERS)
    allocated = forms.ChoiceField(label="Allocated to", required=False, choices=ALLOCATED_FILTERS)

    def __init__(self, *args: Any, agencies: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [ANY, *agencies]  # type: ignore[attr-defined]

    def filters(self) -> QueueFilters:
        """The filters chosen, leaving out any value that is not one of the choices."""
        self.is_valid()
        chosen = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return QueueFilters(
            agency=chosen.get("agency"),
            category=chosen.get("category") or "",
            flag=chosen.get("flag") or "",
            rag=chosen.get("rag") or "",
            allocated=chosen.get("allocated") or "",
        )

    def querystring(self) -> dict[str, str]:
        """The chosen filters as query parameters (to come back to the same view of the queue)."""
        filters = self.filters()
        values = {"agency": str(filters.agency or ""), "category": filters.category, "flag": filters.flag,
                  "rag": filters.rag, "allocated": filters.allocated}
        return {name: value for name, value in values.items() if value}


# -- Triage on the referral page ---------------------------------------------------------------------------


class _Versioned(forms.Form):
    """A form about the referral as the user saw it: its version, and where to go afterwards."""

    # Required: a form without it (or with anything but a version) is answered as stale, never saved blind.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)
    back = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class RateForm(_Versioned):
    rag = forms.ChoiceField(label="RAG rating", choices=Referral.Rag.choices, widget=forms.RadioSelect,
                            error_messages={"required": "Choose red, amber or green",
                                            "invalid_choice": "Choose red, amber or green"})


class AllocateForm(_Versioned):
    # "me" takes the referral; "none" gives it back to the pool.
    to = forms.ChoiceField(choices=(("me", "Me"), ("none", "No one")), widget=forms.HiddenInput)


# -- Asking an agency ---------------------------------------------------------------------------------------


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        membership = getattr(user, "membership", None)
        role = membership.get_role_display() if membership is not None else ""
        return f"{user.display_name} ({role})" if role else user.display_name


class CheckRequestForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Which agency do you want to ask?", queryset=Agency.objects.none(), empty_label="Choose an agency",
        error_messages={"required": "Choose the agency to ask", "invalid_choice": "Choose the agency to ask"},
    )
    question = forms.CharField(
        label="What do you want to know?", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, whether the children are known to the service and when they were last seen",
    )
    due_on = DatePartsField(label="Date the answer is due", required=False)
    due_time = _time_field("Time the answer is due")
    authorised_by = _UserChoiceField(
        label="Which manager authorised sharing without consent?", queryset=User.objects.none(), required=False,
        empty_label="Choose a manager",
        help_text="The family did not consent to this referral, so a manager of children's social care must "
                  "authorise sharing it with another agency",
        error_messages={"invalid_choice": "Choose a manager of children's social care"},
    )

    def __init__(self, *args: Any, agencies: Any, managers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if managers is None:
            del self.fields["authorised_by"]
        else:
            self.fields["authorised_by"].queryset = managers  # type: ignore[attr-defined]
            self.fields["authorised_by"].required = True
            self.fields["authorised_by"].error_messages["required"] = (
                "Choose the manager who authorised sharing without consent")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["due_at"] = _moment(self, "due_on", "due_time", what="the answer is due")
        return cleaned


# -- The decision and the feedback --------------------------------------------------------------------------


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What is your decision?", choices=Decision.Outcome.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision", "invalid_choice": "Choose the decision"},
    )
    rationale = forms.CharField(
        label="Rationale", max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Why this decision, on what information: the referral, the checks and the children's history",
        error_messages={"required": "Give the rationale: why this decision, on what information"},
    )

    def outcomes(self) -> list[dict[str, Any]]:
        """Each outcome's radio with its hint (the GOV.UK radios with hints)."""
        chosen = self["outcome"].value()
        return [
            {"value": value, "label": label, "hint": OUTCOME_HINTS.get(value, ""), "checked": chosen == value,
             "id": "id_outcome" if index == 0 else f"id_outcome-{index + 1}"}
            for index, (value, label) in enumerate(Decision.Outcome.choices)
        ]


class FeedbackForm(forms.Form):
    method = forms.ChoiceField(
        label="How was the referrer told?", choices=Feedback.Method.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose how the referrer was told",
                        "invalid_choice": "Choose how the referrer was told"},
    )
    shared_on = DatePartsField(label="Date the referrer was told", required=False, help_text="For example, 27 3 2025")
    shared_time = _time_field("Time the referrer was told")
    note = forms.CharField(label="Note (optional)", required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="For example, who you spoke to, or anything the referrer asked")

    @classmethod
    def initial_now(cls) -> dict[str, Any]:
        now = timezone.localtime()
        return {"shared_on": now.date(), "shared_time": now.strftime("%H:%M")}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["shared_at"] = _moment(self, "shared_on", "shared_time", what="the referrer was told")
        return cleaned
