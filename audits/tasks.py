"""Celery tasks of the audits app: keeping the dashboard's snapshots fresh (``audits.snapshots``)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from audits.context import actor_set
from audits.snapshots import partnership_default_scopes, snapshots_refresh


@shared_task(name="audits.tasks.dashboard_snapshots_refresh")
def dashboard_snapshots_refresh() -> int | None:
    """Recompute the dashboards viewed lately and each partnership's own; how many (None: one was running)."""
    actor_set(None, label="system: dashboard snapshots")
    now = timezone.now()
    return snapshots_refresh(now=now, default_scopes=partnership_default_scopes(timezone.localdate(now)))
