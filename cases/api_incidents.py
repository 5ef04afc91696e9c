"""API.md "Records": incidents, and the Operation Encompass notices schools receive.

Who may record an incident: any practitioner or manager of any agency, for their own agency
(``reported_by`` must be it). Auditors (403) and administrators (403: setting up the partnership
is not casework) may not. Reading goes through ``cases.permissions`` (404 for records the user
may not know exist).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency, Partnership, User
from agencies.selectors import membership_of
from cases.models import EncompassNotice, Household, Person
from cases.permissions import encompass_notice_get_for, households_visible, people_visible
from cases.selectors.incidents import (
    encompass_notices_for,
    encompass_notices_receive,
    incident_detail,
    incident_detail_of,
)
from cases.serializers_incidents import (
    EncompassNoticeEitherSerializer,
    EncompassNoticeSchoolSerializer,
    EncompassNoticeSerializer,
    IncidentCreateSerializer,
    IncidentSerializer,
)
from cases.services.incidents import ChildAtIncident, DashInput, incident_create, incident_create_check


def _nested(error: DjangoValidationError) -> dict[str, Any]:
    """Service errors keyed "dash.answers" become {"dash": {"answers": [...]}}, as DRF nests its own."""
    flat = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    nested: dict[str, Any] = {}
    for key, messages in flat.items():
        head, _, rest = key.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = messages
        else:
            nested[head] = messages
    return nested


def _etag(instance: Any) -> str:
    return f'"{instance.pk}-{instance.version}"'


class IncidentCreate(APIView):
    """Record a domestic-abuse incident: 201 with the DASH score, the risk level and each child's 12-month count."""

    @extend_schema(request=IncidentCreateSerializer, responses={201: IncidentSerializer})
    def post(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        incident_create_check(user)
        body = IncidentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        reported_by = Agency.objects.filter(pk=data["reported_by"]).first()
        if reported_by is None:
            raise serializers.ValidationError({"reported_by": ["Unknown agency."]})
        partnership = self._partnership(user, reported_by)
        people = self._people(user, partnership, data)
        household = None
        if data["household"] is not None:
            household = (
                households_visible(user).filter(pk=data["household"]).first()
                or Household.objects.filter(pk=data["household"], partnership=partnership).first()
            )
            if household is None:
                raise serializers.ValidationError({"household": ["Unknown household."]})
        dash = data["dash"]
        try:
            incident = incident_create(
                partnership=partnership,
                by=user,
                occurred_at=data["occurred_at"],
                reported_by=reported_by,
                reference=data["reference"],
                location=data["location"],
                summary=data["summary"],
                household=household,
                victims=[people[pk] for pk in data["victims"]],
                perpetrators=[people[pk] for pk in data["perpetrators"]],
                children=[
                    ChildAtIncident(
                        person=people[child["person"]], resident=child["resident"], present=child["present"],
                        seen=child["seen"], spoken_to=child["spoken_to"],
                    )
                    for child in data["children"]
                ],
                dash=None if dash is None else DashInput(
                    answers=dash["answers"],
                    professional_judgement_level=dash["professional_judgement_level"],
                    professional_judgement_reason=dash["professional_judgement_reason"],
                    answered_at=dash["answered_at"],
                ),
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(_nested(error)) from error
        detail = incident_detail_of(user=user, incident=incident)
        response = Response(IncidentSerializer(detail).data, status=status.HTTP_201_CREATED)
        response["ETag"] = _etag(incident)
        response["Location"] = f"/api/v1/incidents/{incident.pk}/"
        return response

    def _partnership(self, user: User, reported_by: Agency) -> Partnership:
        membership = membership_of(user)
        if membership is not None:
            return membership.partnership
        served = list(reported_by.partnerships.all()[:2])
        if len(served) != 1:
            raise serializers.ValidationError({"reported_by": ["This agency serves several partnerships."]})
        return served[0]

    def _people(self, user: User, partnership: Partnership, data: dict[str, Any]) -> dict[int, Person]:
        """Everyone named, in one query: people of the user's partnership, or people the user may see."""
        named = {
            "victims": list(data["victims"]),
            "perpetrators": list(data["perpetrators"]),
            "children": [child["person"] for child in data["children"]],
        }
        ids = {pk for pks in named.values() for pk in pks}
        found = {
            person.pk: person
            for person in Person.objects.filter(pk__in=ids, merged_into__isnull=True).filter(
                Q(partnership=partnership) | Q(pk__in=people_visible(user).values("pk"))
            )
        } if ids else {}
        errors = {
            key: [f"Unknown person {pk}." for pk in pks if pk not in found]
            for key, pks in named.items()
        }
        errors = {key: messages for key, messages in errors.items() if messages}
        if errors:
            raise serializers.ValidationError(errors)
        return found


class IncidentDetailView(APIView):
    """One incident, as the user may see it (404 otherwise)."""

    @extend_schema(responses={200: IncidentSerializer})
    def get(self, request: Request, pk: int) -> Response:
        detail = incident_detail(user=request.user, incident_id=pk)  # type: ignore[arg-type]
        response = Response(IncidentSerializer(detail).data)
        response["ETag"] = _etag(detail.incident)
        return response


def _for_school(user: User) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.agency.kind == Agency.Kind.EDUCATION


@extend_schema_view(get=extend_schema(responses=EncompassNoticeEitherSerializer(many=True)))
class EncompassNoticeList(generics.ListAPIView[EncompassNotice]):
    """A school's Operation Encompass notices about its pupils; the police's and CSC's across the partnership.

    404 for agencies that never receive notices (health, other services) and auditors.
    """

    serializer_class = EncompassNoticeSerializer

    def get_serializer_class(self) -> Any:
        return EncompassNoticeSchoolSerializer if _for_school(self.request.user) else EncompassNoticeSerializer  # type: ignore[arg-type]

    def get_queryset(self) -> QuerySet[EncompassNotice]:
        user: User = self.request.user  # type: ignore[assignment]
        if not encompass_notices_receive(user):
            raise Http404("No such list")
        return encompass_notices_for(user=user)


class EncompassNoticeDetail(APIView):
    @extend_schema(responses={200: EncompassNoticeEitherSerializer})
    def get(self, request: Request, pk: int) -> Response:
        user: User = request.user  # type: ignore[assignment]
        notice = encompass_notice_get_for(user, pk)
        serializer_class = EncompassNoticeSchoolSerializer if _for_school(user) else EncompassNoticeSerializer
        response = Response(serializer_class(notice).data)
        response["ETag"] = _etag(notice)
        return response


api_urlpatterns: list[URLPattern] = [
    path("incidents/", IncidentCreate.as_view(), name="api-incidents"),
    path("incidents/<int:pk>/", IncidentDetailView.as_view(), name="api-incident"),
    path("encompass-notices/", EncompassNoticeList.as_view(), name="api-encompass-notices"),
    path("encompass-notices/<int:pk>/", EncompassNoticeDetail.as_view(), name="api-encompass-notice"),
]
