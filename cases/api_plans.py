"""API.md "Records": plans. Beyond API.md, one read-only endpoint: ``GET /plans/{id}/``, the plan as its page
shows it, with its ETag. Reading goes through ``cases.permissions.plan_get_for`` (404 when the user may not know
the plan; the view is logged): children's social care and its administrators, the agencies involved in the case
and those owning one of its actions.
"""

from __future__ import annotations

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import User
from cases.selectors.plans import plan_detail
from cases.serializers_plans import PlanSerializer
from config.api import etag


class PlanDetailView(APIView):
    @extend_schema(operation_id="plans_retrieve", responses={200: PlanSerializer})
    def get(self, request: Request, pk: int) -> Response:
        """A plan: its actions, versions, distribution, and who has not yet received the latest version."""
        user: User = request.user  # type: ignore[assignment]
        detail = plan_detail(user=user, plan_id=pk)
        response = Response(PlanSerializer(detail).data)
        response["ETag"] = etag("plan", detail.plan)
        return response


api_urlpatterns: list[URLPattern] = [
    path("plans/<int:pk>/", PlanDetailView.as_view(), name="api-plan"),
]
