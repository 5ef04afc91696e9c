from django.apps import AppConfig


class StrategyMeetingsConfig(AppConfig):
    name = "strategy_meetings"
    verbose_name = "Strategy meetings"
