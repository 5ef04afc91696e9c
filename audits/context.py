"""Who is acting, told to the database so its change triggers can log it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from agencies.models import User


def actor_set(user: User | None, *, label: str = "") -> None:
    """Name the actor for every change this connection makes until the next call.

    Set at the start of each request, task and command, so a connection reused by
    the next request never carries the previous actor.
    """
    if user is not None and user.is_authenticated:
        membership = getattr(user, "membership", None)
        values = [str(user.pk), user.get_username(), str(membership.agency_id) if membership else ""]
    else:
        values = ["", label, ""]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('audits.user_id', %s, false), set_config('audits.username', %s, false),"
            " set_config('audits.agency_id', %s, false)",
            values,
        )
