from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from audits.records import RecordType, record_type_register
        from referrals.models import (
            AgencyCheck,
            Decision,
            Escalation,
            EscalationStage,
            Feedback,
            Referral,
            ReferralChild,
        )
        from referrals.permissions import escalation_history_check, referral_history_check

        record_type_register(
            RecordType("referral", "Referral", referral_history_check,
                       models=(Referral, ReferralChild, AgencyCheck, Decision, Feedback, Escalation))
        )
        record_type_register(
            RecordType("escalation", "Escalation", escalation_history_check, models=(EscalationStage,))
        )
