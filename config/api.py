"""API-wide behaviour: errors in the shape API.md promises."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import serializers
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
