"""What the benchmark measures, on the synthetic partnership (``agencies.synthetic``) of the current database.

Each page is asked for as the person who uses it: the triage queue and a referral by a MASH practitioner, a
child's chronology and case by the case's social worker, the dashboard by a senior manager. Several records of
each kind are visited in turn, chosen the same way at every size: the referrals that have the most on them,
the open cases of the children with the most incidents, and the child with the longest chronology.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management import call_command
from django.db import connection, transaction
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import two_factor
from agencies.chasers import chase_run
from agencies.models import Partnership, Role, User
from agencies.synthetic import CODE
from audits.dashboard import period_default
from audits.measures_base import Scope
from audits.snapshots import snapshot_compute
from cases.models import Person
from cases.selectors.chronology import ChronologyFilters, chronology_page
from tests.perf.feed import feed_write

if TYPE_CHECKING:
    from tests.perf.bench import Figure

VISITS = 10


def pages(*, requests: int, timed: Callable[..., Figure]) -> list[Figure]:
    """The pages and endpoints, and the chaser sweep."""
    partnership = Partnership.objects.get(code=CODE)
    mash = _client(_staff(partnership, Role.MASH_PRACTITIONER))
    senior = _client(_staff(partnership, Role.SENIOR_MANAGER))
    child, events, social_worker = _longest_chronology(partnership)
    sw = _client(social_worker)
    referrals = _rows("""
        SELECT r.id FROM referrals_referral r
          JOIN strategy_meetings_strategymeeting m ON m.referral_id = r.id AND m.status = 'held'
         WHERE r.partnership_id = %s AND EXISTS (SELECT 1 FROM referrals_agencycheck c WHERE c.referral_id = r.id)
         ORDER BY r.id DESC LIMIT %s
    """, partnership.pk)
    cases = _rows("""
        SELECT c.id FROM cases_case c
         WHERE c.partnership_id = %s AND c.status <> 'closed'
         ORDER BY (SELECT count(*) FROM cases_incidentchild ic WHERE ic.child_id = c.child_id) DESC, c.id LIMIT %s
    """, partnership.pk)
    case_client = _client(User.objects.get(cases_led__id=cases[0]))

    def get(client: Client, url: str) -> Callable[[int], Any]:
        def action(_: int) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}: {response.status_code}")
        return action

    def each(client: Client, pattern: str, ids: list[int]) -> Callable[[int], Any]:
        def action(i: int) -> None:
            get(client, pattern.format(ids[i % len(ids)]))(i)
        return action

    figures = [
        timed("Triage queue (page)", get(mash, "/referrals/"), requests),
        timed("Triage queue (API)", get(mash, "/api/v1/referrals/?status=awaiting_decision"), requests),
        timed("Chronology, longest (page)", get(sw, f"/people/{child}/chronology/"), requests,
              note=f"the child has {events} events"),
        timed("Chronology, longest (API)", get(sw, f"/api/v1/people/{child}/chronology/"), requests),
        timed("Case page", each(case_client, "/cases/{}/", cases), requests, counted=len(cases),
              note="the open cases of the children with the most incidents, visited as the social worker"),
        timed("Referral page", each(mash, "/referrals/{}/", referrals), requests, counted=len(referrals),
              note="the latest referrals with agency checks and a strategy meeting held"),
        timed("Referral (API)", each(mash, "/api/v1/referrals/{}/", referrals), requests, counted=len(referrals)),
        timed("Manager dashboard (page)", get(senior, "/dashboard/"), max(10, requests // 4), warm=1),
        timed("Manager dashboard (API)", get(senior, "/api/v1/dashboard/"), max(10, requests // 4), warm=1),
    ]
    figures.append(_snapshot(partnership, timed))
    figures.append(_sweep(timed))
    return figures


def _staff(partnership: Partnership, role: str) -> User:
    return User.objects.filter(membership__partnership=partnership, membership__role=role).order_by("username")[0]


def _client(user: User) -> Client:
    """A session signed in as the sign-in pages leave it: with the code step done for a role that needs one."""
    client = Client()
    client.force_login(user)
    if two_factor.two_factor_required(user):
        device = two_factor.app_device(user) or TOTPDevice.objects.create(
            user=user, name=two_factor.APP_DEVICE_NAME, confirmed=True
        )
        request = HttpRequest()
        request.session = client.session
        request.user = user
        two_factor.session_verify(request, device)
        request.session.save()
    return client


def _rows(sql: str, partnership_id: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [partnership_id, VISITS])
        return [row[0] for row in cursor.fetchall()]


def _longest_chronology(partnership: Partnership) -> tuple[int, int, User]:
    """The child at the most incidents who has a case, how many events their chronology has, and their worker."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT ic.child_id, count(*) FROM cases_incidentchild ic
             WHERE ic.partnership_id = %s AND EXISTS (SELECT 1 FROM cases_case c WHERE c.child_id = ic.child_id)
             GROUP BY ic.child_id ORDER BY count(*) DESC, ic.child_id LIMIT 1
        """, [partnership.pk])
        child_id, _ = cursor.fetchone()
    worker = User.objects.filter(cases_led__child_id=child_id).order_by("-cases_led__opened_on")[0]
    page = chronology_page(user=worker, child=Person.objects.get(pk=child_id), filters=ChronologyFilters())
    return child_id, page.total, worker


def _snapshot(partnership: Partnership, timed: Callable[..., Figure]) -> Figure:
    """The partnership's dashboard computed afresh, as beat does every 10 minutes (rolled back)."""
    start, end = period_default(timezone.localdate())
    scope = Scope(partnership_id=partnership.pk, start=start, end=end)
    with transaction.atomic():
        figure = timed("Dashboard snapshot computed", lambda _: snapshot_compute(scope, now=timezone.now(),
                                                                                   viewed=False), 2, warm=0)
        transaction.set_rollback(True)
    return figure


def _sweep(timed: Callable[..., Figure]) -> Figure:
    """Chaser sweeps as beat runs them, rolled back: the first sends what has fallen due since the partnership was
    generated (itself swept then); the timed ones, at the same moment, find it sent, so each does only its reading:
    its queries are the sweep's fixed number."""
    now = timezone.now()
    with transaction.atomic():
        started = time.perf_counter()
        chase_run(now=now)
        first = (time.perf_counter() - started) * 1000
        figure = timed("Chaser sweep", lambda _: chase_run(now=now), 10, warm=0,
                       note=f"the first sweep, sending what had fallen due, took {first:.0f} ms")
        transaction.set_rollback(True)
    return figure


def incident_import(*, rows: int) -> Figure:
    """The import command on feeds naming the partnership's people and new ones, committed as it commits.

    The benchmark runs it on a copy of the database made for it: the import holds a lock on each person it
    matches until its chunk commits, so it cannot be rolled back as one transaction.
    """
    from tests.perf.bench import Figure

    partnership = Partnership.objects.get(code=CODE)
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT given_name, family_name, date_of_birth, nhs_number, date_of_birth > %s FROM cases_person
             WHERE partnership_id = %s AND mod(id, 37) = 0 ORDER BY id LIMIT 20000
        """, [timezone.localdate() - timedelta(days=18 * 365), partnership.pk])
        people = cursor.fetchall()
    adults = [row[:4] for row in people if not row[4]]
    children = [row[:4] for row in people if row[4]]
    officer = User.objects.filter(
        membership__partnership=partnership, membership__role=Role.PRACTITIONER,
        membership__agency__kind="police",
    ).order_by("username")[0]
    rates = []
    with tempfile.TemporaryDirectory() as folder:
        for run_number in range(2):
            path = Path(folder) / f"feed-{run_number}.csv"
            feed_write(path, rows=rows, adults=adults, children=children, seed=run_number + 1,
                       prefix=f"BENCH{run_number}")
            started = time.perf_counter()
            call_command("import_incidents", str(path), user=officer.username, verbosity=0)
            rates.append(rows / (time.perf_counter() - started))
    seconds = [rows / rate * 1000 for rate in rates]
    return Figure(name="Incident import", p50_ms=min(seconds), p95_ms=max(seconds), queries=0, rate=min(rates),
                  note=f"{rows:,} rows a run, the slower of two runs")

