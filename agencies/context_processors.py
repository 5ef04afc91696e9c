from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from django.http import HttpRequest

from agencies.navigation import nav_for
from agencies.selectors import notifications_unread_count

T = TypeVar("T")


def _once(compute: Callable[[], T]) -> Callable[[], T]:
    """Lazy and computed at most once a request, however often the templates ask."""
    return cache(compute)


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs on every page: navigation and the unread badge (lazily)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_items": _once(lambda: nav_for(user, request.path)),
        "unread_count": _once(lambda: notifications_unread_count(user=user)),
    }
