from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from audits.models import AccessLogEntry
from audits.selectors import record_history
from audits.serializers import AccessLogEntrySerializer, AccessLogQuerySerializer


class AccessLogList(generics.ListAPIView[AccessLogEntry]):
    """Who viewed or changed one record (managers, auditors, admins)."""

    serializer_class = AccessLogEntrySerializer

    @extend_schema(parameters=[AccessLogQuerySerializer])
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AccessLogEntry]:
        query = AccessLogQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        _, entries = record_history(user=self.request.user, **query.validated_data)  # type: ignore[arg-type]
        return entries
