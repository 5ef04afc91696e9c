from django.db import migrations

from audits.db import INSERT_FUNCTION_SQL, INSERTS_BY_ROW_SQL, INSERTS_BY_STATEMENT_SQL


class Migration(migrations.Migration):
    """Inserts into every logged table are logged by one statement-level trigger (audits.db), same rows."""

    dependencies = [("audits", "0003_case_file_audits_improvement_plans")]

    operations = [
        migrations.RunSQL(INSERT_FUNCTION_SQL, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(INSERTS_BY_STATEMENT_SQL, reverse_sql=INSERTS_BY_ROW_SQL),
    ]
