"""Forms of the plan pages: a plan made or changed with its actions, and a version distributed.

A plan's actions are rows of fields named ``action_<n>_<field>``: the page offers three blank rows (a new plan) or
one (a plan changed), and "Add another action" sends the page back with one more, keeping what was typed; no
script is needed. A row left wholly blank is not an action.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone

from agencies.models import Agency, Membership
from cases.forms_dates import DatePartsField
from cases.models import Plan, PlanAction, PlanDistribution
from cases.rules.plans import ActionDraft
from cases.selectors.plans import FamilyOption
from strategy_meetings.forms_record import OwnerGroup, OwnerOption

ROW_FIELDS = ("description", "party", "agency", "owner", "family_member", "due_by")
BLANK_ROWS_NEW = 3
BLANK_ROWS_CHANGE = 1
MAX_ROWS = 40
ADD_ROW = "add_action"


def _example_date() -> str:
    example = timezone.localdate() + timedelta(days=14)
    return f"For example, {example.day} {example.month} {example.year}"


class ActionRowsForm(forms.Form):
    """The rows of actions, and how they become drafts for the services."""

    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ROWS)

    def __init__(self, *args: Any, row_count: int, agencies: Sequence[Agency], memberships: Sequence[Membership],
                 family: Sequence[FamilyOption], existing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            row_count = _rows_typed(self.data, row_count)
            # The page sent back carries the new count, so the next save reads every row.
            if isinstance(self.data, QueryDict):
                data = self.data.copy()
                data["rows"] = str(row_count)
                self.data = data
            else:
                self.data = {**self.data, "rows": str(row_count)}
        self.row_count = row_count
        self.fields["rows"].initial = row_count
        self.people = {str(m.user_id): m for m in memberships}
        by_agency: dict[int, list[Membership]] = {}
        for membership in memberships:
            by_agency.setdefault(membership.agency_id, []).append(membership)
        self.owner_agencies = [(people[0].agency.name, people) for people in by_agency.values()]
        agency_choices = [("", "Choose an agency"), *((str(a.pk), a.name) for a in agencies)]
        owner_choices: list[Any] = [("", "Not named: anyone at the agency"), *(
            (name, [(str(m.user_id), m.user.display_name) for m in people]) for name, people in self.owner_agencies
        )]
        family_choices = [("", "Choose a member of the family"), *((str(f.person_id), f.label) for f in family)]
        example = _example_date()
        for n in range(row_count):
            number = n + 1
            if existing:
                self.fields[f"action_{n}_id"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
                self.fields[f"action_{n}_remove"] = forms.BooleanField(
                    label="Take this action off the plan", required=False)
            self.fields[f"action_{n}_description"] = forms.CharField(
                label="What is to be done", required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Specific enough that anyone can tell whether it was done.",
            )
            self.fields[f"action_{n}_party"] = forms.ChoiceField(
                label="Who does it", required=False, choices=PlanAction.Party.choices, widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Action {number}: choose who does it"},
            )
            self.fields[f"action_{n}_agency"] = forms.ChoiceField(
                label="Agency (for a professional or agency)", required=False, choices=agency_choices,
                error_messages={"invalid_choice": f"Action {number}: choose one of the agencies listed"},
            )
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label="Person at the agency (optional)", required=False, choices=owner_choices,
                help_text="Without a name, the agency's practitioners are told.",
                error_messages={"invalid_choice": f"Action {number}: choose someone listed, or no one"},
            )
            self.fields[f"action_{n}_family_member"] = forms.ChoiceField(
                label="Member of the family (for anyone else)", required=False, choices=family_choices,
                error_messages={"invalid_choice": f"Action {number}: choose a member of the family listed"},
            )
            self.fields[f"action_{n}_due_by"] = DatePartsField(label="Due by", required=False, help_text=example)

    def without_errors(self) -> ActionRowsForm:
        """The form as typed, shown again without checking it (when a row is added)."""
        self._errors = ErrorDict()
        return self

    def row_fields(self) -> list[dict[str, Any]]:
        """Each row's bound fields, for the template."""
        rows = []
        for n in range(self.row_count):
            row: dict[str, Any] = {"number": n + 1, "anchor": f"action-{n + 1}"}
            for name in (*ROW_FIELDS, "id", "remove"):
                key = f"action_{n}_{name}"
                row[name] = self[key] if key in self.fields else None
            row["owner_groups"] = self._owner_groups(n)
            row["existing"] = bool(self._raw(n, "id"))
            rows.append(row)
        return rows

    def _raw(self, n: int, name: str) -> Any:
        key = f"action_{n}_{name}"
        if key not in self.fields:
            return None
        return self[key].value()

    def _owner_groups(self, n: int) -> list[OwnerGroup]:
        chosen = str(self._raw(n, "owner") or "")
        return [
            OwnerGroup(agency=name, options=[
                OwnerOption(value=str(m.user_id), label=m.user.display_name, selected=chosen == str(m.user_id))
                for m in people
            ])
            for name, people in self.owner_agencies
        ]

    def _blank(self, n: int) -> bool:
        values = [self.cleaned_data.get(f"action_{n}_{name}") for name in ROW_FIELDS]
        return not any(values) and not self.cleaned_data.get(f"action_{n}_id")

    def drafts(self) -> list[tuple[int, ActionDraft]]:
        """(row, draft) for each row filled in and kept, in order."""
        drafts = []
        for n in range(self.row_count):
            if self._blank(n) or self.cleaned_data.get(f"action_{n}_remove"):
                continue
            data = self.cleaned_data
            drafts.append((n, ActionDraft(
                description=data.get(f"action_{n}_description") or "",
                party=data.get(f"action_{n}_party") or "",
                due_by=data.get(f"action_{n}_due_by"),
                agency_id=_number(data, n, "agency"),
                owner_id=_number(data, n, "owner"),
                family_member_id=_number(data, n, "family_member"),
                action_id=_number(data, n, "id"),
            )))
        return drafts

    def service_errors(self, errors: dict[str, list[str]], rows: Sequence[int]) -> None:
        """A service's errors onto the fields: ``actions.<k>.<field>`` to the k-th draft's row, prefixed with the
        action's number; ``actions`` to the first action's "who does it"."""
        for key, problems in errors.items():
            head, _, rest = key.partition(".")
            if head == "actions" and rest:
                index, _, name = rest.partition(".")
                row = rows[int(index)] if int(index) < len(rows) else 0
                field = f"action_{row}_{name}"
                self.add_error(field if field in self.fields else None,
                               [f"Action {row + 1}: {problem[0].lower()}{problem[1:]}" for problem in problems])
            elif head == "actions":
                first = rows[0] if rows else 0
                self.add_error(f"action_{first}_party", problems)
            elif head in self.fields:
                self.add_error(head, problems)
            else:
                self.add_error(None, problems)


def _number(data: dict[str, Any], n: int, name: str) -> int | None:
    value = data.get(f"action_{n}_{name}")
    return int(value) if value else None


def _rows_typed(data: Any, default: int) -> int:
    try:
        count = int(data.get("rows") or default)
    except (TypeError, ValueError):
        count = default
    if ADD_ROW in data:
        count += 1
    return max(1, min(count, MAX_ROWS))


class PlanCreateForm(ActionRowsForm):
    kind = forms.ChoiceField(label="What kind of plan is it?", choices=Plan.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the kind of plan",
                                             "invalid_choice": "Choose the kind of plan"})
    what_must_change = forms.CharField(
        label="What must change for the child", max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the child is living with now, and what their life must be like for the plan to end.",
        error_messages={"required": "Say what must change for the child"},
    )
    starts_on = DatePartsField(label="Date the plan starts",
                               error_messages={"required": "Enter the date the plan starts"})
    review_by = DatePartsField(label="Review by (optional)", required=False)

    field_order = ["kind", "what_must_change", "starts_on", "review_by"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["starts_on"].help_text = f"For example, {today.day} {today.month} {today.year}"


class PlanEditForm(ActionRowsForm):
    what_must_change = forms.CharField(
        label="What must change for the child", max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say what must change for the child"},
    )
    review_by = DatePartsField(label="Review by (optional)", required=False)
    change_note = forms.CharField(
        label="What changed, and why", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the new version, so everyone given the plan can see what is different.",
        error_messages={"required": "Say what changed and why"},
    )
    # The plan's version when the page was opened: a save over someone else's change is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    field_order = ["what_must_change", "review_by"]

    @staticmethod
    def initial_for(plan: Plan, actions: Sequence[PlanAction]) -> dict[str, Any]:
        initial: dict[str, Any] = {"what_must_change": plan.what_must_change, "review_by": plan.review_by,
                                   "version": plan.version}
        for n, action in enumerate(actions):
            initial |= {
                f"action_{n}_id": action.pk,
                f"action_{n}_description": action.description,
                f"action_{n}_party": action.party,
                f"action_{n}_agency": str(action.agency_id or ""),
                f"action_{n}_owner": str(action.owner_id or ""),
                f"action_{n}_family_member": str(action.family_member_id or ""),
                f"action_{n}_due_by": action.due_by,
            }
        return initial


class DistributeForm(forms.Form):
    """Who is given the latest version: the agencies (told in the system) and members of the family, and how the
    family were given it."""

    agencies = forms.MultipleChoiceField(label="Agencies", required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text="Each agency's practitioners are told in the system.")
    family_members = forms.MultipleChoiceField(label="Members of the family", required=False,
                                               widget=forms.CheckboxSelectMultiple,
                                               help_text="Those the plan has been given to, or is being given to.")
    method = forms.ChoiceField(
        label="How was the plan given to the family?", required=False, widget=forms.RadioSelect,
        choices=[(m.value, m.label) for m in (PlanDistribution.Method.SECURE_EMAIL, PlanDistribution.Method.IN_PERSON,
                                                PlanDistribution.Method.POST)],
        error_messages={"invalid_choice": "Choose how the plan was given to the family"},
    )
    # The version the page showed: distributing a version the user has not seen is refused.
    version_shown = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agencies: Sequence[Agency], family: Sequence[FamilyOption],
                 received: tuple[set[int], set[int]], version: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency_objects = {str(a.pk): a for a in agencies}
        had_agencies, had_people = received
        has = f" (already has version {version})"
        agencies_field = self.fields["agencies"]
        assert isinstance(agencies_field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        agencies_field.choices = [(str(a.pk), a.name + (has if a.pk in had_agencies else "")) for a in agencies]
        family_field = self.fields["family_members"]
        assert isinstance(family_field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        family_field.choices = [(str(f.person_id), f.label + (has if f.person_id in had_people else ""))
                                for f in family]
