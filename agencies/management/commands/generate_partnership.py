"""``manage.py generate_partnership [--fraction F] [--seed N]``: the synthetic partnership of SPEC 7.1."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from agencies.synthetic import CODE, Size, partnership_generate
from audits.context import actor_set


class Command(BaseCommand):
    help = (
        "Create the synthetic partnership of SPEC 7.1 (150,000 children, 1,000,000 incidents, ...) at a fraction of"
        " full size, for the benchmark. Its staff log in with the demo password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fraction", type=float, default=0.01,
                            help="Of SPEC 7.1's full size: 1 for all of it, 0.01 (the default) for 1/100")
        parser.add_argument("--seed", type=int, default=1, help="The same seed makes the same partnership")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            size = Size.of(options["fraction"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        actor_set(None, label="system: generate_partnership")
        started = time.monotonic()
        shown = options["verbosity"] > 0

        def say(line: str) -> None:
            if shown:
                self.stdout.write(f"  {line}  ({time.monotonic() - started:,.0f} s)")

        try:
            partnership_generate(fraction=size.fraction, now=timezone.now(), seed=options["seed"], say=say)
        except ValueError as error:
            raise CommandError(str(error)) from error
        # The planner's statistics for the new rows; outside a transaction, the visibility map too, which lets
        # index-only scans skip the tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            f"Created the synthetic partnership {CODE} at {size.fraction:g} of full size in"
            f" {time.monotonic() - started:,.0f} s."
        )
