from typing import Any

from rest_framework import serializers

from agencies.models import Agency, Notification, Partnership, Role, User


class PartnershipSerializer(serializers.ModelSerializer[Partnership]):
    class Meta:
        model = Partnership
        fields = ["id", "name", "code", "strategy_meeting_due_hours", "dash_medium_from", "dash_high_from"]
        read_only_fields = ["id", "strategy_meeting_due_hours", "dash_medium_from", "dash_high_from"]


class AgencySerializer(serializers.ModelSerializer[Agency]):
    partnerships = serializers.PrimaryKeyRelatedField(queryset=Partnership.objects.all(), many=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "health_kind", "partnerships", "referral_source_code"]
        read_only_fields = ["id"]
        # Uniqueness is the database's (agency_name_unique); the service reports it per field.
        validators: list[Any] = []


class UserCreateSerializer(serializers.Serializer[User]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    role = serializers.ChoiceField(choices=Role.choices)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    first_name = serializers.CharField(required=False, allow_blank=True, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, default="")
    line_manager = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    partnership = serializers.PrimaryKeyRelatedField(
        queryset=Partnership.objects.all(), required=False, allow_null=True
    )


class UserSerializer(serializers.ModelSerializer[User]):
    agency = serializers.IntegerField(source="membership.agency_id", read_only=True)
    role = serializers.CharField(source="membership.role", read_only=True)
    partnership = serializers.IntegerField(source="membership.partnership_id", read_only=True)
    line_manager = serializers.IntegerField(source="membership.line_manager_id", read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "agency", "role", "partnership", "line_manager"]


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    class Meta:
        model = Notification
        fields = ["id", "kind", "subject_type", "subject_id", "message", "link", "level", "created_at", "read_at"]
