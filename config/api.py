"""API-wide behaviour: errors in the shape API.md promises."""

import re
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
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
    return drf_exception_handler(exc, context)



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
