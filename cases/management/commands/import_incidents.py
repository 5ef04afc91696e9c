"""``manage.py import_incidents FILE [--agency ID] [--user USERNAME] [--partnership CODE]``: a police incident feed.

The format is docs/incident-feed.md. Bad rows are reported with their line numbers and
skipped; every good row lands, once: a reference the agency already has is skipped, so a
feed can be imported again safely.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.models import Agency, Partnership, User
from agencies.selectors import membership_of
from audits.context import actor_set
from cases.import_feed import FeedError, feed_read
from cases.services.incidents import incidents_import


class Command(BaseCommand):
    help = "Import a police incident feed (CSV or JSON lines); see docs/incident-feed.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The feed: a .csv or .jsonl file")
        parser.add_argument("--agency", type=int, help="The reporting agency's id (default: the user's agency)")
        parser.add_argument("--user", help="The username the incidents are recorded by (the audit trail's actor)")
        parser.add_argument(
            "--partnership", help="The partnership's code, when the agency serves several and no --user is given"
        )
        parser.add_argument("--chunk-size", type=int, default=1000, help="Incidents per transaction (default 1000)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"])
        agency = self._agency(options["agency"], user)
        partnership = self._partnership(options["partnership"], agency, user)
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor_set(user, label="system: import_incidents")
        started = time.monotonic()
        try:
            feed = feed_read(path)
        except (FeedError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from error
        total = feed.total
        shown = options["verbosity"] > 0

        def progress(done: int) -> None:
            if shown:
                self.stderr.write(f"\r{done + len(feed.rejected):,}/{total:,} rows", ending="")
                self.stderr.flush()

        try:
            result = incidents_import(
                feed.rows, partnership=partnership, reported_by=agency, by=user, chunk_size=options["chunk_size"],
                progress=progress,
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        if shown:
            self.stderr.write(f"\r{total:,}/{total:,} rows")
        rejected = sorted([(r.line, r.reason) for r in feed.rejected] + result.rejected)
        for line, reason in rejected:
            self.stderr.write(f"line {line}: {reason}")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"imported {result.imported:,}, skipped {result.already_present:,} already present,"
            f" rejected {len(rejected):,}"
        )
        if options["verbosity"] > 1:
            rate = result.imported / elapsed if elapsed else 0.0
            self.stdout.write(
                f"{elapsed:.1f} s ({rate:,.0f} incidents a second); {result.people_created:,} people and"
                f" {result.households_created:,} households created; {result.notices:,} Operation Encompass"
                f" notices ({result.notices_unsent:,} waiting for a school); {result.flags_raised:,} children flagged"
                f" escalating; {result.marac_referrals:,} MARAC referral tasks"
            )

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).select_related("membership__agency").first()
        if user is None:
            raise CommandError(f"No active user {username!r}")
        return user

    def _agency(self, agency_id: int | None, user: User | None) -> Agency:
        if agency_id is None:
            membership = membership_of(user) if user is not None else None
            if membership is None:
                raise CommandError("Say which agency reported the incidents: --agency ID or --user USERNAME")
            return membership.agency
        agency = Agency.objects.filter(pk=agency_id).first()
        if agency is None:
            raise CommandError(f"No agency with id {agency_id}")
        return agency

    def _partnership(self, code: str | None, agency: Agency, user: User | None) -> Partnership:
        served = list(agency.partnerships.all())
        if code:
            found = next((p for p in served if p.code.upper() == code.strip().upper()), None)
            if found is None:
                raise CommandError(f"{agency.name} does not serve a partnership with code {code!r}")
            return found
        membership = membership_of(user) if user is not None else None
        if membership is not None:
            return membership.partnership
        if len(served) != 1:
            raise CommandError(f"{agency.name} serves several partnerships: say which with --partnership CODE")
        return served[0]


