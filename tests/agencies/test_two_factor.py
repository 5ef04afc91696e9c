"""Two-factor sign-in (SPEC 7.2): required of managers, administrators and auditors, offered to everyone else."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import two_factor
from audits.models import AccessLogEntry
from tests.factories import PASSWORD, authenticator_app, totp_code

VERIFY = "/sign-in/two-factor/"
SETUP = "/sign-in/two-factor/set-up/"
SETTINGS = "/account/two-factor/"


def password_sign_in(username: str, next_url: str = "") -> Client:
    """A browser that has given the right password and nothing more."""
    client = Client()
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def set_up_app(client: Client) -> tuple[TOTPDevice, list[str]]:
    """Go through the set-up page as a user would: read the key, type the app's code, read the recovery codes."""
    page = client.get(SETUP)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(pk=client.session["two_factor_setup_device"])
    html = page.content.decode()
    assert two_factor.secret_text(device) in html
    response = client.post(SETUP, {"code": totp_code(device)})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/two-factor/recovery-codes/")
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    return device, codes


# Who must use it


@pytest.mark.parametrize("code", ["MM", "TM", "SM", "AU", "AD"])
def test_a_required_role_without_an_app_reaches_only_the_set_up_page(world, code):
    client = password_sign_in(world.persona(code).username)
    for path in ("/", "/inbox/", "/referrals/", SETTINGS):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(VERIFY), path
        # The code page sends someone with no app on to set one up.
        assert client.get(response["Location"])["Location"].startswith(SETUP)
    assert client.get(SETUP).status_code == 200


def test_the_set_up_page_shows_the_key_as_text_and_an_inline_qr_code(world):
    client = password_sign_in("tm")
    html = client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=world.tm, confirmed=False)
    assert two_factor.secret_text(device) in html
    assert '<svg role="img" aria-labelledby="qr-code-title"' in html and "<path" in html
    drawing = html.split('<svg role="img"')[1].split("</svg>")[0]
    assert "href" not in drawing and "src=" not in drawing  # drawn in the page, nothing fetched


def test_setting_up_gives_ten_recovery_codes_once_and_a_verified_session(world):
    client = password_sign_in("tm")
    device, codes = set_up_app(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    # Shown once: asking again shows no codes.
    again = client.get("/sign-in/two-factor/recovery-codes/")
    assert again.status_code == 302 and again["Location"] == SETTINGS
    assert AccessLogEntry.objects.filter(user=world.tm, record_type="user", record_id=world.tm.pk,
                                         fields__two_factor=[None, "set up"]).exists()


def test_a_wrong_set_up_code_is_a_field_error_and_sets_nothing_up(world):
    client = password_sign_in("tm")
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code-error"' in html and "The code is not right" in html
    assert '<a href="#id_code">' in html
    assert not TOTPDevice.objects.filter(user=world.tm, confirmed=True).exists()
    assert client.get("/")["Location"].startswith(VERIFY)


def test_an_unverified_manager_cannot_set_up_a_second_app_over_the_first(world):
    authenticator_app(world.tm)
    client = password_sign_in("tm")
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=world.tm, confirmed=False).exists()


# Signing in with a code


def test_a_manager_with_an_app_signs_in_with_its_code_and_goes_where_they_asked(world):
    device = authenticator_app(world.mm)
    client = password_sign_in("mm", next_url="/inbox/")
    response = client.get("/inbox/")
    assert response["Location"] == f"{VERIFY}?next=%2Finbox%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Enter the 6-digit code" in page and 'autocomplete="one-time-code"' in page
    response = client.post(VERIFY, {"code": totp_code(device), "next": "/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert client.get("/inbox/").status_code == 200


def test_a_wrong_code_is_a_field_error_and_does_not_let_the_user_in(world):
    authenticator_app(world.au)
    client = password_sign_in("au")
    response = client.post(VERIFY, {"code": "123456"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code-error"' in html and "Enter the code shown in your authenticator app" in html
    assert client.get("/")["Location"].startswith(VERIFY)


def test_a_code_cannot_be_used_twice(world):
    device = authenticator_app(world.mm)
    code = totp_code(device)
    first = password_sign_in("mm")
    assert first.post(VERIFY, {"code": code})["Location"] == "/"
    second = password_sign_in("mm")
    assert second.post(VERIFY, {"code": code}).status_code == 200
    assert second.get("/")["Location"].startswith(VERIFY)


def test_repeated_wrong_codes_lock_the_account(world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the lockout, not the growing wait, is under test
    device = authenticator_app(world.sm)
    client = password_sign_in("sm")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(VERIFY, {"code": "000000"}).status_code == 200
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 429 and "Your account is locked" in response.content.decode()
    # Signed out, and even the right password and code are refused until the lock ends.
    assert client.get("/")["Location"].startswith(reverse("login"))
    assert Client().post(reverse("login"), {"username": "sm", "password": PASSWORD}).status_code == 429
    assert TOTPDevice.objects.get(pk=device.pk).last_t == -1


def test_a_wrong_code_makes_the_next_try_wait(world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # the first wait, in seconds: longer than this test takes
    device = authenticator_app(world.sm)
    client = password_sign_in("sm")
    client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert "Wait a few seconds" in response.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)


def test_a_recovery_code_signs_in_once(world):
    client = password_sign_in("tm")
    _, codes = set_up_app(client)
    client.post(reverse("logout"))
    again = password_sign_in("tm")
    response = again.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert again.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=world.tm).count() == 9
    third = password_sign_in("tm")
    assert third.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert third.get("/")["Location"].startswith(VERIFY)


# The API


def test_the_api_answers_an_unverified_required_session_403_with_a_clear_message(world):
    client = password_sign_in("mm")
    response = client.get("/api/v1/notifications/")
    assert response.status_code == 403
    assert "authenticator app" in response.json()["detail"]
    device = authenticator_app(world.mm)
    client.post(VERIFY, {"code": totp_code(device)})
    assert client.get("/api/v1/notifications/").status_code == 200


def test_test_sessions_of_required_roles_are_verified_through_django_otp(world, client_for):
    client = client_for(world.au)
    assert client.get("/").status_code == 200
    assert client.session["otp_device_id"] == authenticator_app(world.au).persistent_id


# Offered to everyone else


def test_a_practitioner_needs_no_code_but_may_set_one_up(world):
    client = password_sign_in("sw")
    assert client.get("/").status_code == 200
    page = client.get(SETTINGS).content.decode()
    assert "Two-factor authentication is off" in page
    device, codes = set_up_app(client)
    assert len(codes) == 10
    assert "Two-factor authentication is on" in client.get(SETTINGS).content.decode()
    # From now on the practitioner's sign-in asks for the code too.
    later = password_sign_in("sw")
    assert later.get("/")["Location"].startswith(VERIFY)
    assert later.post(VERIFY, {"code": totp_code(device)})["Location"] == "/"
    assert later.get("/").status_code == 200


def test_a_practitioner_may_turn_it_off_but_a_manager_may_not(world, client_for):
    practitioner = client_for(world.po)
    set_up_app(practitioner)
    response = practitioner.post("/account/two-factor/turn-off/")
    assert response["Location"] == SETTINGS
    assert not TOTPDevice.objects.filter(user=world.po).exists()
    assert password_sign_in("po").get("/").status_code == 200

    manager = client_for(world.tm)
    page = manager.get(SETTINGS).content.decode()
    assert "cannot be turned off" in page and "Turn off two-factor" not in page
    manager.post("/account/two-factor/turn-off/")
    assert TOTPDevice.objects.filter(user=world.tm, confirmed=True).exists()
