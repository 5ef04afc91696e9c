from django.apps import AppConfig


class StrategyMeetingsConfig(AppConfig):
    name = "strategy_meetings"
    verbose_name = "Strategy meetings"

    def ready(self) -> None:
        from audits.records import RecordType, record_type_register
        from strategy_meetings.models import (
            Action,
            Contribution,
            Invitation,
            MinutesDistribution,
            StrategyMeeting,
            StrategyMeetingChild,
        )
        from strategy_meetings.permissions import meeting_history_check

        record_type_register(
            RecordType("strategy_meeting", "Strategy meeting", meeting_history_check,
                       models=(StrategyMeeting, StrategyMeetingChild, Invitation, Contribution, Action,
                               MinutesDistribution))
        )
