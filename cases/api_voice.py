"""API.md "Records": the child's voice. Thin views over ``cases.services.voice`` and ``cases.permissions``.

- ``POST /child-voice/``: children's social care casework staff, or a practitioner or manager of an agency the
  child's record is shared with (ACCESS.md "child's voice: record"). Auditors and administrators never record
  (403, whichever child is named, so it tells them nothing); a child the user may not open is a 404, a restricted
  one they may know of a 403. 400 with field-level messages when the record says too little: neither words nor
  observations and no reason, or only "too young".
- ``GET /child-voice/{id}/``: whoever may open the child (ACCESS.md "child's voice: read"); the view is logged.
"""

from __future__ import annotations

from django.urls import URLPattern, path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import User
from cases.models import ChildVoice
from cases.permissions import person_get_for, voice_get_for, voice_record_check
from cases.serializers_voice import ChildVoiceCreateSerializer, ChildVoiceSerializer
from cases.services.voice import voice_record
from config.api import etag


def _user(request: Request) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _answer(voice: ChildVoice, code: int = status.HTTP_200_OK) -> Response:
    response = Response(ChildVoiceSerializer(voice).data, status=code)
    response["ETag"] = etag("child_voice", voice)
    return response


class ChildVoiceCreate(APIView):
    @extend_schema(operation_id="child_voice_create", request=ChildVoiceCreateSerializer,
                   responses={201: ChildVoiceSerializer})
    def post(self, request: Request) -> Response:
        """Record a child's voice: their words, what was observed, the analysis, or why not spoken to."""
        user = _user(request)
        voice_record_check(user)
        body = ChildVoiceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        child = person_get_for(user, data.pop("child"), log=False)
        voice = voice_record(child=child, by=user, **data)
        voice = voice_get_for(user, voice.pk, log=False)
        response = _answer(voice, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-child-voice-detail", args=[voice.pk])
        return response


class ChildVoiceDetail(APIView):
    @extend_schema(operation_id="child_voice_read", responses={200: ChildVoiceSerializer})
    def get(self, request: Request, pk: int) -> Response:
        """One voice record of a child the user may open (the view is logged)."""
        return _answer(voice_get_for(_user(request), pk))


api_urlpatterns: list[URLPattern] = [
    path("child-voice/", ChildVoiceCreate.as_view(), name="api-child-voice"),
    path("child-voice/<int:pk>/", ChildVoiceDetail.as_view(), name="api-child-voice-detail"),
]
