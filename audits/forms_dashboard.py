"""The dashboard's filters (SPEC 4: period, agency and team), sent with GET so a filtered dashboard, and each
list of records behind its figures, can be bookmarked and shared with a colleague who may see it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from audits.dashboard import DashboardAccess, period_default
from audits.measures_base import Scope
from cases.forms_dates import DatePartsField

PARTS = {"met": "met", "missed": "missed", "all": "all"}


def _choice_field(label: str, message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None,
                                  error_messages={"invalid_choice": message})


class DashboardFilterForm(forms.Form):
    """The period (from and to, inclusive), and the agency and team where the viewer may choose them. A
    dashboard opened without filters shows the last 12 months."""

    start = DatePartsField(label="From", required=False, help_text="For example, 1 4 2026")
    end = DatePartsField(label="To", required=False, help_text="For example, 31 3 2027")
    agency = _choice_field("Agency", "Choose an agency from the list")
    team = _choice_field("Team", "Choose a team from the list")

    def __init__(self, data: QueryDict | None, *, access: DashboardAccess, today: date) -> None:
        self.access = access
        self.today = today
        start, end = period_default(today)
        # Without any filter, the form shows the default period in its boxes.
        filtered = data is not None and any(key in data for key in self.filter_keys())
        super().__init__(data if filtered else None, initial={"start": start, "end": end})
        agency, team = self.fields["agency"], self.fields["team"]
        assert isinstance(agency, forms.TypedChoiceField) and isinstance(team, forms.TypedChoiceField)  # noqa: S101
        agency.choices = [("", "All agencies"), *access.agencies]
        team.choices = ([] if access.team_required else [("", "All teams")]) + list(access.teams)
        if not access.agency_choosable:
            del self.fields["agency"]
        if not access.team_choosable:
            del self.fields["team"]

    @staticmethod
    def filter_keys() -> tuple[str, ...]:
        dates = tuple(f"{name}_{part}" for name in ("start", "end") for part in ("day", "month", "year"))
        return (*dates, "agency", "team")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        end = end or self.today
        start = start or period_default(end)[0]
        try:
            cleaned["scope"] = self.access.scope(start=start, end=end, agency_id=cleaned.get("agency"),
                                                 team_id=cleaned.get("team"))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned

    def scope(self) -> Scope | None:
        """The scope chosen, or None while a filter is wrong (the page then shows the errors, not figures)."""
        if not self.is_bound:
            start, end = period_default(self.today)
            return self.access.scope(start=start, end=end)
        if not self.is_valid():
            return None
        scope: Scope = self.cleaned_data["scope"]
        return scope


def scope_query(scope: Scope, access: DashboardAccess) -> QueryDict:
    """The filters of a scope as the form's query string, for the links to the records behind the figures."""
    query = QueryDict(mutable=True)
    for name, day in (("start", scope.start), ("end", scope.end)):
        query[f"{name}_day"], query[f"{name}_month"], query[f"{name}_year"] = str(day.day), str(day.month), \
            str(day.year)
    if access.agency_choosable and scope.agency_id is not None:
        query["agency"] = str(scope.agency_id)
    if access.team_choosable and scope.team_id is not None:
        query["team"] = str(scope.team_id)
    return query


class DrillForm(forms.Form):
    """Which records of a figure: met, missed or all, and optionally one row of its breakdown (an agency's, or
    a group's)."""

    part = forms.ChoiceField(choices=list(PARTS.items()), required=False,
                             error_messages={"invalid_choice": "Choose met, missed or all records"})
    breakdown_agency = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                              error_messages={"invalid_choice": "Choose an agency from the list"})
    # A breakdown row that is not an agency's (a method; a stage and outcome): the measure reads its key, and a
    # key it does not know lists nothing.
    group = forms.CharField(required=False, max_length=60)

    def __init__(self, data: QueryDict, *, access: DashboardAccess) -> None:
        super().__init__(data)
        breakdown = self.fields["breakdown_agency"]
        assert isinstance(breakdown, forms.TypedChoiceField)  # noqa: S101 - declared above
        breakdown.choices = [("", "All agencies"), *access.partnership_agencies]
