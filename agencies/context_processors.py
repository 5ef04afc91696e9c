from typing import Any

from django.http import HttpRequest

from agencies.navigation import nav_for
from agencies.selectors import notifications_unread_count


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs on every page: navigation and the unread badge (lazily)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_items": lambda: nav_for(user, request.path),
        "unread_count": lambda: notifications_unread_count(user=user),
    }
