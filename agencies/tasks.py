"""Celery tasks of the agencies app: the chase sweep that beat runs (SPEC 5)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from agencies.chasers import chase_run
from agencies.services import notifications_deliver
from audits.context import actor_set


@shared_task(name="agencies.tasks.chase_sweep")
def chase_sweep() -> dict[str, int]:
    """Send what is due and e-mail it. Safe to run twice or at once: the database refuses a second send."""
    actor_set(None, label="system: chase")
    results = chase_run(now=timezone.now())
    emailed = notifications_deliver()
    return {
        "reminders": sum(r.reminders for r in results),
        "escalations": sum(r.escalations for r in results),
        "failed_rules": sum(r.failed for r in results),
        "emailed": emailed,
    }
