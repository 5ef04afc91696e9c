from django.db import migrations

from agencies.roles import roles_sync
from audits.db import LogChanges


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("audits", "0002_access_log_triggers"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [
        LogChanges("agencies_user", "user"),
        LogChanges("agencies_membership", "user", id_column="user_id"),
        migrations.RunPython(roles_sync, migrations.RunPython.noop),
    ]
