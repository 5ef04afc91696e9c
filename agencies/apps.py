from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from agencies.models import Membership, User
        from agencies.permissions import user_history_check
        from audits.records import RecordType, record_type_register

        record_type_register(RecordType("user", "Staff account", user_history_check, models=(User, Membership)))
        # Each app's chasers.py registers its chase rules (SPEC 5) on import.
        autodiscover_modules("chasers")
        # The role groups are data the migrations create; a database flush (as between
        # transactional tests) empties them, and Django announces the flush with
        # post_migrate, so the table of role permissions is laid again then.
        post_migrate.connect(roles_sync_after_migrate, sender=self)


def roles_sync_after_migrate(*, apps: Any = None, **kwargs: Any) -> None:
    from django.apps import apps as global_apps

    from agencies.roles import roles_sync

    roles_sync(apps or global_apps, None)
