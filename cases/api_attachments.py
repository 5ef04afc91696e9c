"""API.md "Records": attachments.

``POST /api/v1/attachments/`` (multipart: **file**, **record_type**, **record_id**, **description**) keeps a file
on a record: 404 when the user may not see the record, 403 for auditors and administrators, 400 with field errors
when the file's content is not a type kept, it is empty or too big, or the description is missing.
``GET /api/v1/attachments/?record_type=&record_id=`` lists a record's files;
``GET /api/v1/attachments/{id}/download/`` serves one, logged, as the page does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseBase
from django.urls import URLPattern, path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import User
from cases.models import Attachment
from cases.selectors.attachments import attachment_open_for, attachments_of
from cases.services.attachments import attachment_add
from cases.views_attachments import attachment_response, record_for


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "record_type", "record_id", "kind", "content_type", "original_name", "size", "description",
                  "download"]
        read_only_fields = fields

    def get_download(self, attachment: Attachment) -> str:
        return reverse("api-attachment-download", args=[attachment.pk])


class AttachmentCreateSerializer(serializers.Serializer[Any]):
    # The file and its description are checked by the service, with the page's messages.
    file = serializers.FileField(required=False, allow_empty_file=True, use_url=False)
    record_type = serializers.ChoiceField(choices=Attachment.RecordType.choices)
    record_id = serializers.IntegerField(min_value=1)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class RecordQuerySerializer(serializers.Serializer[Any]):
    record_type = serializers.ChoiceField(choices=Attachment.RecordType.choices)
    record_id = serializers.IntegerField(min_value=1)


class AttachmentListCreate(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        parameters=[OpenApiParameter("record_type", str, required=True, enum=Attachment.RecordType.values),
                    OpenApiParameter("record_id", int, required=True)],
        responses={200: AttachmentSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        """The files on a record the user may see (404 otherwise), oldest first."""
        query = RecordQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        record_type, record_id = query.validated_data["record_type"], query.validated_data["record_id"]
        # The record through its own access helper (404 when the user may not know it), its view logged.
        record_for(user, record_type, record_id, log=True)
        attachments = attachments_of(user=user, record_type=record_type, record_id=record_id)
        return Response(AttachmentSerializer(attachments, many=True).data)

    @extend_schema(request={"multipart/form-data": AttachmentCreateSerializer},
                   responses={201: AttachmentSerializer})
    def post(self, request: Request) -> Response:
        """Keep a file on a record: its type read from its content, its size and description checked."""
        body = AttachmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            attachment = attachment_add(
                record_type=data["record_type"], record_id=data["record_id"], by=request.user,  # type: ignore[arg-type]
                upload=data.get("file"), description=data["description"],
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        response = Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api-attachment-download", args=[attachment.pk])
        return response


class AnyAccepted(DefaultContentNegotiation):
    """A file goes out as its own type whatever the client says it accepts; errors go out as JSON."""

    def select_renderer(self, request: Request, renderers: Iterable[BaseRenderer],
                        format_suffix: str | None = None) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class AttachmentDownload(APIView):
    content_negotiation_class = AnyAccepted

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
                              404: OpenApiResponse(description="No such file, or its record is not one you may see")})
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        """The file, as its own content type; every download is in the access log."""
        opened = attachment_open_for(request.user, pk)  # type: ignore[arg-type]
        return attachment_response(opened, range_header=request.headers.get("Range"))


api_urlpatterns: list[URLPattern] = [
    path("attachments/", AttachmentListCreate.as_view(), name="api-attachments"),
    path("attachments/<int:pk>/download/", AttachmentDownload.as_view(), name="api-attachment-download"),
]
