from typing import Any

from rest_framework import serializers

from agencies.models import Agency, Notification, Partnership, Role, User
from agencies.selectors import agencies_visible, partnerships_of, users_visible


class ScopedToUserMixin:
    """Limits related-record choices to the requesting user's partnerships (a superuser sees all)."""

    def scope_fields(self) -> None:
        request = self.context.get("request")  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is None or user.is_superuser:
            return
        fields = self.fields  # type: ignore[attr-defined]
        scoped = {
            "partnerships": partnerships_of(user),
            "partnership": partnerships_of(user),
            "agency": agencies_visible(user=user),
            "line_manager": users_visible(user=user),
        }
        for name, queryset in scoped.items():
            if name in fields:
                field = fields[name]
                (field.child_relation if hasattr(field, "child_relation") else field).queryset = queryset


class PartnershipSerializer(serializers.ModelSerializer[Partnership]):
    class Meta:
        model = Partnership
        fields = ["id", "name", "code", "strategy_meeting_due_hours", "dash_medium_from", "dash_high_from"]
        read_only_fields = ["id", "strategy_meeting_due_hours", "dash_medium_from", "dash_high_from"]


class AgencySerializer(ScopedToUserMixin, serializers.ModelSerializer[Agency]):
    partnerships = serializers.PrimaryKeyRelatedField(queryset=Partnership.objects.all(), many=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope_fields()

    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "health_kind", "partnerships", "referral_source_code"]
        read_only_fields = ["id"]
        # Uniqueness is the database's (agency_name_unique); the service reports it per field.
        validators: list[Any] = []


class UserCreateSerializer(ScopedToUserMixin, serializers.Serializer[User]):
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope_fields()


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
