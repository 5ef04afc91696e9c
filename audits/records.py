"""The kinds of record the access log speaks of, and who may read each one's history.

Each app registers its record types when it loads; the history page and the
access-log API ask the registered check, which raises Http404 when the user may
not know the record exists and PermissionDenied when they may see it but not its
history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Model
from django.http import Http404

if TYPE_CHECKING:
    from agencies.models import User


@dataclass(frozen=True)
class RecordType:
    name: str
    label: str
    # (user, record_id) -> a short description of the record; raises Http404 or PermissionDenied.
    history_check: Callable[[User, int], str]
    # The models whose rows are logged under this record type, for naming their columns in words.
    models: tuple[type[Model], ...] = ()

    @cached_property
    def field_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for model in self.models:
            for model_field in model._meta.concrete_fields:
                if model_field.column:
                    labels.setdefault(model_field.column, str(model_field.verbose_name).capitalize())
        return labels

    def field_label(self, column: str) -> str:
        return self.field_labels.get(column, column.replace("_", " ").capitalize())


_REGISTRY: dict[str, RecordType] = {}


def record_type_register(record_type: RecordType) -> None:
    _REGISTRY[record_type.name] = record_type


def record_type_get(name: str) -> RecordType:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise Http404("No such kind of record") from None


def record_type_names() -> list[str]:
    return sorted(_REGISTRY)
