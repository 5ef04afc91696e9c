from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from agencies.demo import DEMO_PASSWORD, demo_logins, seed_demo
from audits.context import actor_set


class Command(BaseCommand):
    help = "Create the demo partnership with one user per role and agency, and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        actor_set(None, label="system: seed_demo")
        created = seed_demo(today=timezone.localdate())
        self.stdout.write("Created the demo partnership." if created else "The demo partnership is already there.")
        logins = demo_logins()
        width = max(len(login.username) for login in logins)
        self.stdout.write(f"\nDemo logins (every password: {DEMO_PASSWORD})\n")
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role}, {login.agency}")
