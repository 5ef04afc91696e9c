"""An API token is a sign-in that lasts: anyone who signs in with two factors gives the code for it too."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, authenticator_app, totp_code

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def ask(username: str, **extra: str):
    return APIClient().post(TOKEN, {"username": username, "password": PASSWORD, **extra}, format="json")


def test_a_manager_with_no_authenticator_app_is_told_to_set_one_up_and_gets_no_token(world):
    response = ask(world.mm.username)
    assert response.status_code == 403
    assert "set up your authenticator app" in response.json()["detail"]
    assert "token" not in response.json()


def test_a_manager_gets_a_token_only_with_the_code_from_their_app(world):
    device = authenticator_app(world.mm)
    missing = ask(world.mm.username)
    assert missing.status_code == 400 and "code" in missing.json()
    wrong = ask(world.mm.username, code="000000" if totp_code(device) != "000000" else "111111")
    assert wrong.status_code == 400 and "code" in wrong.json()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above made the next try wait; the user waits it out
    device.throttling_failure_timestamp = None
    device.save()
    right = ask(world.mm.username, code=totp_code(device))
    assert right.status_code == 200
    signed_in = APIClient(HTTP_AUTHORIZATION=f"Token {right.json()['token']}")
    assert signed_in.get("/api/v1/notifications/").status_code == 200


def test_wrong_codes_lock_the_account_as_wrong_passwords_do(world, settings):
    device = authenticator_app(world.au)
    right_now = totp_code(device)
    wrong = "000000" if right_now != "000000" else "111111"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        ask(world.au.username, code=wrong)
    locked = ask(world.au.username, code=totp_code(device))
    assert locked.status_code == 403
    assert "locked" in locked.json()["detail"]


def test_a_practitioner_without_two_factor_needs_only_the_password_and_one_who_chose_it_needs_the_code(world):
    assert ask(world.sw.username).status_code == 200
    authenticator_app(world.sw)
    assert ask(world.sw.username).status_code == 400
