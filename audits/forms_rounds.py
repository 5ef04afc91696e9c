"""The forms of the case-file audit pages: drawing a round, an agency's review, the moderation, an action for the
improvement plan, closing the round. The services check everything again; their refusals land on these fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from agencies.models import Agency, User
from audits import rules_rounds as rules
from audits.models import AuditAnswer, AuditQuestion, AuditReview, Grade, ImprovementAction, ImprovementTheme
from audits.services_rounds import AnswerGiven
from cases.forms_dates import DatePartsField


class ServiceErrorsMixin(forms.Form):
    def service_errors(self, error: ValidationError) -> None:
        """A service's field-level refusal, on the field it names (the rest on the whole form)."""
        for name, messages in error.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class RoundCreateForm(ServiceErrorsMixin):
    theme = forms.CharField(label="Theme", max_length=200, help_text="For example, domestic abuse",
                            error_messages={"required": "Enter the round's theme, for example domestic abuse."})
    sample_size = forms.IntegerField(
        label="How many cases to sample", min_value=rules.SAMPLE_SIZE_MIN, max_value=rules.SAMPLE_SIZE_MAX,
        help_text=f"From {rules.SAMPLE_SIZE_MIN} to {rules.SAMPLE_SIZE_MAX}, drawn at random from the cases with"
                  " activity in the last 12 months",
        error_messages={
            "required": "Enter how many cases to sample.",
            "invalid": "The sample size must be a whole number, like 10.",
            "min_value": f"The sample must be between {rules.SAMPLE_SIZE_MIN} and {rules.SAMPLE_SIZE_MAX} cases.",
            "max_value": f"The sample must be between {rules.SAMPLE_SIZE_MIN} and {rules.SAMPLE_SIZE_MAX} cases.",
        },
    )
    seed = forms.IntegerField(
        label="Seed (optional)", required=False, min_value=0, max_value=rules.SEED_MAX,
        help_text="Leave blank for a new random seed; give a past round's seed to draw the same sample again",
        error_messages={"invalid": "The seed must be a whole number.",
                        "min_value": f"The seed must be a whole number from 0 to {rules.SEED_MAX}.",
                        "max_value": f"The seed must be a whole number from 0 to {rules.SEED_MAX}."},
    )
    closes_on = DatePartsField(label="Closes on", help_text="Auditors read the sampled cases until this day",
                               error_messages={"required": "Enter the day the round closes."})
    auditors = forms.MultipleChoiceField(
        label="Auditors", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one auditor.",
                        "invalid_choice": "Choose auditors of this partnership."},
    )

    def __init__(self, *args: Any, auditors: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["auditors"]).choices = [
            (str(user.pk), f"{user.get_full_name() or user.get_username()}, {user.membership.agency.name}")
            for user in auditors
        ]
        self.fields["theme"].widget.attrs["spellcheck"] = "true"
        self.fields["sample_size"].widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})
        self.fields["seed"].widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})


def _grade_field(label: str, required_message: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Grade.choices, widget=forms.RadioSelect,
                             error_messages={"required": required_message})


class ReviewForm(ServiceErrorsMixin):
    """The audit tool: each question answered yes, partly, no or not applicable with a comment; then a grade."""

    grade = _grade_field("Your agency's grade for this case", "Choose the grade for your agency's work on this case.")
    strengths = forms.CharField(label="Strengths", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    concerns = forms.CharField(label="Concerns", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions: dict[str, forms.Field] = {}
        for question in AuditQuestion:
            questions[f"answer_{question.value}"] = forms.ChoiceField(
                label=question.label, choices=AuditAnswer.Answer.choices, widget=forms.RadioSelect,
                error_messages={"required": f"Answer: {question.label}"},
            )
            questions[f"comment_{question.value}"] = forms.CharField(
                label="Comment (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
            )
        # The questions first, in the tool's order, then the grade: the order the error summary lists them.
        self.fields = {**questions, **self.fields}

    @staticmethod
    def initial_for(review: AuditReview | None) -> dict[str, Any]:
        if review is None:
            return {"version": 0}
        initial: dict[str, Any] = {"grade": review.grade, "strengths": review.strengths,
                                   "concerns": review.concerns, "version": review.version}
        for answer in review.answers.all():
            initial[f"answer_{answer.question}"] = answer.answer
            initial[f"comment_{answer.question}"] = answer.comment
        return initial

    def question_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"answer_{q.value}"], self[f"comment_{q.value}"]) for q in AuditQuestion]

    def answers(self) -> Mapping[str, AnswerGiven]:
        data = self.cleaned_data
        return {q.value: AnswerGiven(data.get(f"answer_{q.value}", ""), data.get(f"comment_{q.value}", ""))
                for q in AuditQuestion}


class ModerationForm(ServiceErrorsMixin):
    moderated_grade = _grade_field("Moderated overall grade", "Choose the moderated overall grade.")
    findings = forms.CharField(label="Findings", widget=forms.Textarea(attrs={"rows": 5}),
                               help_text="The round's report, read by every member of staff once it closes, quotes"
                                         " this: write \"the child\" and \"the family\", never a name",
                               error_messages={"required": "Enter the findings: what the audit found in this case."})
    learning_points = forms.CharField(label="Learning points", widget=forms.Textarea(attrs={"rows": 5}),
                                      help_text="What practitioners should take from this case, without naming"
                                                " anyone",
                                      error_messages={"required": "Enter the learning points for practitioners."})
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ActionForm(ServiceErrorsMixin):
    theme = forms.TypedChoiceField(label="Improvement plan theme", coerce=int,
                                   error_messages={"required": "Choose the improvement plan's theme this action"
                                                               " belongs to."})
    description = forms.CharField(label="What will be done", widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": "Enter what will be done."})
    owner_agency = forms.TypedChoiceField(label="Owner agency", coerce=int,
                                          error_messages={"required": "Choose the agency that owns the action."})
    timescale_months = forms.TypedChoiceField(
        label="Due in", coerce=int, choices=ImprovementAction.Timescale.choices, widget=forms.RadioSelect,
        help_text="From the start of the improvement plan",
        error_messages={"required": "Choose 3, 6, 9 or 12 months."},
    )
    expected_impact = forms.CharField(
        label="Expected impact", widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the difference this action should make for children."},
    )

    def __init__(self, *args: Any, themes: Sequence[ImprovementTheme], agencies: Sequence[Agency],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme_choices = [(t.pk, f"{t.plan.title}: {t.title}") for t in themes]
        cast(forms.ChoiceField, self.fields["theme"]).choices = [("", "Choose a theme"), *theme_choices]
        agency_choices = [(a.pk, a.name) for a in agencies]
        cast(forms.ChoiceField, self.fields["owner_agency"]).choices = [("", "Choose an agency"), *agency_choices]

class CloseForm(ServiceErrorsMixin):
    summary = forms.CharField(label="The round's overall findings (optional)", required=False,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="Shown at the top of the report, which every member of staff can read once"
                                        " the round is closed. Do not name any child.")
