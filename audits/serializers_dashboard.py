"""``GET /api/v1/dashboard/``: its query (API.md "Oversight": ``?from=&to=&agency=``, and ``team``) and its
answer, every SPEC 4 figure as ``{value, numerator, denominator}``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from audits.measures_base import Figure


class DashboardQuerySerializer(serializers.Serializer[Any]):
    to = serializers.DateField(required=False, help_text="The last day of the period (default: today)")
    agency = serializers.IntegerField(required=False, min_value=1, help_text="Only this agency's figures")
    team = serializers.IntegerField(required=False, min_value=1, help_text="Only this team's figures")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "from" is a Python keyword, so it cannot be declared as the other fields are.
        fields: dict[str, serializers.Field[Any, Any, Any, Any]] = {"from": serializers.DateField(required=False,
                                                help_text="The first day of the period (default: 12 months"
                                                          " before its last day)")}
        fields.update(super().get_fields())
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and end < start:
            raise serializers.ValidationError({"to": ["The end of the period must be the same as or after its"
                                                      " start."]})
        return attrs


class BreakdownSerializer(serializers.Serializer[Figure]):
    agency = serializers.IntegerField(source="agency_id", allow_null=True,
                                      help_text="The agency of this row, where the breakdown is by agency")
    label = serializers.CharField()  # type: ignore[assignment]  # the field named "label", not a field's label
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)


class FigureSerializer(serializers.Serializer[Figure]):
    label = serializers.CharField()  # type: ignore[assignment]  # the field named "label", not a field's label
    unit = serializers.ChoiceField(choices=["percent", "hours", "count"])
    value = serializers.FloatField(allow_null=True, help_text="A percentage, a median in hours, or a count; null"
                                                              " when there is nothing to measure")
    numerator = serializers.IntegerField(allow_null=True, help_text="The records that met it (null for a median)")
    denominator = serializers.IntegerField(allow_null=True,
                                           help_text="The records measured (null for a count)")
    target = serializers.FloatField(allow_null=True, help_text="The partnership's target, where it sets one")
    breakdown = BreakdownSerializer(many=True)


class DashboardSerializer(serializers.Serializer[Any]):
    to = serializers.DateField()
    agency = serializers.IntegerField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)
    figures = serializers.DictField(child=FigureSerializer(), help_text="Each SPEC 4 figure, by its key")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields: dict[str, serializers.Field[Any, Any, Any, Any]] = {"from": serializers.DateField()}
        fields.update(super().get_fields())
        return fields
