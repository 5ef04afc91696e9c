"""Outages (SPEC 7.2): Redis stopped, and a worker killed mid-task, with real processes.

Each test starts its own redis-server (tests.outage_servers) and, where a task must run, ``celery -A config worker``
as a separate process against that Redis and the test database; they are stopped, started and SIGKILLed for real.

- Redis down: every page works and a write is saved, because no page depends on Redis.
- Chases due while Redis was down: beat cannot queue a sweep meanwhile; once Redis is back, one sweep through a
  worker sends every reminder and escalation that fell due, each once, and a second sweep sends nothing.
- A worker killed mid-task (the process running the task, or the whole worker): the task runs again and its effect
  exists once (late acknowledgement; the chase_once_per_level constraint).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from pathlib import Path

import psycopg
import pytest
from celery import Celery
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError

from agencies.chasers import chase_run
from agencies.models import Chase, Notification, TrainingRecord, User
from agencies.services import training_record_create
from config.celery import app
from referrals.models import Referral
from tests.conftest import World
from tests.factories import PASSWORD
from tests.matrix.case_pages import baby_case
from tests.matrix.referral_pages_triage import child, referral
from tests.outage_servers import RedisServer, Worker, wait_for, worker_database_url

# Committed data, for the worker processes to read; one xdist worker for them all, as they share ports 6391-6400.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("outages")]

SWEEP = "agencies.tasks.chase_sweep"
# How long a task taken by a worker that then died waits to be handed out again: as configured, an hour; two seconds
# where a test waits for it.
VISIBILITY_SECONDS = 3600
VISIBILITY_SECONDS_SHORT = 2


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workers(redis: RedisServer, tmp_path: Path) -> Iterator[list[Worker]]:
    """Start workers with ``workers.append(Worker(...))``; all are stopped at the end."""
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def worker_for(redis: RedisServer, tmp_path: Path, name: str, *,
               visibility_seconds: int = VISIBILITY_SECONDS) -> Worker:
    return Worker(redis, tmp_path / f"{name}.log", visibility_seconds=visibility_seconds)


def sweep_sent(redis: RedisServer, *, retry: bool = True) -> str:
    """Queue the chase sweep on ``redis`` by its name, as beat does; its task id."""
    with Celery("beat", broker=redis.url, set_as_current=False) as beat:
        return str(beat.send_task(SWEEP, retry=retry).id)


@pytest.fixture
def app_broker_down(redis: RedisServer, settings) -> Iterator[None]:
    """The application's own broker (and any Redis cache) is the test's Redis, which is then stopped."""
    previous = app.conf.broker_url
    app.conf["broker_url"] = redis.url
    pools_forgotten()
    for alias in settings.CACHES:
        if "redis" in settings.CACHES[alias]["BACKEND"].lower():
            settings.CACHES = {**settings.CACHES, alias: {**settings.CACHES[alias], "LOCATION": redis.url}}
    redis.stop()
    try:
        yield
    finally:
        app.conf["broker_url"] = previous
        pools_forgotten()


def pools_forgotten() -> None:
    """The application connects afresh to its broker the next time it needs it (as in a forked process)."""
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split())


def version_of(response) -> str:
    found = re.search(r'name="version" value="(\d+)"', response.content.decode())
    assert found, "the rating form carries the referral's version"
    return found.group(1)


# -- Redis stopped: the pages ---------------------------------------------------------------------------------


def test_with_redis_stopped_every_main_page_works_and_a_write_is_saved(world, redis, app_broker_down, client_for):
    waiting = referral(world, [child(world, "Rosa", "Outage", 6)], hours_ago=30)
    case = baby_case(world)
    # Redis really is down for the application: its broker cannot be reached, as beat finds.
    assert app.conf.broker_url == redis.url
    with pytest.raises(OperationalError), app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0)

    # Signing in uses the database only (sessions, django-axes).
    browser = Client()
    signed_in = browser.post("/sign-in/", {"username": world.mw.username, "password": PASSWORD})
    assert signed_in.status_code == 302
    for path in ("/", "/referrals/", f"/referrals/{waiting.pk}/", f"/cases/{case.pk}/", "/inbox/"):
        assert browser.get(path).status_code == 200, path
    queue = browser.get("/referrals/")
    assert "Rosa Outage" in text_of(queue)

    # A write: the referral is rated red, the change committed and shown.
    page = browser.get(f"/referrals/{waiting.pk}/")
    rated = browser.post(f"/referrals/{waiting.pk}/rag/", {"rag": "red", "version": version_of(page)})
    assert rated.status_code == 302
    waiting.refresh_from_db()
    assert waiting.rag == Referral.Rag.RED
    assert "rated red" in text_of(browser.get(rated["Location"]))

    # The MASH manager's dashboard, which beat's snapshots refresh, is computed on the spot.
    dashboard = client_for(world.mm).get("/dashboard/")
    assert dashboard.status_code == 200
    assert "MASH dashboard" in text_of(dashboard)


# -- Redis stopped: the chases due meanwhile -------------------------------------------------------------------


@dataclass
class Due:
    training: list[TrainingRecord]
    referrals: list[Referral]

    @property
    def keys(self) -> set[tuple[str, int, int]]:
        """(rule, subject, level) of every reminder and escalation: three levels each, all long due."""
        return {("training_expired", r.pk, level) for r in self.training for level in (1, 2, 3)} | {
            ("referral_decision", r.pk, level) for r in self.referrals for level in (1, 2, 3)
        }


def expired(user: User, days_ago: int, course: str = TrainingRecord.Course.SAFEGUARDING_L2) -> TrainingRecord:
    today = timezone.localdate()
    return training_record_create(user=user, course=course, completed_on=today - timedelta(days=days_ago + 1000),
                                  expires_on=today - timedelta(days=days_ago))


def sent_keys(rules: tuple[str, ...] = ("training_expired", "referral_decision")) -> list[tuple[str, int, int]]:
    """(rule, subject, level) of every notification the chasers sent for ``rules``, duplicates kept."""
    return sorted((kind, subject_id or 0, level) for kind, subject_id, level in
                  Notification.objects.filter(kind__in=rules).values_list("kind", "subject_id", "level"))


def test_every_chase_due_while_redis_was_down_is_sent_once_when_it_returns(world, redis, workers, tmp_path):
    # Before the outage (at a fixed moment 30 days ago) the sweep ran and sent what was due then.
    before = timezone.now() - timedelta(days=30)
    earlier = Due(training=[expired(world.sw, 60), expired(world.mw, 45)], referrals=[])
    chase_run(now=before)
    assert sent_keys() == sorted(earlier.keys)
    chased_before = Chase.objects.count()

    # Redis stops and stays down while time passes: beat's sweeps cannot even be queued.
    redis.stop()
    with pytest.raises(OperationalError):
        sweep_sent(redis, retry=False)
    # Meanwhile training expired and referrals went past their decision deadlines (all three levels of each).
    during = Due(
        training=[expired(world.tm, 20), expired(world.hv, 18), expired(world.te, 16),
                  expired(world.sw, 14, TrainingRecord.Course.DASH)],
        referrals=[referral(world, [child(world, name, "Waiting", 4)], hours_ago=24 * 16)
                   for name in ("Amy", "Ben", "Cal")],
    )

    # Redis is back: beat queues the sweep, and a worker runs it.
    redis.start()
    workers.append(worker := worker_for(redis, tmp_path, "worker"))
    first = sweep_sent(redis)
    wait_for(lambda: worker.succeeded(first), what="the sweep")

    # Every reminder due in the outage was sent, once; nothing sent before was sent again; all were e-mailed.
    assert sent_keys() == sorted(earlier.keys | during.keys)
    assert len(during.keys) == 21
    assert Chase.objects.values("rule", "subject_id", "level").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
    assert Chase.objects.filter(sent_at__lte=before + timedelta(minutes=1)).count() == chased_before

    # The next sweep finds nothing new to send.
    count = Notification.objects.count()
    second = sweep_sent(redis)
    wait_for(lambda: worker.succeeded(second), what="the second sweep")
    assert Notification.objects.count() == count
    assert sent_keys() == sorted(earlier.keys | during.keys)


# -- A worker killed mid-task ----------------------------------------------------------------------------------


@pytest.fixture
def chase_table_locked() -> Iterator[psycopg.Connection]:
    """The chase table locked against inserts, from a connection of the test's own: a sweep stops at its first
    insert, mid-task, until the returned connection rolls back."""
    with psycopg.connect(worker_database_url()) as locker:
        locker.execute("LOCK TABLE agencies_chase IN EXCLUSIVE MODE")
        yield locker
        locker.rollback()


def sweep_blocked() -> list[int]:
    """The database sessions of sweeps waiting to insert their chases."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND query LIKE %s",
            ["%INSERT INTO agencies_chase%"],
        )
        return [pid for (pid,) in cursor.fetchall()]


def sessions_gone(pids: list[int]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
        (count,) = cursor.fetchone()
    return bool(count == 0)


def long_expired(world: World) -> set[tuple[str, int, int]]:
    records = [expired(world.sw, 40), expired(world.tm, 40), expired(world.hv, 40)]
    return {("training_expired", r.pk, level) for r in records for level in (1, 2, 3)}


def test_the_process_running_a_task_killed_mid_task_the_task_runs_again_once(
        world, redis, workers, tmp_path, chase_table_locked):
    due = long_expired(world)
    workers.append(worker := worker_for(redis, tmp_path, "worker"))
    task = sweep_sent(redis)
    wait_for(lambda: bool(sweep_blocked()), what="the sweep to reach its insert")
    killed = sweep_blocked()

    worker.kill_task_process()
    wait_for(lambda: "WorkerLostError" in worker.output(), what="the worker to see its process lost")
    chase_table_locked.rollback()
    wait_for(lambda: sessions_gone(killed), what="the killed run's database session to end")

    # The worker requeued the task at once (reject on worker lost; the hour's visibility timeout is far off), and its
    # new process ran it to the end.
    wait_for(lambda: worker.succeeded(task), what="the task to run again")
    assert sent_keys(("training_expired",)) == sorted(due)
    assert Chase.objects.count() == Notification.objects.count() == len(due) == 9


def test_a_whole_worker_killed_mid_task_the_next_worker_runs_it_once(
        world, redis, workers, tmp_path, chase_table_locked):
    due = long_expired(world)
    workers.append(first := worker_for(redis, tmp_path, "first", visibility_seconds=VISIBILITY_SECONDS_SHORT))
    task = sweep_sent(redis)
    wait_for(lambda: bool(sweep_blocked()), what="the sweep to reach its insert")
    killed = sweep_blocked()

    first.kill()
    chase_table_locked.rollback()
    wait_for(lambda: sessions_gone(killed), what="the killed run's database session to end")
    # The killed run left nothing half-done: its transaction was rolled back.
    assert Chase.objects.count() == Notification.objects.count() == 0

    # Unacknowledged, the task goes back on the queue; the next worker runs it.
    workers.append(second := worker_for(redis, tmp_path, "second", visibility_seconds=VISIBILITY_SECONDS_SHORT))
    wait_for(lambda: second.succeeded(task), timeout=30, what="the task to run again")
    assert sent_keys(("training_expired",)) == sorted(due)
    assert Chase.objects.count() == Notification.objects.count() == len(due) == 9
