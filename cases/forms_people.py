"""Forms of the people and household pages, in GOV.UK patterns (templates/cases/people/)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from agencies.models import Agency
from cases.forms_dates import DatePartsField
from cases.models import Person
from cases.rules.people import nhs_number_normalise, nhs_number_valid

INTERPRETER_CHOICES = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]
INTERPRETER_VALUES = {"yes": True, "no": False, "not_known": None, "": None}


def _agencies(agencies: QuerySet[Agency], **kind: str) -> QuerySet[Agency]:
    return agencies.filter(**kind).prefetch_related(None).order_by("name")


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class PersonForm(forms.Form):
    """A person's details: the create and edit pages. Field names are those of the services' keywords."""

    given_name = forms.CharField(label="Given name", max_length=100,
                                 error_messages={"required": "Enter the person's given name"})
    family_name = forms.CharField(label="Family name", max_length=100,
                                  error_messages={"required": "Enter the person's family name"})
    other_names = forms.CharField(label="Other names (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="Aliases and previous names, one on each line")
    date_of_birth = DatePartsField(label="Date of birth", required=False, past=True,
                                   help_text="For example, 27 3 2015. Leave blank for an unborn child.")
    date_of_birth_estimated = forms.BooleanField(label="The date of birth is an estimate", required=False)
    expected_date_of_birth = DatePartsField(label="Expected date of birth", required=False,
                                            help_text="For an unborn child. For example, 14 9 2026")
    sex = forms.ChoiceField(label="Sex", choices=Person.Sex.choices, required=False, widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(label="Ethnicity", required=False,
                                  choices=[("", "Not recorded"), *Person.Ethnicity.choices],
                                  help_text="Department for Education ethnicity codes")
    religion = forms.CharField(label="Religion (optional)", max_length=100, required=False)
    first_language = forms.CharField(label="First language", max_length=100, required=False)
    interpreter_needed = forms.ChoiceField(label="Is an interpreter needed?", choices=INTERPRETER_CHOICES,
                                           required=False, widget=forms.RadioSelect)
    disabilities = forms.CharField(label="Disabilities (optional)", required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=14, help_text="10 digits",
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}))
    upn = forms.CharField(label="Unique pupil number (UPN)", required=False, max_length=13,
                          help_text="13 characters, for example A123456789012",
                          widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}))
    school = AgencyChoiceField(label="School", queryset=Agency.objects.none(), required=False,
                               empty_label="Not recorded")
    gp_practice = AgencyChoiceField(label="GP practice", queryset=Agency.objects.none(), required=False,
                                    empty_label="Not recorded")
    health_visiting = AgencyChoiceField(label="Health visiting service", queryset=Agency.objects.none(),
                                        required=False, empty_label="Not recorded")

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["school"].queryset = _agencies(agencies, kind=Agency.Kind.EDUCATION)
        fields["gp_practice"].queryset = _agencies(agencies, kind=Agency.Kind.HEALTH,
                                                   health_kind=Agency.HealthKind.GP)
        fields["health_visiting"].queryset = _agencies(agencies, kind=Agency.Kind.HEALTH,
                                                       health_kind=Agency.HealthKind.HEALTH_VISITING)
        fields["given_name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        fields["family_name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        interpreter = {True: "yes", False: "no", None: "not_known"}[person.interpreter_needed]
        return {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "other_names": "\n".join(person.other_names),
            "date_of_birth": person.date_of_birth,
            "date_of_birth_estimated": person.date_of_birth_estimated,
            "expected_date_of_birth": person.expected_date_of_birth,
            "sex": person.sex,
            "ethnicity": person.ethnicity,
            "religion": person.religion,
            "first_language": person.first_language,
            "interpreter_needed": interpreter,
            "disabilities": person.disabilities,
            "nhs_number": person.nhs_number,
            "upn": person.upn,
            "school": person.school_id,
            "gp_practice": person.gp_practice_id,
            "health_visiting": person.health_visiting_id,
        }

    def clean_nhs_number(self) -> str:
        number = nhs_number_normalise(self.cleaned_data["nhs_number"])
        if number and (len(number) != 10 or not number.isdigit()):
            raise ValidationError("NHS number must be 10 digits")
        if number and not nhs_number_valid(number):
            raise ValidationError("Enter a real NHS number: check the digits against the NHS card or letter")
        return number

    def clean_upn(self) -> str:
        return str(self.cleaned_data["upn"]).strip().upper()

    def clean_other_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["other_names"].splitlines() if line.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date_of_birth") and cleaned.get("expected_date_of_birth"):
            self.add_error("expected_date_of_birth",
                           "Enter an expected date of birth only for an unborn child, not as well as a date of birth")
        if cleaned.get("date_of_birth_estimated") and not cleaned.get("date_of_birth") and \
                "date_of_birth" not in self.errors:
            self.add_error("date_of_birth", "Enter the estimated date of birth")
        return cleaned

    def person_values(self) -> dict[str, Any]:
        """The cleaned values as the services' keyword arguments."""
        values = {name: self.cleaned_data[name] for name in self.fields}
        values["sex"] = values["sex"] or Person.Sex.UNKNOWN
        values["interpreter_needed"] = INTERPRETER_VALUES[values["interpreter_needed"]]
        return values


class PersonCreateForm(PersonForm):
    # Asked only when the details match records already there (the no-JavaScript duplicate check).
    confirm_new = forms.BooleanField(label="This is a new person, not one of the records listed", required=False)

    def person_values(self) -> dict[str, Any]:
        values = super().person_values()
        del values["confirm_new"]
        return values


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DuplicateCheckForm(forms.Form):
    """The names and date of birth typed so far on the create form (the live duplicate check)."""

    given_name = forms.CharField(max_length=100, required=False)
    family_name = forms.CharField(max_length=100, required=False)
    date_of_birth = DatePartsField(required=False, label="Date of birth")


class FindForm(forms.Form):
    q = forms.CharField(label="Name, date of birth or NHS number", max_length=200, required=False,
                        help_text="For example, Jayden Smith, 4/3/2015 or 943 476 5919",
                        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off"}))


class KnownSearchForm(forms.Form):
    name = forms.CharField(label="Child's full name", max_length=200,
                           error_messages={"required": "Enter the child's full name"},
                           widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))
    date_of_birth = DatePartsField(label="Date of birth", required=True, past=True,
                                   help_text="For example, 27 3 2015",
                                   error_messages={"required": "Enter the child's date of birth"})


class BreakGlassForm(forms.Form):
    reason = forms.CharField(label="Why do you need to open this record?", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="Your reason is recorded and the record's manager is told.",
                             error_messages={"required": "Enter why you need to open this record"})


class MergeChooseForm(forms.Form):
    duplicate = forms.TypedChoiceField(label="Which record is a duplicate of this one?", coerce=int,
                                       widget=forms.RadioSelect,
                                       error_messages={"required": "Select the record that is a duplicate"})

    def __init__(self, *args: Any, choices: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["duplicate"]
        field.choices = list(choices)


class HouseholdForm(forms.Form):
    address = forms.CharField(label="Address", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "Enter the household's address"})
    postcode = forms.CharField(label="Postcode", max_length=10, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                             "autocapitalize": "characters"}))

    def clean_postcode(self) -> str:
        return " ".join(str(self.cleaned_data["postcode"]).upper().split())


class MemberAddForm(forms.Form):
    person = forms.TypedChoiceField(label="Person to add", coerce=int,
                                    error_messages={"required": "Select the person who lives here"})
    joined_on = DatePartsField(label="Moved in (optional)", required=False, past=True,
                               help_text="For example, 1 9 2024")

    def __init__(self, *args: Any, choices: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["person"]
        field.choices = [("", "Select a person"), *choices]
