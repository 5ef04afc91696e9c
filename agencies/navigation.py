"""The header navigation: which sections each role sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from agencies.models import Role, User

EVERYONE = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "home", EVERYONE),
    NavItem("Inbox", "inbox", EVERYONE),
    NavItem("API", "api-docs", frozenset({Role.ADMIN})),
)


def role_of(user: User) -> str:
    """The user's role; a superuser with no membership is treated as an administrator."""
    membership = getattr(user, "membership", None)
    if membership is not None:
        return str(membership.role)
    return Role.ADMIN if user.is_superuser else ""


def nav_for(user: User, current_path: str) -> list[dict[str, object]]:
    """Items of the service navigation; ``current`` marks the page itself, ``active`` its section."""
    role = role_of(user)
    items: list[dict[str, object]] = []
    for item in NAV_ITEMS:
        if role in item.roles:
            href = reverse(item.url_name)
            active = current_path == href if href == "/" else current_path.startswith(href)
            items.append({"label": item.label, "href": href, "active": active, "current": current_path == href})
    return items
