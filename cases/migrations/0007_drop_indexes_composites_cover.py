import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Foreign keys' own indexes where a composite index leads with the column (the import writes these tables).

    Only the indexes go: Django's AlterField would drop and re-add each foreign key too, checking every row again.
    """

    dependencies = [
        ('agencies', '0002_log_changes_and_roles'),
        ('cases', '0006_case_assessment'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [
                        'DROP INDEX IF EXISTS "cases_encompassnotice_incident_id_4cc70107"',
                        'DROP INDEX IF EXISTS "cases_encompassnotice_school_id_f8ef983b"',
                        'DROP INDEX IF EXISTS "cases_incidentchild_child_id_ec49ee91"',
                        'DROP INDEX IF EXISTS "cases_incidentchild_incident_id_76466938"',
                        'DROP INDEX IF EXISTS "cases_incidentparty_incident_id_bbf4448b"',
                        'DROP INDEX IF EXISTS "cases_incidentparty_person_id_19ea90f7"',
                        'DROP INDEX IF EXISTS "cases_maracreferral_victim_id_098c5847"',
                    ],
                    reverse_sql=[
                        'CREATE INDEX IF NOT EXISTS "cases_encompassnotice_incident_id_4cc70107" ON "cases_encompassnotice" ("incident_id")',
                        'CREATE INDEX IF NOT EXISTS "cases_encompassnotice_school_id_f8ef983b" ON "cases_encompassnotice" ("school_id")',
                        'CREATE INDEX IF NOT EXISTS "cases_incidentchild_child_id_ec49ee91" ON "cases_incidentchild" ("child_id")',
                        'CREATE INDEX IF NOT EXISTS "cases_incidentchild_incident_id_76466938" ON "cases_incidentchild" ("incident_id")',
                        'CREATE INDEX IF NOT EXISTS "cases_incidentparty_incident_id_bbf4448b" ON "cases_incidentparty" ("incident_id")',
                        'CREATE INDEX IF NOT EXISTS "cases_incidentparty_person_id_19ea90f7" ON "cases_incidentparty" ("person_id")',
                        'CREATE INDEX IF NOT EXISTS "cases_maracreferral_victim_id_098c5847" ON "cases_maracreferral" ("victim_id")',
                    ],
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='encompassnotice',
                    name='incident',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='encompass_notices', to='cases.incident'),
                ),
                migrations.AlterField(
                    model_name='encompassnotice',
                    name='school',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='encompass_notices', to='agencies.agency'),
                ),
                migrations.AlterField(
                    model_name='incidentchild',
                    name='child',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='incident_appearances', to='cases.person'),
                ),
                migrations.AlterField(
                    model_name='incidentchild',
                    name='incident',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='cases.incident'),
                ),
                migrations.AlterField(
                    model_name='incidentparty',
                    name='incident',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='parties', to='cases.incident'),
                ),
                migrations.AlterField(
                    model_name='incidentparty',
                    name='person',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='incident_parts', to='cases.person'),
                ),
                migrations.AlterField(
                    model_name='maracreferral',
                    name='victim',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='marac_referrals', to='cases.person'),
                ),
            ],
        ),
    ]
