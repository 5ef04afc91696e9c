"""API.md "Records": ``GET /api/v1/people/{id}/chronology/`` with ``?agency=&kind=`` (and ``since``, ``until``
and ``page``), answering the child's events the caller may see, newest first, paginated as every list is.

The person is fetched through ``person_get_for`` (404 when the caller may not know the record, 403 with how to
break glass when it is restricted); the events come from ``cases.selectors.chronology``.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from agencies.models import User
from cases.api_people import _restricted
from cases.permissions import RestrictedRecord, person_get_for
from cases.rules import chronology as rules
from cases.selectors import chronology as selectors
from cases.selectors.chronology import ChronologyFilters
from cases.serializers_people import RestrictedSerializer


class ChronologyQuerySerializer(serializers.Serializer[Any]):
    agency = serializers.IntegerField(required=False, min_value=1, help_text="Only this agency's events")
    kind = serializers.ListField(child=serializers.CharField(), required=False,
                                 help_text="Only these kinds (repeat the parameter, or separate kinds with commas)")
    since = serializers.DateField(required=False, help_text="Events on or after this day")
    until = serializers.DateField(required=False, help_text="Events on or before this day")
    page = serializers.IntegerField(required=False, min_value=1)

    def validate_kind(self, value: list[str]) -> list[str]:
        unknown = [kind for kind in value if kind not in rules.KINDS]
        if unknown:
            raise serializers.ValidationError(
                f"{', '.join(unknown)}: not a kind of event. Choose from {', '.join(rules.KINDS)}.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and until < since:
            raise serializers.ValidationError({"until": ["The end of the period must be on or after its start."]})
        return attrs


class ChronologyEventSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(default_timezone=UTC)
    date_only = serializers.BooleanField(help_text="The event happened on a day, not at a recorded time")
    kind = serializers.ChoiceField(choices=list(rules.KINDS.items()))
    kind_label = serializers.CharField()
    agency = serializers.IntegerField(source="agency_id", allow_null=True)
    agency_name = serializers.CharField()
    summary = serializers.CharField()
    significance = serializers.ChoiceField(choices=[(level, label) for level, label in
                                                    rules.SIGNIFICANCE_LABELS.items()])
    link = serializers.CharField(help_text="The page of the record the event comes from")


class ChronologyListSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ChronologyEventSerializer(many=True)


def _query_data(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = {key: request.query_params.get(key) for key in ("agency", "since", "until", "page")
                            if request.query_params.get(key) not in (None, "")}
    kinds = [kind.strip() for value in request.query_params.getlist("kind") for kind in value.split(",")
             if kind.strip()]
    if kinds:
        data["kind"] = kinds
    return data


def _page_link(request: Request, number: int | None) -> str | None:
    if number is None:
        return None
    url = request.build_absolute_uri()
    return remove_query_param(url, "page") if number == 1 else replace_query_param(url, "page", number)


class PersonChronology(APIView):
    """A child's chronology: every agency's events about the child that the caller may see."""

    @extend_schema(
        parameters=[
            OpenApiParameter("agency", int, description="Only this agency's events"),
            OpenApiParameter("kind", str, many=True, enum=list(rules.KINDS),
                             description="Only these kinds (repeat the parameter, or separate with commas)"),
            OpenApiParameter("since", OpenApiTypes.DATE, description="Events on or after this day"),
            OpenApiParameter("until", OpenApiTypes.DATE, description="Events on or before this day"),
            OpenApiParameter("page", int),
        ],
        responses={200: ChronologyListSerializer, 403: RestrictedSerializer},
        description="Time-ordered, newest first: the events of the child's chronology that you may see "
                    f"({selectors.PAGE_SIZE} a page).",
    )
    def get(self, request: Request, pk: int) -> Response:
        user: User = request.user  # type: ignore[assignment]
        try:
            person = person_get_for(user, pk)
        except RestrictedRecord as restricted:
            return _restricted(restricted.person)
        query = ChronologyQuerySerializer(data=_query_data(request))
        query.is_valid(raise_exception=True)
        asked = query.validated_data
        kinds = asked.get("kind")
        filters = ChronologyFilters(agency_id=asked.get("agency"), kinds=frozenset(kinds) if kinds else None,
                                    since=asked.get("since"), until=asked.get("until"))
        number = asked.get("page", 1)
        page = selectors.chronology_page(user=user, child=person, filters=filters, page=number)
        if page.number != number:
            raise NotFound("Invalid page.")
        return Response({
            "count": page.total,
            "next": _page_link(request, number + 1 if number < page.num_pages else None),
            "previous": _page_link(request, number - 1 if number > 1 else None),
            "results": ChronologyEventSerializer(page.events, many=True).data,
        })


api_urlpatterns = [
    path("people/<int:pk>/chronology/", PersonChronology.as_view(), name="api-person-chronology"),
]
