"""API-wide behaviour: errors in the shape API.md promises."""

import re
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn a service's refusal (a model-level ValidationError, or a constraint the database enforced)
    into API.md's field-level 400, never a 500."""
    if isinstance(exc, DjangoValidationError | IntegrityError):
        exc = service_error(exc)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": BODY_TOO_LARGE}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response({"detail": TOO_MANY_FIELDS}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


BODY_TOO_LARGE = "The request body is too large. Send files to /api/v1/attachments/, one at a time."
TOO_MANY_FIELDS = "The request has too many fields or files."



def service_error(error: DjangoValidationError | IntegrityError) -> serializers.ValidationError:
    """A service's refusal as API.md's 400: {"field": [...], "non_field_errors": [...]}."""
    if isinstance(error, IntegrityError):
        return serializers.ValidationError(
            {"non_field_errors": ["This conflicts with a record saved at the same moment; try again."]}
        )
    detail = as_serializer_error(error)
    if NON_FIELD_ERRORS in detail:  # a model's clean() names whole-record errors "__all__"
        detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(detail.pop(NON_FIELD_ERRORS))
    return serializers.ValidationError(detail)


# -- Concurrent edits (API.md: ETag and If-Match answer 412; a stale body version 409) -----------------------

_ETAG = re.compile(r'^(?:W/)?"([a-z_]+)-(\d+)-v(\d+)"$')
VERSION_NEEDED = "Send the version you read, or its ETag in an If-Match header."


class Versioned(Protocol):
    pk: Any
    version: int


def etag(kind: str, record: Versioned) -> str:
    """A record's ETag: its kind, id and version (weak: the JSON may differ in formatting, never in content)."""
    return f'W/"{kind}-{record.pk}-v{record.version}"'


@dataclass(frozen=True)
class WriteVersion:
    """The version a write says it read, and the status to answer if that version is stale."""

    version: int | None  # None: the If-Match header named no version of this record, so it is stale already
    stale_status: int


def write_version(request: Request, *, kind: str, record: Versioned, body_version: int | None) -> WriteVersion:
    """From ``If-Match`` (stale: 412), else the body's ``version`` (stale: 409); neither is a 400."""
    header = request.headers.get("If-Match")
    if header is not None:
        named = None
        for tag in (t.strip() for t in header.split(",")):
            if tag == "*":
                named = record.version
                break
            found = _ETAG.match(tag)
            if found and found.group(1) == kind and int(found.group(2)) == record.pk:
                named = int(found.group(3))
                break
        return WriteVersion(named, status.HTTP_412_PRECONDITION_FAILED)
    if body_version is not None:
        return WriteVersion(body_version, status.HTTP_409_CONFLICT)
    raise serializers.ValidationError({"version": [VERSION_NEEDED]})


def stale_response(code: int, message: str) -> Response:
    """Someone saved first: nothing of this request is kept, and the user is told why."""
    if transaction.get_connection().in_atomic_block:
        transaction.set_rollback(True)
    return Response({api_settings.NON_FIELD_ERRORS_KEY: [message]}, status=code)


_MOMENT = serializers.DateTimeField()
_DAY = serializers.DateField()


def moment_out(value: Any) -> str | None:
    """A datetime as the API writes it (ISO 8601, with its offset), or None."""
    return _MOMENT.to_representation(value) if value is not None else None


def date_out(value: Any) -> str | None:
    """A date as the API writes it (ISO 8601), or None."""
    return _DAY.to_representation(value) if value is not None else None


# -- The refusals every operation may answer, in the OpenAPI schema ------------------------------------------

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
# A field's messages, a nested object's or list's own errors, or (for a malformed body) a single "detail".
_FIELD_ERRORS = {"type": "object", "additionalProperties": {}}
_REFUSALS: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("Bad input: each field's messages (non_field_errors for the whole object)", _FIELD_ERRORS),
    "401": ("Not signed in, or the token is not valid", _DETAIL),
    "403": ("Signed in, but this role or agency may not do this", _DETAIL),
    "404": ("No such record, or not one you may know exists", _DETAIL),
}
_STALE: dict[str, tuple[str, dict[str, Any]]] = {
    "409": ("The version sent is not the one saved: someone saved first", _FIELD_ERRORS),
    "412": ("The If-Match header names a version that is not the one saved", _FIELD_ERRORS),
}


def refusals_documented(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: API.md's refusals (400, 401, 403, 404, and 409/412 on an update)
    documented on every operation that does not describe them itself, so clients know every answer they can get."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            wanted = dict(_REFUSALS)
            if method in ("put", "patch"):
                wanted.update(_STALE)
            for code, (description, schema) in wanted.items():
                operation["responses"].setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": schema}}})
    return result


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 handler: an address under /api/ that names no endpoint (an id that is not a number, say) is
    answered in JSON like every other API refusal; a page's address gets the site's own page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)
