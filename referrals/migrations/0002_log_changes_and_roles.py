from django.db import migrations

from agencies.roles import roles_sync
from audits.db import LogChanges


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_front_door"),
        ("audits", "0002_access_log_triggers"),
    ]

    operations = [
        LogChanges("referrals_referral", "referral"),
        LogChanges("referrals_referralchild", "referral", id_column="referral_id"),
        LogChanges("referrals_agencycheck", "referral", id_column="referral_id"),
        LogChanges("referrals_decision", "referral", id_column="referral_id"),
        LogChanges("referrals_feedback", "referral", id_column="referral_id"),
        LogChanges("referrals_escalation", "referral", id_column="referral_id"),
        LogChanges("referrals_escalationstage", "escalation", id_column="escalation_id"),
        migrations.RunPython(roles_sync, migrations.RunPython.noop),
    ]
