from django.db import migrations

from audits.db import APPEND_ONLY_SQL, CHANGE_FUNCTION_SQL


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [
        migrations.RunSQL(
            APPEND_ONLY_SQL,
            reverse_sql="DROP TRIGGER IF EXISTS audits_accesslog_append_only ON audits_accesslogentry;"
            " DROP FUNCTION IF EXISTS audits_refuse_change();",
        ),
        migrations.RunSQL(CHANGE_FUNCTION_SQL, reverse_sql="DROP FUNCTION IF EXISTS audits_log_change();"),
    ]
