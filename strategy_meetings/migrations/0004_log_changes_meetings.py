from django.db import migrations

from audits.db import LogChanges


class Migration(migrations.Migration):
    dependencies = [
        ("strategy_meetings", "0003_meetings"),
        ("audits", "0002_access_log_triggers"),
    ]

    operations = [
        LogChanges("strategy_meetings_invitation", "strategy_meeting", id_column="meeting_id"),
        LogChanges("strategy_meetings_contribution", "strategy_meeting", id_column="meeting_id"),
        LogChanges("strategy_meetings_action", "strategy_meeting", id_column="meeting_id"),
        LogChanges("strategy_meetings_minutesdistribution", "strategy_meeting", id_column="meeting_id"),
    ]
