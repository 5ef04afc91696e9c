"""The dashboard's snapshots (``audits.snapshots``, SPEC 7.1): a manager is shown the figures as computed at a
stated time, at most two refresh intervals old; beat's refresh brings every dashboard viewed lately up to date and
forgets those nobody looks at; the page then reads one row, whatever the number of records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.models import DashboardSnapshot
from audits.snapshots import max_age, partnership_default_scopes, scope_key, snapshots_refresh
from audits.tasks import dashboard_snapshots_refresh
from tests.audits.test_dashboard_pages import DASHBOARD, DECISIONS, default_scope, front_door, page
from tests.conftest import World

API = "/api/v1/dashboard/"


def decisions(client: Any) -> int:
    """How many referrals the decisions-in-time figure counts (the API's denominator): three a ``front_door``."""
    response = client.get(API)
    assert response.status_code == 200
    return int(response.json()["figures"][DECISIONS]["denominator"])


def age(world: World, by: timedelta, *, viewed: bool = False) -> None:
    """Make the partnership's snapshot as old as ``by`` (and last viewed then, with ``viewed``)."""
    snapshot = DashboardSnapshot.objects.filter(key=scope_key(default_scope(world)))
    snapshot.update(computed_at=timezone.now() - by)
    if viewed:
        snapshot.update(viewed_at=timezone.now() - by)


def test_a_manager_sees_the_figures_as_at_the_time_they_were_computed(world: World, client_for):
    client = client_for(world.mm)
    front_door(world, n=1)
    assert decisions(client) == 3
    front_door(world, n=1)
    # Within the snapshot's life the figures stand as computed, and the page says when that was.
    assert decisions(client) == 3
    html = page(client)
    assert "Figures as at" in html
    assert "brought up to date every 10 minutes" in html
    # Once it is older than twice the refresh interval, the next view computes them afresh.
    age(world, max_age() + timedelta(seconds=1))
    assert decisions(client) == 6


def test_the_refresh_brings_viewed_dashboards_up_to_date_and_forgets_the_rest(world: World, client_for):
    client = client_for(world.mm)
    front_door(world, n=1)
    assert decisions(client) == 3
    front_door(world, n=1)
    computed = snapshots_refresh(now=timezone.now(), default_scopes=[])
    assert computed == 1
    assert decisions(client) == 6
    # Nobody has viewed it for a day: the next refresh deletes it rather than computing it.
    age(world, timedelta(days=1, seconds=1), viewed=True)
    assert snapshots_refresh(now=timezone.now(), default_scopes=[]) == 0
    assert not DashboardSnapshot.objects.exists()


def test_the_refresh_task_keeps_each_partnership_s_own_dashboard_ready(world: World, client_for):
    front_door(world, n=1)
    assert dashboard_snapshots_refresh() == len(partnership_default_scopes(timezone.localdate()))
    snapshot = DashboardSnapshot.objects.get(key=scope_key(default_scope(world)))
    assert snapshot.figures[DECISIONS]["denominator"] == 3
    assert snapshot.partnership_id == world.north.pk


def test_a_dashboard_read_from_its_snapshot_takes_the_same_queries_whatever_the_records(world: World, client_for):
    client = client_for(world.sm)
    front_door(world, n=1)
    page(client)
    with CaptureQueriesContext(connection) as few:
        page(client)
    front_door(world, n=3)
    age(world, max_age() - timedelta(minutes=1))
    with CaptureQueriesContext(connection) as many:
        html = page(client)
    # Made before the later referrals, the snapshot is what the page shows, with no query of the records.
    assert 'id="measure-decisions_in_time"' in html
    assert len(many.captured_queries) == len(few.captured_queries)
    assert any("audits_dashboardsnapshot" in query["sql"] for query in many.captured_queries)
    assert not any("referrals_decision" in query["sql"] for query in many.captured_queries)


def test_the_page_shows_the_snapshot_of_the_scope_chosen(world: World, client_for):
    client = client_for(world.sm)
    front_door(world, n=1)
    page(client)
    page(client, DASHBOARD, {"agency": world.health_visiting.pk})
    keys = set(DashboardSnapshot.objects.values_list("key", flat=True))
    chosen = default_scope(world, agency_id=world.health_visiting.pk)
    assert keys == {scope_key(default_scope(world)), scope_key(chosen)}
