"""What each role may do: model permissions per role, and role groups.

Object permissions (which records) come from agency groups; these say which
actions a role may take at all. Each app's migrations call ``roles_sync`` after
adding models, so the role groups always carry exactly this table.
"""

from __future__ import annotations

from typing import Any

from agencies.models import Agency, Membership, Role

MANAGERS = frozenset({Role.MASH_MANAGER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER})
MASH_ROLES = frozenset({Role.MASH_PRACTITIONER, Role.MASH_MANAGER})


def leads_partnership(membership: Membership | None) -> bool:
    """The senior manager of children's social care: who leads the partnership's oversight (draws audit rounds,
    sets the improvement plan, sees every agency's training)."""
    return (
        membership is not None
        and membership.role == Role.SENIOR_MANAGER
        and membership.agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE
    )

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PRACTITIONER: frozenset(),
    Role.MASH_PRACTITIONER: frozenset(),
    Role.MASH_MANAGER: frozenset({"audits.view_accesslogentry"}),
    Role.SOCIAL_WORKER: frozenset(),
    Role.TEAM_MANAGER: frozenset({"audits.view_accesslogentry"}),
    Role.SENIOR_MANAGER: frozenset({"audits.view_accesslogentry"}),
    Role.AUDITOR: frozenset({"audits.view_accesslogentry"}),
    Role.ADMIN: frozenset(
        {
            "audits.view_accesslogentry",
            "agencies.add_partnership",
            "agencies.view_partnership",
            "agencies.add_agency",
            "agencies.view_agency",
            "agencies.add_user",
            "agencies.view_user",
        }
    ),
}


def role_group_name(role: str) -> str:
    return f"role:{role}"


def roles_sync(apps: Any, schema_editor: Any) -> None:
    """Give each role group the permissions of ROLE_PERMISSIONS (a data migration step)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now so this
    # step can assign them, from a migration (historical app stubs) or after a flush.
    for app_config in apps.get_app_configs():
        if getattr(app_config, "models_module", None) is None:  # a migration's stub, which create_permissions skips
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        else:
            create_permissions(app_config, apps=apps, verbosity=0)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role_group_name(role))
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            found = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:  # a permission of a model a later migration adds
                wanted.append(found)
        group.permissions.set(wanted)
