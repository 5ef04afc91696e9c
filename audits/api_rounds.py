"""``POST /api/v1/audits/`` (API.md "Oversight"): draw a case-file audit round."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import User
from agencies.selectors import membership_of
from audits.models import AuditRound
from audits.permissions import round_create_check
from audits.serializers_rounds import AuditRoundCreateSerializer, AuditRoundSerializer
from audits.services_rounds import audit_round_create


def round_body(audit_round: AuditRound) -> dict[str, object]:
    return {
        "id": audit_round.pk, "theme": audit_round.theme, "seed": audit_round.seed,
        "sample_size": audit_round.sample_size, "drawn_at": audit_round.drawn_at,
        "closes_on": audit_round.closes_on, "status": audit_round.status,
        "cases": list(audit_round.cases.order_by("position").values_list("case_id", flat=True)),
    }


class AuditRoundCreate(APIView):
    @extend_schema(operation_id="audits_create", request=AuditRoundCreateSerializer,
                   responses={201: AuditRoundSerializer})
    def post(self, request: Request) -> Response:
        """Draw a round: the same seed over the same data draws the same cases, in the same order."""
        user = cast(User, request.user)
        round_create_check(user)
        membership = membership_of(user)
        if membership is None:
            raise serializers.ValidationError({"non_field_errors": ["Your account works in no partnership."]})
        body = AuditRoundCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        audit_round = audit_round_create(
            partnership_id=membership.partnership_id, by=user, theme=data["theme"], sample_size=data["sample_size"],
            seed=data["seed"], auditor_ids=data["auditors"], closes_on=data["closes_on"],
        )
        response = Response(AuditRoundSerializer(round_body(audit_round)).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/audit-rounds/{audit_round.pk}/"
        return response
