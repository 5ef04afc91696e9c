"""People, households and relationships in the API (API.md "Records"): thin views over the services and selectors.

Every person is fetched through ``cases.permissions`` (404 when the user may not know the record
exists, 403 when they may but not do this); a restricted record answers 403 with how to break glass.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import User
from agencies.reauth import reauthentication_errors
from agencies.selectors import membership_of
from cases.models import Person
from cases.permissions import RestrictedRecord, people_known_to, people_visible, person_get_for
from cases.selectors import people as selectors
from cases.serializers_people import (
    BreakGlassRequestSerializer,
    BreakGlassSerializer,
    DuplicatePageSerializer,
    DuplicateSerializer,
    HouseholdCreateSerializer,
    HouseholdSerializer,
    KnownPreviewPageSerializer,
    KnownPreviewSerializer,
    KnownQuerySerializer,
    PersonCreatedSerializer,
    PersonCreateSerializer,
    PersonDetailSerializer,
    PersonMergeSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    RelationshipCreateSerializer,
    RelationshipSerializer,
    RestrictedSerializer,
)
from cases.services import people as services
from config.api import etag, stale_response, write_version


def _user(request: Request) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _etag(person: Person) -> str:
    return etag("person", person)


def _restricted(person: Person) -> Response:
    link = reverse("api-person-break-glass", args=[person.pk])
    return Response(
        {
            "detail": "This record is restricted. To open it, send your reason for needing it "
            f'(POST {{"reason": "..."}} to {link}); opening it is logged and its manager is told.',
            "restricted": True,
            "break_glass": link,
        },
        status=status.HTTP_403_FORBIDDEN,
    )




def _stale(code: int) -> Response:
    return stale_response(code, services.StaleRecord.MESSAGE)


def _may_create(user: User) -> None:
    if not services.records_may_create(user):
        raise PermissionDenied("Only practitioners and managers working in a partnership may record people.")


def _paginated(
    view: APIView, request: Request, items: list[Any], serializer: type[serializers.Serializer[Any]]
) -> Response:
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(items, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


class PeopleCreate(APIView):
    """Record a person; the answer names the people it may duplicate (the person is created either way)."""

    @extend_schema(request=PersonCreateSerializer, responses={201: PersonCreatedSerializer})
    def post(self, request: Request) -> Response:
        user = _user(request)
        _may_create(user)
        serializer = PersonCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        membership = membership_of(user)
        assert membership is not None  # noqa: S101 - _may_create says so
        with transaction.atomic():
            person = services.person_create(partnership=membership.partnership, by=user,
                                            **serializer.validated_data)
        duplicates = selectors.person_possible_duplicates(
            partnership_id=person.partnership_id, given_name=person.given_name, family_name=person.family_name,
            date_of_birth=person.date_of_birth, exclude_id=person.pk, nhs_number=person.nhs_number,
            within=people_known_to(user),
        )
        data = dict(PersonSerializer(person).data)
        data["possible_duplicates"] = [{"id": d.person_id, "score": d.score} for d in duplicates]
        return Response(data, status=status.HTTP_201_CREATED,
                        headers={"ETag": _etag(person), "Location": reverse("api-person", args=[person.pk])})


class PersonDetailView(APIView):
    @extend_schema(responses={200: PersonDetailSerializer, 403: RestrictedSerializer})
    def get(self, request: Request, pk: int) -> Response:
        try:
            detail = selectors.person_detail(user=_user(request), person_id=pk)
        except RestrictedRecord as restricted:
            return _restricted(restricted.person)
        response = Response(PersonDetailSerializer(detail.person, context={"detail": detail}).data)
        response["ETag"] = _etag(detail.person)
        return response

    @extend_schema(
        request=PersonUpdateSerializer,
        responses={200: PersonSerializer, 403: RestrictedSerializer},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False,
                                     description="The ETag you read; 412 if the record has changed since")],
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = _user(request)
        try:
            person = person_get_for(user, pk, write=True)
        except RestrictedRecord as restricted:
            return _restricted(restricted.person)
        serializer = PersonUpdateSerializer(data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        body_version = changes.pop("version", None)
        written = write_version(request, kind="person", record=person, body_version=body_version)
        if written.version is None:
            return _stale(written.stale_status)
        stale_status, version = written.stale_status, written.version
        try:
            with transaction.atomic():
                person = services.person_update(person=person, by=user, version=version, **changes)
        except services.StaleRecord:
            return _stale(stale_status)
        response = Response(PersonSerializer(person).data)
        response["ETag"] = _etag(person)
        return response


class PeopleKnown(APIView):
    """Is this child already known? A preview across the user's partnership; every search is logged."""

    @extend_schema(parameters=[KnownQuerySerializer], responses={200: KnownPreviewPageSerializer})
    def get(self, request: Request) -> Response:
        query = KnownQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        previews = selectors.people_known_search(user=_user(request), **query.validated_data)
        return _paginated(self, request, previews, KnownPreviewSerializer)


class PersonDuplicates(APIView):
    """Possible duplicates of a person, among the people the user may open (for the merge screen)."""

    @extend_schema(responses={200: DuplicatePageSerializer, 403: RestrictedSerializer})
    def get(self, request: Request, pk: int) -> Response:
        user = _user(request)
        try:
            person = person_get_for(user, pk)
        except RestrictedRecord as restricted:
            return _restricted(restricted.person)
        matches = selectors.person_possible_duplicates(
            partnership_id=person.partnership_id, given_name=person.given_name, family_name=person.family_name,
            date_of_birth=person.date_of_birth, exclude_id=person.pk, nhs_number=person.nhs_number,
            within=people_visible(user),
        )
        return _paginated(self, request, matches, DuplicateSerializer)


class PersonMerge(APIView):
    """Merge a duplicate into this person (children's social care managers)."""

    @extend_schema(request=PersonMergeSerializer, responses={200: PersonSerializer, 403: RestrictedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        try:
            keep = person_get_for(user, pk, write=True)
        except RestrictedRecord as restricted:
            return _restricted(restricted.person)
        if not services.person_may_merge(user):
            raise PermissionDenied("Only children's social care managers may merge records.")
        serializer = PersonMergeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            keep = services.person_merge(keep=keep, duplicate=serializer.validated_data["duplicate"], by=user)
        response = Response(PersonSerializer(keep).data)
        response["ETag"] = _etag(keep)
        return response


class PersonBreakGlass(APIView):
    """Open a restricted record by stating a reason: logged, and its manager told."""

    @extend_schema(request=BreakGlassRequestSerializer, responses={201: BreakGlassSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        try:
            person = person_get_for(user, pk, log=False)
        except RestrictedRecord as restricted:
            person = restricted.person
        serializer = BreakGlassRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refused = reauthentication_errors(
            request._request, user=user, password=serializer.validated_data.get("password", ""),
            code=serializer.validated_data.get("code", ""),
        )
        if refused:
            # Answered, not raised: a raised error would roll back the failure counted toward the lockout.
            return Response(refused, status=status.HTTP_400_BAD_REQUEST)
        with transaction.atomic():
            glass = services.person_break_glass(person=person, user=user, reason=serializer.validated_data["reason"])
        return Response(BreakGlassSerializer(glass).data, status=status.HTTP_201_CREATED)


class HouseholdCreate(APIView):
    @extend_schema(request=HouseholdCreateSerializer, responses={201: HouseholdSerializer})
    def post(self, request: Request) -> Response:
        user = _user(request)
        _may_create(user)
        serializer = HouseholdCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        membership = membership_of(user)
        assert membership is not None  # noqa: S101 - _may_create says so
        with transaction.atomic():
            household = services.household_create(partnership=membership.partnership, by=user,
                                                  **serializer.validated_data)
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)


class RelationshipCreate(APIView):
    @extend_schema(request=RelationshipCreateSerializer, responses={201: RelationshipSerializer})
    def post(self, request: Request) -> Response:
        user = _user(request)
        _may_create(user)
        serializer = RelationshipCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            relationship = services.relationship_create(by=user, **serializer.validated_data)
        return Response(RelationshipSerializer(relationship).data, status=status.HTTP_201_CREATED)


api_urlpatterns = [
    path("people/", PeopleCreate.as_view(), name="api-people"),
    path("people/known/", PeopleKnown.as_view(), name="api-people-known"),
    path("people/<int:pk>/", PersonDetailView.as_view(), name="api-person"),
    path("people/<int:pk>/duplicates/", PersonDuplicates.as_view(), name="api-person-duplicates"),
    path("people/<int:pk>/merge/", PersonMerge.as_view(), name="api-person-merge"),
    path("people/<int:pk>/break-glass/", PersonBreakGlass.as_view(), name="api-person-break-glass"),
    path("households/", HouseholdCreate.as_view(), name="api-households"),
    path("relationships/", RelationshipCreate.as_view(), name="api-relationships"),
]
