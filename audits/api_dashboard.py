"""API.md "Oversight": ``GET /api/v1/dashboard/?from=&to=&agency=`` (and ``team``) answers the SPEC 4 figures
of the dashboard the caller may see (``audits.dashboard``), computed in the database: 403 for a user with no
dashboard, 400 with field-level errors for a period or an agency or team they may not choose."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import User
from audits.dashboard import dashboard_access_for, period_default
from audits.measures import measures
from audits.serializers_dashboard import DashboardQuerySerializer, DashboardSerializer, FigureSerializer
from audits.snapshots import snapshot_for

# The scope's field names as the API's parameters name them.
PARAMETER_NAMES = {"start": "from", "end": "to"}


class DashboardFigures(APIView):
    """The figures of the caller's dashboard: the MASH's, their team's, their agency's or the partnership's."""

    @extend_schema(parameters=[DashboardQuerySerializer], responses=DashboardSerializer)
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        access = dashboard_access_for(user)
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        end = query.validated_data.get("to") or timezone.localdate()
        start = query.validated_data.get("from") or period_default(end)[0]
        try:
            scope = access.scope(start=start, end=end, agency_id=query.validated_data.get("agency"),
                                 team_id=query.validated_data.get("team"))
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                {PARAMETER_NAMES.get(name, name): messages for name, messages in error.message_dict.items()}
            ) from None
        # A team manager with no team yet has no figures: none are theirs.
        snapshot = snapshot_for(scope) if access.has_team else None
        figures = {measure.key: FigureSerializer(snapshot.figures[measure.key]).data for measure in measures()} \
            if snapshot is not None else {}
        body: dict[str, Any] = {"from": scope.start.isoformat(), "to": scope.end.isoformat(),
                                "agency": scope.agency_id, "team": scope.team_id, "figures": figures}
        return Response(body)
