"""Sessions end when a user is switched off or their role changes (SPEC 7.2)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from agencies import services
from agencies.models import Role
from agencies.roles import role_group_name
from audits.models import AccessLogEntry
from tests.agencies.test_two_factor import VERIFY, password_sign_in


def signed_out(client: Client) -> bool:
    response = client.get(reverse("inbox"))
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_switching_a_user_off_ends_their_live_sessions_and_api_use(world, client_for):
    browser = client_for(world.sw)
    other_browser = password_sign_in("sw")
    colleague = client_for(world.po)
    assert browser.get(reverse("inbox")).status_code == 200
    assert browser.get("/api/v1/notifications/").status_code == 200

    services.user_deactivate(user=world.sw)

    assert signed_out(browser) and signed_out(other_browser)
    assert browser.get("/api/v1/notifications/").status_code in (401, 403)
    assert colleague.get(reverse("inbox")).status_code == 200
    # And the password no longer signs in.
    refused = Client().post(reverse("login"), {"username": "sw", "password": "correct-horse-battery-staple"})
    assert refused.status_code == 200 and "Error: Sign in" in refused.content.decode()


def test_a_role_change_ends_every_session_of_that_user(world, client_for):
    browser = client_for(world.sw)
    other_browser = password_sign_in("sw")
    colleague = client_for(world.po)
    assert browser.get(reverse("inbox")).status_code == 200

    services.membership_role_change(user=world.sw, role=Role.TEAM_MANAGER)

    response = browser.get(reverse("inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "your role changed" in browser.get(reverse("login")).content.decode()
    assert signed_out(other_browser)
    assert browser.get("/api/v1/notifications/").status_code in (401, 403)
    assert colleague.get(reverse("inbox")).status_code == 200
    # The new role's groups and its sign-in rules apply from the next sign-in: a manager needs a code.
    groups = set(world.sw.groups.values_list("name", flat=True))
    assert role_group_name(Role.TEAM_MANAGER) in groups and role_group_name(Role.SOCIAL_WORKER) not in groups
    assert password_sign_in("sw").get("/")["Location"].startswith(VERIFY)
    # The change is in the access log (the membership table's trigger).
    assert AccessLogEntry.objects.filter(record_type="user", record_id=world.sw.pk,
                                         action=AccessLogEntry.Action.UPDATE).exists()


def test_a_manager_moved_to_a_practitioner_role_is_signed_out_too(world, client_for):
    browser = client_for(world.tm)
    assert browser.get(reverse("inbox")).status_code == 200
    services.membership_role_change(user=world.tm, role=Role.SOCIAL_WORKER)
    assert signed_out(browser)
    assert Group.objects.get(name=role_group_name(Role.SOCIAL_WORKER)).user_set.filter(pk=world.tm.pk).exists()


def test_an_unknown_role_is_refused_and_changes_nothing(world, client_for):
    import pytest
    from django.core.exceptions import ValidationError

    browser = client_for(world.sw)
    with pytest.raises(ValidationError) as raised:
        services.membership_role_change(user=world.sw, role="overlord")
    assert "role" in raised.value.message_dict
    assert browser.get(reverse("inbox")).status_code == 200
