"""The shapes of the child's voice in the API (API.md "Records": ``POST /api/v1/child-voice/``).

The request names API.md's fields exactly; ``tool``, ``seen_with`` and ``not_spoken_detail`` are optional
additions. Blank and missing texts are the service's to refuse, with its own field-level messages.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cases.models import ChildVoice


class ChildVoiceCreateSerializer(serializers.Serializer[Any]):
    child = serializers.IntegerField(min_value=1)
    recorded_at = serializers.DateTimeField()
    method = serializers.ChoiceField(choices=ChildVoice.Method.choices)
    seen_alone = serializers.BooleanField(required=False, allow_null=True, default=None)
    interpreter_used = serializers.BooleanField(required=False, default=False)
    childs_words = serializers.CharField(required=False, default="", allow_blank=True, trim_whitespace=False)
    observations = serializers.CharField(required=False, default="", allow_blank=True, trim_whitespace=False)
    analysis = serializers.CharField(required=False, default="", allow_blank=True, trim_whitespace=False)
    not_spoken_reason = serializers.ChoiceField(choices=ChildVoice.NotSpokenReason.choices, required=False,
                                                default="", allow_blank=True)
    # Beyond API.md: the structured tool's name, who else was there, and more about why not spoken to.
    tool = serializers.CharField(required=False, default="", allow_blank=True,
                                 help_text="The structured tool used (needed when method is structured_tool)")
    seen_with = serializers.CharField(required=False, default="", allow_blank=True,
                                      help_text="Who else was there (needed when seen_alone is false)")
    not_spoken_detail = serializers.CharField(required=False, default="", allow_blank=True)


class ChildVoiceSerializer(serializers.ModelSerializer[ChildVoice]):
    practitioner_name = serializers.CharField(source="practitioner.display_name", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = ChildVoice
        fields = [
            "id", "partnership", "child", "case", "recorded_at", "practitioner", "practitioner_name", "agency",
            "agency_name", "method", "tool", "seen_alone", "seen_with", "interpreter_used", "childs_words",
            "observations", "analysis", "not_spoken_reason", "not_spoken_detail", "version", "created_at",
            "updated_at",
        ]
        read_only_fields = fields
