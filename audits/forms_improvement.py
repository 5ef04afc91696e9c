"""The improvement plan forms: a plan with its themes, a theme, an action, a quarterly progress update.

Each form checks what a field alone can say (filled in, a real date, a listed choice); the services check the
rest, and their field-level messages land on the same fields (``service_errors``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from agencies.models import Agency, Membership
from audits.models import ImprovementAction, ImprovementTheme, Rag
from audits.services_improvement import SEED_THEMES, TITLE_MAX, quarter_name
from cases.forms_dates import DatePartsField

TEXT_MAX = 5000


def _required(message: str) -> dict[str, str]:
    return {"required": message, "invalid_choice": message}


def _text(label: str, message: str, *, hint: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=hint, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message, "max_length": f"{label} must be {TEXT_MAX} characters or fewer"},
    )


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared on the form
    return field


def service_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Put a service's field-level messages on the form's fields (anything else on the form as a whole)."""
    for key, problems in errors.items():
        form.add_error(key if key in form.fields and key != NON_FIELD_ERRORS else None, problems)


class PlanCreateForm(forms.Form):
    title = forms.CharField(
        label="Title of the plan", max_length=TITLE_MAX,
        help_text="For example, Priority action plan after the joint targeted area inspection",
        error_messages={"required": "Enter the plan's title",
                        "max_length": f"The plan's title must be {TITLE_MAX} characters or fewer"},
    )
    starts_on = DatePartsField(
        label="Date the plan starts",
        help_text="Actions fall due 3, 6, 9 or 12 months from this date. For example, 1 4 2026",
        error_messages={"required": "Enter the date the plan starts"},
    )
    themes = forms.MultipleChoiceField(
        label="Themes", required=False, choices=[(theme, theme) for theme in SEED_THEMES],
        widget=forms.CheckboxSelectMultiple,
        help_text="The five priority themes are a starting set: untick any the plan does not need.",
    )
    other_themes = forms.CharField(
        label="Other themes (optional)", required=False, max_length=TEXT_MAX,
        help_text="One theme on each line", widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "themes" in cleaned and "other_themes" in cleaned and not self.themes_chosen():
            self.add_error("themes", "Choose or enter at least one theme")
        return cleaned

    def themes_chosen(self) -> list[str]:
        chosen = list(self.cleaned_data.get("themes") or [])
        others = (self.cleaned_data.get("other_themes") or "").splitlines()
        return [*chosen, *(line for line in others if line.strip())]


class ThemeForm(forms.Form):
    title = forms.CharField(
        label="Title of the theme", max_length=TITLE_MAX,
        error_messages={"required": "Enter the theme's title",
                        "max_length": f"The theme's title must be {TITLE_MAX} characters or fewer"},
    )


class ActionForm(forms.Form):
    theme = forms.TypedChoiceField(label="Theme", coerce=int, widget=forms.RadioSelect,
                                   error_messages=_required("Choose the theme this action belongs to"))
    description = _text("What will be done", "Enter what will be done",
                        hint="Say what will be different, not only what will be written")
    owner_agency = forms.TypedChoiceField(label="Agency that owns the action", coerce=int,
                                          error_messages=_required("Choose the agency that owns the action"))
    owner = forms.TypedChoiceField(
        label="Person responsible (optional)", coerce=int, required=False, empty_value=None,
        help_text="A manager of the owning agency. With no one named, its most senior manager is chased.",
        error_messages=_required("Choose a manager of the owning agency, or no one"),
    )
    timescale_months = forms.TypedChoiceField(
        label="When is it due?", coerce=int, widget=forms.RadioSelect,
        choices=[(value, f"{label} from the plan's start") for value, label in ImprovementAction.Timescale.choices],
        error_messages=_required("Choose 3, 6, 9 or 12 months"),
    )
    expected_impact = _text("Expected impact", "Enter the difference this action should make for children",
                            hint="The difference for children and families, and how you will know")

    def __init__(self, *args: Any, themes: Iterable[ImprovementTheme], agencies: Iterable[Agency],
                 owners: Iterable[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "theme").choices = [(theme.pk, theme.title) for theme in themes]
        self.agency_objects = {agency.pk: agency for agency in agencies}
        _choice_field(self, "owner_agency").choices = [("", "Choose an agency"),
                                               *((pk, a.name) for pk, a in self.agency_objects.items())]
        self.owner_objects = {membership.user_id: membership for membership in owners}
        _choice_field(self, "owner").choices = [("", "No one named"), *(
            (user_id, f"{m.user.display_name} ({m.get_role_display()}, {m.agency.name})")
            for user_id, m in self.owner_objects.items())]


class ProgressForm(forms.Form):
    quarter_starts_on = forms.TypedChoiceField(
        label="Which quarter is this update for?", widget=forms.RadioSelect,
        coerce=date.fromisoformat, error_messages=_required("Choose the quarter this update reports on"),
    )
    rag = forms.ChoiceField(
        label="RAG status", widget=forms.RadioSelect, choices=[
            (Rag.GREEN, "Green: on track, the impact is being seen"),
            (Rag.AMBER, "Amber: some progress, at risk of missing the due date"),
            (Rag.RED, "Red: not on track"),
        ],
        error_messages=_required("Choose red, amber or green"),
    )
    progress = _text("Progress this quarter", "Enter the progress made this quarter", rows=5)
    evidence = _text("Evidence", "Enter the evidence of the progress",
                     hint="What shows it: an audit, a measure on the dashboard, minutes, feedback from families",
                     rows=5)

    def __init__(self, *args: Any, quarters: Iterable[date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "quarter_starts_on").choices = [(q.isoformat(), quarter_name(q)) for q in quarters]
