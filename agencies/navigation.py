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


def nav_for(user: User, current_path: str) -> list[dict[str, object]]:
    membership = getattr(user, "membership", None)
    role = membership.role if membership is not None else (Role.ADMIN if user.is_superuser else "")
    items = []
    for item in NAV_ITEMS:
        if role in item.roles:
            href = reverse(item.url_name)
            active = current_path == href if href == "/" else current_path.startswith(href)
            items.append({"label": item.label, "href": href, "active": active})
    return items
