"""Access helpers for agencies' records, and the object-permission pattern every app uses.

Object permissions are granted to an agency's group, never to a user (SPEC 6), with
django-guardian's direct-foreign-key tables. An app makes a model shareable by
declaring, beside the model, ``<Model>GroupObjectPermission(GroupObjectPermissionBase)``
with ``content_object = ForeignKey(<Model>)``; then ``record_share`` grants and
``records_visible`` / ``record_get_for`` read through those grants.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from guardian.shortcuts import assign_perm, get_objects_for_group, get_objects_for_user

from agencies.models import Agency, Role, User
from agencies.roles import MANAGERS
from agencies.selectors import membership_of, users_visible

M = TypeVar("M", bound=Model)


def record_share(*, record: Model, agency: Agency, perms: tuple[str, ...] = ("view",)) -> None:
    """Grant an agency's group the given permissions (e.g. "view", "change") on one record."""
    model_name = record._meta.model_name
    for perm in perms:
        assign_perm(f"{record._meta.app_label}.{perm}_{model_name}", agency.group, record)


def records_visible(*, user: User, queryset: QuerySet[M], perm: str = "view") -> QuerySet[M]:
    """The records of ``queryset`` shared with the user's agency."""
    model = queryset.model
    codename = f"{model._meta.app_label}.{perm}_{model._meta.model_name}"
    return get_objects_for_user(
        user, codename, klass=queryset, use_groups=True, with_superuser=False, accept_global_perms=False
    )


def records_shared_with(*, agency: Agency, queryset: QuerySet[M], perm: str = "view") -> QuerySet[M]:
    codename = f"{perm}_{queryset.model._meta.model_name}"
    return get_objects_for_group(agency.group, codename, klass=queryset, accept_global_perms=False)


def user_history_check(viewer: User, record_id: int) -> str:
    """Staff accounts' history: administrators and managers of the same partnership."""
    target = users_visible(user=viewer).filter(pk=record_id).first()
    if target is None:
        raise Http404("No such user")
    membership = membership_of(viewer)
    role = membership.role if membership else (Role.ADMIN if viewer.is_superuser else "")
    if role != Role.ADMIN and role not in MANAGERS:
        raise PermissionDenied("Only managers and administrators may see a staff account's history.")
    return f"Staff account: {target.display_name}"
