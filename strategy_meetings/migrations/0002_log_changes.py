from django.db import migrations

from audits.db import LogChanges


class Migration(migrations.Migration):
    dependencies = [
        ("strategy_meetings", "0001_convene"),
        ("audits", "0002_access_log_triggers"),
    ]

    operations = [
        LogChanges("strategy_meetings_strategymeeting", "strategy_meeting"),
        LogChanges("strategy_meetings_strategymeetingchild", "strategy_meeting", id_column="meeting_id"),
    ]
