from django.db import migrations

from agencies.roles import roles_sync
from audits.db import LogChanges


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_people_incidents"),
        ("audits", "0002_access_log_triggers"),
        ("agencies", "0002_log_changes_and_roles"),
    ]

    operations = [
        LogChanges("cases_person", "person", exclude=("search_name",)),
        LogChanges("cases_personaddress", "person", id_column="person_id"),
        LogChanges("cases_householdmember", "person", id_column="person_id"),
        LogChanges("cases_relationship", "person", id_column="person_id"),
        LogChanges("cases_personflag", "person", id_column="person_id"),
        LogChanges("cases_restrictedaccess", "person", id_column="person_id"),
        LogChanges("cases_household", "household"),
        LogChanges("cases_case", "case"),
        LogChanges("cases_incident", "incident"),
        LogChanges("cases_incidentparty", "incident", id_column="incident_id"),
        LogChanges("cases_incidentchild", "incident", id_column="incident_id"),
        LogChanges("cases_dashassessment", "incident", id_column="incident_id"),
        LogChanges("cases_maracreferral", "incident", id_column="incident_id"),
        LogChanges("cases_encompassnotice", "incident", id_column="incident_id"),
        migrations.RunPython(roles_sync, migrations.RunPython.noop),
    ]
