"""Forms of the partner-agency pages: making a referral, answering an agency check, raising and answering an
escalation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone

from agencies.models import Agency
from cases.forms_dates import DatePartsField, time_parse
from cases.models import Incident, InformationShare, Person
from cases.rules.risk import is_child_on
from config.errors import FUTURE_TOLERANCE
from referrals import rules
from referrals.models import EscalationStage, Referral
from referrals.services import NewChild

# Buttons that change the list of children without sending the referral, and a draft given back to its author
# ("draft"): nothing is checked yet.
BROWSE_ACTIONS = frozenset({"find", "add", "use", "remove", "remove_new", "draft"})
# Buttons that check only the new child's details.
NEW_CHILD_ACTIONS = frozenset({"add_new", "confirm_new"})
NEW_CHILD_FIELDS = ("new_given_name", "new_family_name", "new_date_of_birth", "new_sex")
CONSENT_CHOICES = (
    (Referral.Consent.GIVEN, "Yes, the family consented to the referral"),
    (Referral.Consent.REFUSED, "No, the family refused"),
    (Referral.Consent.NOT_SOUGHT, "No, consent was not sought"),
)
SEX_CHOICES = Person.Sex.choices
NO_CONSENT_REASON = "Enter why you are referring without the family's consent"
# The hidden stage of the escalation answer form missing or not a stage: the page was not the one we sent.
STAGE_OUT_OF_DATE = ("This page was out of date: your answer was not saved. Check the stage below and send your"
                     " answer again.")


def new_child_encode(child: NewChild) -> str:
    """A child added on the form but not yet saved, carried in a hidden input until the referral is sent."""
    return json.dumps({
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else "",
        "sex": child.sex,
    })


def new_children_decode(values: Iterable[str]) -> list[NewChild]:
    """The new children posted back; anything malformed is dropped (the form wrote these itself), as is a value
    holding a NUL character (which the database refuses). A name too long is kept, for the page to refuse."""
    children = []
    for value in values:
        if "\x00" in value:
            continue
        try:
            raw = json.loads(value)
            born = raw.get("date_of_birth") or ""
            child = NewChild(
                given_name=str(raw["given_name"]).strip(),
                family_name=str(raw["family_name"]).strip(),
                date_of_birth=date.fromisoformat(born) if born else None,
                sex=raw.get("sex") if raw.get("sex") in Person.Sex.values else Person.Sex.UNKNOWN,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        if "\x00" in child.given_name + child.family_name:
            continue  # written into the JSON as \u0000
        if child.given_name and child.family_name:
            children.append(child)
    return children


def incident_label(incident: Incident) -> str:
    reference = incident.reference or "no reference"
    return f"{timezone.localtime(incident.occurred_at):%d %b %Y}, {reference} ({incident.reported_by.name})"


class ReferralForm(forms.Form):
    """The referral (SPEC 3.3), in the page's order: the children, the concerns, the family and consent, who
    refers and when. The children chosen so far travel in hidden inputs the view reads itself.

    ``action`` is the button pressed: "send" checks everything; "find", "add", "use" (a record offered as
    a duplicate), "remove" and "remove_new" only change the list of children; "add_new" and "confirm_new"
    check the new child's details alone.
    """

    find = forms.CharField(label="Find a child by name", required=False, max_length=100,
                           help_text="A name, a date of birth (for example 3/2/2016) or an NHS number",
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    new_given_name = forms.CharField(label="Given name", required=False, max_length=100,
                                     widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    new_family_name = forms.CharField(label="Family name", required=False, max_length=100,
                                      widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    new_date_of_birth = DatePartsField(label="Date of birth", required=False, past=True,
                                       help_text="For example, 27 3 2019. Leave it blank if you do not know it.")
    new_sex = forms.ChoiceField(label="Sex", choices=SEX_CHOICES, required=False, widget=forms.RadioSelect)
    concerns = forms.CharField(
        label="What are you worried about?", widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What happened, to whom, when, and what the child said or how they seemed",
        error_messages={"required": "Describe the concerns: what happened, to whom, and what worries you"},
    )
    categories = forms.MultipleChoiceField(label="What kinds of concern are these?", required=False,
                                           choices=Referral.Category.choices, widget=forms.CheckboxSelectMultiple,
                                           help_text="Select all that apply")
    urgency = forms.ChoiceField(label="How urgent is it?", choices=Referral.Urgency.choices,
                                widget=forms.RadioSelect, initial=Referral.Urgency.STANDARD,
                                error_messages={"required": "Select how urgent the referral is"})
    incident = forms.ChoiceField(label="Linked incident (optional)", required=False,
                                 help_text="Incidents you can see that involve the children you have added",
                                 error_messages={"invalid_choice": "Choose an incident from the list"})
    family_told = forms.CharField(label="What was the family told about this referral?", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    consent = forms.ChoiceField(label="Did the family consent to the referral?", choices=CONSENT_CHOICES,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select whether the family consented to the referral"})
    consent_reason_refused = forms.CharField(
        label="Why are you referring without the family's consent?", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, that a child is at risk of significant harm")
    consent_reason_not_sought = forms.CharField(
        label="Why was consent not sought?", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, that asking would put a child at risk of significant harm, or increase the risk")
    lawful_basis = forms.ChoiceField(label="Lawful basis for sharing", choices=InformationShare.LawfulBasis.choices,
                                     widget=forms.RadioSelect, initial=InformationShare.LawfulBasis.PUBLIC_TASK,
                                     error_messages={"required": "Select the lawful basis for sharing"})
    received_on = DatePartsField(label="Date the referral was received", required=True, past=True,
                                 error_messages={"required": "Enter the date the referral was received"},
                                 help_text="For example, 27 3 2025")
    received_time = forms.CharField(label="Time the referral was received", max_length=5,
                                    help_text="Use the 24-hour clock, for example 14:30",
                                    widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
                                    error_messages={"required": "Enter the time the referral was received"})
    referrer_agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        label="Referring agency", queryset=None, empty_label="Choose an agency",
        help_text="The agency the referral comes from: record a telephone contact under the caller's agency",
        error_messages={"required": "Choose the referring agency", "invalid_choice": "Choose an agency from the list"},
    )
    referrer_name = forms.CharField(label="Name of the person referring", required=False, max_length=200,
                                    widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}))
    referrer_contact = forms.CharField(label="Their telephone number or e-mail address", required=False,
                                       max_length=200,
                                       widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args: Any, action: str = "send", agencies: Any = None,
                 incidents: Sequence[Incident] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        if agencies is None:
            # A partner agency refers for itself; only children's social care records others' contacts.
            del self.fields["referrer_agency"]
        else:
            self.fields["referrer_agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["incident"].choices = [("", "No linked incident")] + [  # type: ignore[attr-defined]
            (str(incident.pk), incident_label(incident)) for incident in incidents
        ]

    @property
    def picks_agency(self) -> bool:
        return "referrer_agency" in self.fields

    def full_clean(self) -> None:
        if self.action in BROWSE_ACTIONS:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()
        if self.action in NEW_CHILD_ACTIONS:
            # The rest of the referral is not finished yet: only the new child's details are checked.
            for name in list(self._errors):
                if name not in NEW_CHILD_FIELDS:
                    del self._errors[name]

    def clean_received_time(self) -> time:
        parsed = time_parse(self.cleaned_data["received_time"])
        if parsed is None:
            raise forms.ValidationError("Enter the time as hours and minutes on the 24-hour clock, like 14:30")
        return parsed

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_new_child(data)
        if self.action == "send":
            self._clean_received(data)
            self._clean_consent(data)
        return data

    def new_child_typed(self) -> bool:
        """Whether anything was typed for a new child (the sex alone does not count)."""
        if not self.is_bound:
            return False
        parts = ("new_given_name", "new_family_name", "new_date_of_birth_day", "new_date_of_birth_month",
                 "new_date_of_birth_year")
        return any(str(self.data.get(name, "")).strip() for name in parts)

    def _clean_new_child(self, data: dict[str, Any]) -> None:
        data["new_child"] = None
        if self.action not in NEW_CHILD_ACTIONS and not (self.action == "send" and self.new_child_typed()):
            return
        given, family = data.get("new_given_name", "").strip(), data.get("new_family_name", "").strip()
        if not given:
            self.add_error("new_given_name", "Enter the child's given name")
        if not family:
            self.add_error("new_family_name", "Enter the child's family name")
        born = data.get("new_date_of_birth")
        if born is not None and not is_child_on(born, timezone.localdate()):
            self.add_error("new_date_of_birth", "The person must be under 18: refer adults to adult services")
        if given and family and not any(self.has_error(name) for name in NEW_CHILD_FIELDS):
            data["new_child"] = NewChild(given_name=given, family_name=family, date_of_birth=born,
                                         sex=data.get("new_sex") or Person.Sex.UNKNOWN)

    def _clean_received(self, data: dict[str, Any]) -> None:
        on, at = data.get("received_on"), data.get("received_time")
        if on is None or at is None:
            return
        received_at = timezone.make_aware(datetime.combine(on, at))
        if received_at > timezone.now() + FUTURE_TOLERANCE:
            self.add_error("received_time", "The time the referral was received must be in the past")
        else:
            data["received_at"] = received_at

    def _clean_consent(self, data: dict[str, Any]) -> None:
        consent = data.get("consent")
        data["consent_reason"] = ""
        if not consent or consent == Referral.Consent.GIVEN:
            return
        field = f"consent_reason_{consent}"
        reason = (data.get(field) or "").strip()
        if not reason:
            self.add_error(field, NO_CONSENT_REASON)
        data["consent_reason"] = reason

    def consent_reason_field(self) -> str:
        """The reason field for the consent chosen, where the service's objections to the reason are shown."""
        consent = str(self.data.get("consent", "")) if self.is_bound else ""
        return f"consent_reason_{consent}" if consent in (Referral.Consent.REFUSED, Referral.Consent.NOT_SOUGHT) \
            else "consent"

    def consent_options(self) -> list[dict[str, Any]]:
        """The consent radios with the reason each reveals (the GOV.UK conditional reveal)."""
        options = []
        for option in self["consent"].subwidgets:
            value = str(option.data["value"])
            options.append({
                "option": option,
                "value": value,
                "reason": self[f"consent_reason_{value}"] if value != Referral.Consent.GIVEN else None,
            })
        return options


class CheckAnswerForm(forms.Form):
    information = forms.CharField(
        label="What does your agency know about the children and their family?",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Include involvement now and in the past, concerns, and who to contact. If your agency holds"
                  " nothing, say so.",
        error_messages={"required": "Say what your agency knows, or that it holds nothing"},
    )


class EscalationRaiseForm(forms.Form):
    reason = forms.CharField(
        label="What do you disagree with, and why?",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Say what the decision should have been, and the information it did not take into account",
        error_messages={"required": "Say what you disagree with and why"},
    )


class EscalationRespondForm(forms.Form):
    outcome = forms.ChoiceField(label="Your answer", widget=forms.RadioSelect,
                                error_messages={"required": "Select whether the disagreement is resolved"})
    response = forms.CharField(label="Your response", widget=forms.Textarea(attrs={"rows": 6}),
                               help_text="What you decided and why; the agency that raised it is told",
                               error_messages={"required": "Give your response to the disagreement"})
    # The stage the page showed: an answer to a stage that has since climbed is refused, not moved on.
    stage = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=rules.LAST_STAGE)

    def __init__(self, *args: Any, stage: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].initial = stage
        choices = [(EscalationStage.Outcome.RESOLVED.value, "Resolved: the disagreement is settled at this stage")]
        if stage < rules.LAST_STAGE:
            choices.append((EscalationStage.Outcome.ESCALATE.value,
                            f"Not resolved: escalate to stage {stage + 1} ({rules.STAGE_NAMES[stage + 1]})"))
        self.fields["outcome"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "stage" in self.errors:
            # Not "Enter a whole number" against a field nobody sees: the page itself is out of date.
            del self.errors["stage"]
            self.add_error(None, STAGE_OUT_OF_DATE)
        return data


class UnsavedAnswerForm(forms.Form):
    """An answer to a stage that is over, given back to copy: nothing here is sent again."""

    response = forms.CharField(label="Your answer (not saved)", required=False,
                               widget=forms.Textarea(attrs={"rows": 6}))
