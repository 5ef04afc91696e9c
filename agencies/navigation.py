"""The header navigation: which sections each role sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from agencies.models import Agency, Role, User

EVERYONE = frozenset(Role.values)
INCIDENT_AGENCIES = frozenset({Agency.Kind.CHILDRENS_SOCIAL_CARE, Agency.Kind.POLICE})
# Agencies the MASH asks for checks: every one but children's social care.
PARTNER_AGENCIES = frozenset(Agency.Kind.values) - {Agency.Kind.CHILDRENS_SOCIAL_CARE}
# MASH staff and the senior manager of children's social care (referrals.permissions.TRIAGE_ROLES).
TRIAGE_ROLES = frozenset({Role.MASH_PRACTITIONER, Role.MASH_MANAGER, Role.SENIOR_MANAGER})
# Managers of any agency, and administrators: the dashboard, the improvement plan and training compliance.
OVERSIGHT_ROLES = frozenset({Role.MASH_MANAGER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER, Role.ADMIN})
# Who creates audit rounds (the senior manager), takes part in them (auditors), and administers them.
AUDIT_ROLES = frozenset({Role.SENIOR_MANAGER, Role.AUDITOR, Role.ADMIN})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    # The kinds of agency whose staff see the item; None for every agency.
    agency_kinds: frozenset[str] | None = None


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "home", EVERYONE),
    NavItem("Triage queue", "triage-queue", TRIAGE_ROLES, frozenset({Agency.Kind.CHILDRENS_SOCIAL_CARE})),
    NavItem("People", "people-find", EVERYONE - {Role.AUDITOR}),
    NavItem("Already known?", "people-known", EVERYONE),
    NavItem("Inbox", "inbox", EVERYONE),
    NavItem("API", "api-docs", frozenset({Role.ADMIN})),
    NavItem("Incidents", "incident-list", EVERYONE - {Role.AUDITOR}, INCIDENT_AGENCIES),
    NavItem("Record an incident", "incident-create", EVERYONE - {Role.AUDITOR, Role.ADMIN}, INCIDENT_AGENCIES),
    NavItem("Operation Encompass", "encompass-list", EVERYONE, frozenset({Agency.Kind.EDUCATION, Agency.Kind.POLICE})),
    NavItem("Make a referral", "referral-create", EVERYONE - {Role.AUDITOR, Role.ADMIN}),
    NavItem("Your referrals", "referrals-made", EVERYONE - {Role.AUDITOR, Role.ADMIN}),
    NavItem("Strategy meetings", "meeting-list", EVERYONE - {Role.AUDITOR, Role.ADMIN}),
    NavItem("Agency checks", "checks-inbox", EVERYONE - {Role.AUDITOR, Role.ADMIN}, PARTNER_AGENCIES),
    NavItem("Dashboard", "dashboard", OVERSIGHT_ROLES),
    NavItem("Audit rounds", "audit-round-list", AUDIT_ROLES),
    NavItem("Improvement plans", "improvement-plan-list", OVERSIGHT_ROLES),
    NavItem("Training", "training-compliance", OVERSIGHT_ROLES),
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
    membership = getattr(user, "membership", None)
    kind = membership.agency.kind if membership is not None else None
    items: list[dict[str, object]] = []
    for item in NAV_ITEMS:
        if role in item.roles and (item.agency_kinds is None or kind in item.agency_kinds):
            href = reverse(item.url_name)
            active = current_path == href if href == "/" else current_path.startswith(href)
            items.append({"label": item.label, "href": href, "active": active, "current": current_path == href})
    # One section is active: of nested ones ("/incidents/", "/incidents/new/"), the closest to the page.
    active_items = [entry for entry in items if entry["active"]]
    for entry in active_items:
        if any(len(str(other["href"])) > len(str(entry["href"])) for other in active_items):
            entry["active"] = False
    return items
