from rest_framework import serializers

from audits.models import AccessLogEntry


class AccessLogEntrySerializer(serializers.ModelSerializer[AccessLogEntry]):
    user = serializers.IntegerField(source="user_id", allow_null=True)
    agency = serializers.CharField(source="agency.name", default=None)

    class Meta:
        model = AccessLogEntry
        fields = ["id", "at", "user", "username", "agency", "action", "record_type", "record_id", "fields", "reason"]


class AccessLogQuerySerializer(serializers.Serializer[None]):
    record_type = serializers.CharField()
    record_id = serializers.IntegerField(min_value=1)
