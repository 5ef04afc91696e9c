from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agencies.demo import DEMO_PASSWORD, PARTNERSHIP_CODE, demo_logins, seed_demo
from agencies.models import Partnership
from audits.context import actor_set
from audits.demo import seed_oversight_demo
from audits.demo_history import seed_history
from cases.demo import seed_cases_demo
from cases.demo_lived import seed_lived_demo
from referrals.demo import seed_referrals_demo
from strategy_meetings.demo import seed_meetings_demo


class Command(BaseCommand):
    help = "Create the demo partnership with one user per role and agency, and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        actor_set(None, label="system: seed_demo")
        now = timezone.now()
        today = timezone.localdate(now)
        # All of it or none of it: a half-seeded partnership would never be completed on a re-run.
        with transaction.atomic():
            created = seed_demo(today=today)
            if created:
                partnership = Partnership.objects.get(code=PARTNERSHIP_CODE)
                seed_cases_demo(partnership=partnership, today=today)
                seed_referrals_demo(partnership=partnership, now=now)
                seed_meetings_demo(partnership=partnership, now=now)
                seed_lived_demo(partnership=partnership, now=now)
                # A year of history behind the dashboards, then the improvement plan and the audit round on it.
                seed_history(partnership=partnership, now=now)
                seed_oversight_demo(partnership=partnership, now=now)
        self.stdout.write("Created the demo partnership." if created else "The demo partnership is already there.")
        logins = demo_logins()
        width = max(len(login.username) for login in logins)
        self.stdout.write(f"\nDemo logins (every password: {DEMO_PASSWORD})\n")
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role}, {login.agency}")
