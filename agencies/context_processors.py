from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest

from agencies.navigation import nav_for
from agencies.selectors import notifications_unread_count
from agencies.session_time import seconds_left

T = TypeVar("T")


def _once(compute: Callable[[], T]) -> Callable[[], T]:
    """Lazy and computed at most once a request, however often the templates ask."""
    return cache(compute)


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs on every page: navigation, the unread badge (lazily), and how long the session
    has left, for the time-out warning."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_items": _once(lambda: nav_for(user, request.path)),
        "unread_count": _once(lambda: notifications_unread_count(user=user)),
        "session_seconds_left": seconds_left(request),
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
