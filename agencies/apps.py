from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies"

    def ready(self) -> None:
        from agencies.permissions import user_history_check
        from audits.records import RecordType, record_type_register

        record_type_register(RecordType("user", "Staff account", user_history_check))
