"""The audit rounds' API bodies (API.md "Oversight")."""

from __future__ import annotations

from rest_framework import serializers

from audits import rules_rounds as rules


class AuditRoundCreateSerializer(serializers.Serializer):
    theme = serializers.CharField(max_length=200, error_messages={
        "required": "Enter the round's theme, for example domestic abuse.",
        "blank": "Enter the round's theme, for example domestic abuse."})
    sample_size = serializers.IntegerField(error_messages={"required": "Enter how many cases to sample.",
                                                           "invalid": "The sample size must be a whole number."})
    seed = serializers.IntegerField(required=False, allow_null=True, default=None,
                                    error_messages={"invalid": "The seed must be a whole number."})
    auditors = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    closes_on = serializers.DateField(required=False, allow_null=True, default=None,
                                      help_text=f"Default: {rules.OPEN_FOR.days // 7} weeks after the draw")


class AuditRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    theme = serializers.CharField()
    seed = serializers.IntegerField()
    sample_size = serializers.IntegerField()
    drawn_at = serializers.DateTimeField()
    closes_on = serializers.DateField()
    status = serializers.CharField()
    cases = serializers.ListField(child=serializers.IntegerField(), help_text="The sampled cases' ids, in draw order")
