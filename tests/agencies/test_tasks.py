"""The chase sweep through a real Celery worker and the configured Redis broker (SPEC 2, 7.2)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections
from django.utils import timezone
from kombu import Queue

from agencies.models import Chase, Notification, TrainingRecord
from agencies.services import training_record_create
from agencies.tasks import chase_sweep
from config.celery import app

# A committed database for the worker thread to read; a few seconds for the worker to start.
pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition: Callable[[], bool], *, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@pytest.fixture
def worker() -> Iterator[tuple[str, threading.Semaphore]]:
    """A worker on a queue of this test's own, so no other worker (or test) takes its tasks.

    Yields the queue and a semaphore released each time a task has finished.
    """
    queue = f"test-{uuid.uuid4().hex}"
    finished = threading.Semaphore(0)

    def task_done(**kwargs: object) -> None:
        # Runs in the worker's thread: close its connection so the test database can be dropped.
        connections.close_all()
        finished.release()

    task_postrun.connect(task_done, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=20):
            yield queue, finished
    finally:
        task_postrun.disconnect(task_done)
        with app.connection() as broker:
            Queue(queue).bind(broker.default_channel).delete()


def test_chase_sweep_sends_through_the_worker_once(world, worker, mailoutbox):
    queue, finished = worker
    today = timezone.localdate()
    training_record_create(
        user=world.sw, course=TrainingRecord.Course.SAFEGUARDING_L1, completed_on=today - timedelta(days=1200),
        expires_on=today - timedelta(days=30),
    )

    chase_sweep.apply_async(queue=queue)
    wait_for(lambda: Notification.objects.filter(recipient=world.sw, kind="training_expired").exists())
    assert finished.acquire(timeout=20)
    # A month expired: the reminder and both escalations went out together, each e-mailed.
    assert sorted(Notification.objects.values_list("level", "recipient__username")) == [
        (1, "sw"), (2, "tm"), (3, "sm")
    ]
    assert len(mailoutbox) == 3

    # Delivered again (as after a worker killed mid-task with acks_late): nothing new.
    chase_sweep.apply_async(queue=queue)
    assert finished.acquire(timeout=20)
    assert Chase.objects.count() == Notification.objects.count() == 3
    assert len(mailoutbox) == 3
