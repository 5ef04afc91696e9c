"""``manage.py chase [--now ISO-8601] [--rule NAME]``: one chase sweep, as beat runs it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agencies.chasers import chase_rules, chase_run
from agencies.services import notifications_deliver
from audits.context import actor_set


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class Command(BaseCommand):
    help = "Run every chaser rule once, as at --now, print what each sent, then e-mail it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="Run as at this moment: ISO-8601 with an offset, e.g. 2025-04-22T09:30+01:00")
        parser.add_argument("--rule", action="append", help="Run only this rule (may be repeated)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = self._parse_now(options["now"]) if options["now"] else timezone.now()
        names = options["rule"]
        if names:
            unknown = sorted(set(names) - {rule.name for rule in chase_rules()})
            if unknown:
                known = ", ".join(rule.name for rule in chase_rules())
                raise CommandError(f"Unknown rule {', '.join(unknown)}; the rules are: {known}")
        actor_set(None, label="system: chase")
        results = chase_run(now=now, rules=names)
        for result in results:
            if result.failed:
                self.stderr.write(f"{result.rule}: failed, nothing sent (see the log)")
                continue
            reminders = _counted(result.reminders, "reminder")
            line = f"{result.rule}: {reminders}, {_counted(result.escalations, 'escalation')}"
            if result.unrouted:
                line += f" ({result.unrouted} with no one to tell)"
            self.stdout.write(line)
        emailed = notifications_deliver()
        if options["verbosity"] > 1:
            self.stdout.write(f"e-mailed: {emailed}")
        if any(result.failed for result in results):
            raise CommandError("Some rules failed; see the log.")

    def _parse_now(self, value: str) -> datetime:
        try:
            now = datetime.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--now {value!r} is not an ISO-8601 date and time") from error
        if now.tzinfo is None or now.utcoffset() is None:
            raise CommandError(f"--now {value!r} has no time zone offset; add one, e.g. +00:00 or Z")
        return now
