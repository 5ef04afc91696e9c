"""Forms of the incident, escalating-review and Operation Encompass pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone

from agencies.models import Agency
from cases.forms_dates import DatePartsField, time_parse
from cases.models import DashAssessment, Incident, Person
from cases.rules import dash as dash_rules
from cases.rules.risk import is_child_on

ADULT_PARTS = (
    ("", "Not involved"),
    ("victim", "Victim"),
    ("perpetrator", "Alleged perpetrator"),
)
# Young people may be victims or perpetrators too (the statutory definition starts at 16).
CHILD_PARTS = (
    ("", "Not involved"),
    ("child", "Child at the incident"),
    ("victim", "Victim"),
    ("perpetrator", "Alleged perpetrator"),
)
CHILD_FACTS = (
    ("resident", "Lives at the address"),
    ("present", "Was present"),
    ("seen", "Was seen by the officer or worker"),
    ("spoken_to", "Was spoken to"),
)
ANSWER_CHOICES = DashAssessment.Answer.choices
JUDGEMENT_CHOICES = (
    ("", "No, the DASH level stands"),
    (Incident.RiskLevel.MEDIUM, "Yes, medium risk"),
    (Incident.RiskLevel.HIGH, "Yes, high risk"),
)


@dataclass(frozen=True)
class Candidate:
    """A person offered on the form, with the names of their fields."""

    person: Person
    role_field: str
    child_field: str
    is_child: bool


@dataclass(frozen=True)
class ChildChoice:
    person: Person
    resident: bool
    present: bool
    seen: bool
    spoken_to: bool


@dataclass(frozen=True)
class IncidentChoices:
    occurred_at: datetime
    reference: str
    location: str
    summary: str
    victims: tuple[Person, ...]
    perpetrators: tuple[Person, ...]
    children: tuple[ChildChoice, ...]
    dash_answers: dict[str, str] | None
    judgement_level: str
    judgement_reason: str


class IncidentForm(forms.Form):
    """Who, when and where, then the DASH checklist; people are the ones offered (``candidates``)."""

    occurred_on = DatePartsField(label="Date of the incident", required=True,
                                 error_messages={"required": "Enter the date of the incident"},
                                 help_text="For example, 27 3 2025")
    occurred_time = forms.CharField(label="Time of the incident", max_length=5,
                                    help_text="Use the 24-hour clock, for example 21:30",
                                    widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
                                    error_messages={"required": "Enter the time of the incident"})
    location = forms.CharField(label="Where it happened", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="The address or place")
    reference = forms.CharField(label="Reference", required=False, max_length=60,
                                help_text="Your agency's own reference, for example a police incident number",
                                widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))
    summary = forms.CharField(label="What happened", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    find = forms.CharField(label="Find a person by name", required=False, max_length=100,
                           help_text="Add the victims, the alleged perpetrators and the children",
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    judgement_level = forms.ChoiceField(
        label="Does your professional judgement put the risk higher than the DASH score?",
        choices=JUDGEMENT_CHOICES, required=False, widget=forms.RadioSelect,
        help_text="You can raise the level, never lower it",
    )
    judgement_reason = forms.CharField(label="Why you judge the risk higher", required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, candidates: Sequence[Person] = (), finding: bool = False,
                 questions: Sequence[dash_rules.DashQuestion] = dash_rules.QUESTIONS,
                 medium_from: int = dash_rules.DEFAULT_MEDIUM_FROM, high_from: int = dash_rules.DEFAULT_HIGH_FROM,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.finding = finding
        self.medium_from = medium_from
        self.high_from = high_from
        self.candidates: list[Candidate] = []
        today = timezone.localdate()
        for person in candidates:
            role_field, child_field = f"role_{person.pk}", f"child_{person.pk}"
            is_child = is_child_on(person.date_of_birth, today)
            self.fields[role_field] = forms.ChoiceField(
                label=person.full_name, choices=CHILD_PARTS if is_child else ADULT_PARTS, required=False,
                widget=forms.RadioSelect)
            self.fields[child_field] = forms.MultipleChoiceField(
                label=f"If {person.given_name} was a child at the incident, what applies?", choices=CHILD_FACTS,
                required=False, widget=forms.CheckboxSelectMultiple)
            self.candidates.append(Candidate(person, role_field, child_field, is_child))
        self.groups = dash_rules.questions_grouped(questions)
        self.questions = [question for _, group in self.groups for question in group]
        for question in self.questions:
            self.fields[question.id] = forms.ChoiceField(
                label=f"{question.number}. {question.text}", choices=ANSWER_CHOICES, required=False,
                widget=forms.RadioSelect)

    def full_clean(self) -> None:
        # "Find" adds people to the form without checking the rest of it, which is not finished.
        if self.finding:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def clean_occurred_time(self) -> time:
        parsed = time_parse(self.cleaned_data["occurred_time"])
        if parsed is None:
            raise forms.ValidationError("Enter the time as hours and minutes on the 24-hour clock, like 21:30")
        return parsed

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self._clean_when(data)
        self._clean_people(data)
        self._clean_dash(data)
        return data

    def _clean_when(self, data: dict[str, Any]) -> None:
        on, at = data.get("occurred_on"), data.get("occurred_time")
        if on is None or at is None:
            return
        occurred_at = timezone.make_aware(datetime.combine(on, at))
        if occurred_at > timezone.now():
            self.add_error("occurred_on", "The date and time of the incident must be in the past")
        else:
            data["occurred_at"] = occurred_at

    def _clean_people(self, data: dict[str, Any]) -> None:
        victims = [c for c in self.candidates if data.get(c.role_field) == "victim"]
        children = [c for c in self.candidates if data.get(c.role_field) == "child"]
        if not victims:
            target = self.candidates[0].role_field if self.candidates else "find"
            self.add_error(target, "Choose at least one victim" if self.candidates
                           else "Find the people involved and choose at least one victim")
        for candidate in children:
            facts = set(data.get(candidate.child_field) or ())
            name = candidate.person.given_name
            if not facts & {"resident", "present"}:
                self.add_error(candidate.child_field, f"Select whether {name} lives at the address, was present, "
                                                      "or both")
            elif "spoken_to" in facts and "seen" not in facts:
                self.add_error(candidate.child_field, f"{name} cannot have been spoken to without being seen")

    def _clean_dash(self, data: dict[str, Any]) -> None:
        # Questions an officer could not ask stay unanswered and count as not "yes" (cases.rules.dash).
        answers = {q.id: data[q.id] for q in self.questions if data.get(q.id)}
        level, reason = data.get("judgement_level", ""), data.get("judgement_reason", "")
        data["dash_answers"] = answers or None
        if not answers:
            if level:
                self.add_error("judgement_level", "Answer the DASH questions before raising the level")
            return
        try:
            dash_rules.risk_level(self.dash_level(answers), level)
        except forms.ValidationError as error:
            self.add_error("judgement_level", error.message_dict["professional_judgement_level"])
            return
        for message in dash_rules.judgement_errors(level, reason):
            self.add_error("judgement_reason", message)

    def dash_level(self, answers: dict[str, str]) -> str:
        return dash_rules.dash_level(dash_rules.dash_score(answers), medium_from=self.medium_from,
                                     high_from=self.high_from)

    def choices(self) -> IncidentChoices:
        """What the user chose, once the form is valid."""
        data = self.cleaned_data

        def of_role(role: str) -> tuple[Person, ...]:
            return tuple(c.person for c in self.candidates if data.get(c.role_field) == role)

        children = []
        for candidate in self.candidates:
            if data.get(candidate.role_field) == "child":
                facts = set(data.get(candidate.child_field) or ())
                children.append(ChildChoice(candidate.person, "resident" in facts, "present" in facts,
                                            "seen" in facts, "spoken_to" in facts))
        return IncidentChoices(
            occurred_at=data["occurred_at"], reference=data["reference"].strip(), location=data["location"].strip(),
            summary=data["summary"].strip(), victims=of_role("victim"), perpetrators=of_role("perpetrator"),
            children=tuple(children), dash_answers=data["dash_answers"],
            judgement_level=data.get("judgement_level", ""), judgement_reason=data.get("judgement_reason", "").strip(),
        )

    def candidate_fields(self) -> Iterable[tuple[Candidate, forms.BoundField, forms.BoundField]]:
        for candidate in self.candidates:
            yield candidate, self[candidate.role_field], self[candidate.child_field]

    def dash_fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(heading, [self[q.id] for q in questions]) for heading, questions in self.groups]

    def dash_posted(self) -> dict[str, str]:
        """The answers posted so far, valid or not (the page shows their score before any script runs)."""
        if not self.is_bound:
            return {}
        return {q.id: str(self.data.get(q.id)) for q in self.questions if self.data.get(q.id)}

    def score_text(self) -> str:
        """The running score as the page first shows it; static/src/dash.js keeps it up to date as answers change."""
        score = dash_rules.dash_score(self.dash_posted())
        level = dash_rules.dash_level(score, medium_from=self.medium_from, high_from=self.high_from)
        text = f"Score {score} of {len(self.questions)}: {level} risk"
        judgement = str(self.data.get("judgement_level", "")) if self.is_bound else ""
        if judgement in dash_rules.LEVELS and judgement != level:
            if dash_rules.level_rank(judgement) > dash_rules.level_rank(level):
                return f"{text}, raised to {judgement} risk by your professional judgement"
            return f"{text}; your professional judgement cannot lower it"
        return text


class EscalatingReviewForm(forms.Form):
    note = forms.CharField(
        label="What the review found and what happens next",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what the review found and what happens next"},
    )


class EncompassSchoolForm(forms.Form):
    school = forms.ModelChoiceField(
        label="The child's school", queryset=Agency.objects.none(), empty_label="Choose a school",
        error_messages={"required": "Choose the child's school", "invalid_choice": "Choose a school from the list"},
    )

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
