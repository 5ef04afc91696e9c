"""The object-permission pattern: records are shared with agency groups, never with users."""

import pytest
from django.contrib.auth.models import Permission

from agencies.models import Team
from agencies.permissions import record_share, records_shared_with, records_visible
from agencies.services import team_create

pytestmark = pytest.mark.django_db


def test_a_record_shared_with_an_agency_is_visible_to_its_users_only(world):
    shared = team_create(agency=world.csc, name="Assessment team")
    team_create(agency=world.csc, name="Not shared")
    record_share(record=shared, agency=world.police)
    assert list(records_visible(user=world.po, queryset=Team.objects.all())) == [shared]
    assert list(records_visible(user=world.hv, queryset=Team.objects.all())) == []
    assert list(records_shared_with(agency=world.police, queryset=Team.objects.all())) == [shared]


def test_a_global_model_permission_does_not_open_every_record(world):
    team_create(agency=world.csc, name="Assessment team")
    world.ad.user_permissions.add(Permission.objects.get(codename="view_team"))
    assert list(records_visible(user=world.ad, queryset=Team.objects.all())) == []


def test_sharing_the_change_permission_does_not_imply_view(world):
    team = team_create(agency=world.csc, name="Assessment team")
    record_share(record=team, agency=world.police, perms=("change",))
    assert list(records_visible(user=world.po, queryset=Team.objects.all(), perm="change")) == [team]
    assert list(records_visible(user=world.po, queryset=Team.objects.all())) == []
