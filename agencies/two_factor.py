"""Two-factor sign-in (SPEC 7.2): who must use it, what a session has proved, and its writes.

Managers, administrators and auditors must confirm each sign-in with a code from an authenticator app (a
django-otp TOTP device); everyone else may choose to. Ten one-time recovery codes (a django-otp static device)
stand in for a lost phone. A session is verified once ``django_otp.login`` has recorded the device that
accepted a code. Break-glass access and exports ask for the password (and code) again unless the user gave them
in the last few minutes. A session ends when its user's role, agency or partnership changes.
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Role, User
from agencies.roles import MANAGERS
from audits.models import AccessLogEntry
from audits.services import access_record

REQUIRED_ROLES = MANAGERS | {Role.ADMIN, Role.AUDITOR}
RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

# Session keys: whether this sign-in needs a code, what the membership was at sign-in, when the password
# (and code) were last given.
NEEDS_CODE_KEY = "two_factor_needed"
MEMBERSHIP_KEY = "membership_at_sign_in"
REAUTHENTICATED_KEY = "reauthenticated_at"

WRONG_CODE = "Enter the code shown in your authenticator app, or one of your recovery codes"
TOO_MANY_TRIES = "You entered a wrong code. Wait a few seconds, then enter the newest code"
WRONG_SETUP_CODE = "Enter the 6-digit code shown in your authenticator app"


# Policy


def two_factor_required(user: Any) -> bool:
    """Managers, administrators and auditors must use two-factor authentication."""
    membership = getattr(user, "membership", None)
    return membership is not None and membership.role in REQUIRED_ROLES


def app_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def membership_fingerprint(user: Any) -> str:
    """What the session's permissions were worked out from; a change ends the session."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return "none"
    return f"{membership.role}:{membership.agency_id}:{membership.partnership_id}"


def session_verified(request: HttpRequest) -> bool:
    """Whether this session has given a code (django-otp keeps the device that accepted it)."""
    return DEVICE_ID_SESSION_KEY in request.session


def session_needs_code(request: HttpRequest) -> bool:
    """Whether the signed-in user must still give a code before using the service."""
    if session_verified(request):
        return False
    if two_factor_required(request.user):
        return True
    needed = request.session.get(NEEDS_CODE_KEY)
    if needed is None:  # a session from before this check: ask the database once
        needed = has_two_factor(request.user)  # type: ignore[arg-type]
        request.session[NEEDS_CODE_KEY] = needed
    return bool(needed)


def reauthentication_seconds() -> int:
    return int(getattr(settings, "REAUTHENTICATE_EVERY_SECONDS", 600))


def recently_reauthenticated(request: HttpRequest) -> bool:
    at = request.session.get(REAUTHENTICATED_KEY)
    return isinstance(at, int) and 0 <= time.time() - at <= reauthentication_seconds()


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[REAUTHENTICATED_KEY] = int(time.time())


def session_verify(request: HttpRequest, device: Device) -> None:
    """Record in the session that ``device`` accepted a code: the sign-in is complete."""
    otp_login(request, device)
    request.session[NEEDS_CODE_KEY] = True
    mark_reauthenticated(request)


def _on_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[MEMBERSHIP_KEY] = membership_fingerprint(user)
    request.session[NEEDS_CODE_KEY] = two_factor_required(user) or has_two_factor(user)


user_logged_in.connect(_on_sign_in, dispatch_uid="agencies.two_factor.sign_in")


# Showing the secret


def secret_text(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The app's set-up link as an inline SVG QR code, drawn here (nothing is fetched from another host)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: str = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-code-title" ', 1).replace(
        ">", '><title id="qr-code-title">QR code for your authenticator app</title>', 1
    )


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


# Writes


@transaction.atomic
def app_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator-app key for the user (any earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def app_device_confirm(*, user: User, device_id: int, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app with a code it shows; replace any earlier app and recovery codes.

    Returns the device and the ten new recovery codes, which are shown once.
    """
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        raise ValidationError({"code": ["Start setting up your authenticator app again"]})
    token = normalise_code(code)
    if not (len(token) == 6 and token.isascii() and token.isdigit()):
        raise ValidationError({"code": [WRONG_SETUP_CODE]})
    if not device.verify_token(token):
        raise ValidationError({"code": ["The code is not right. Check the time on your phone and try the newest code"]})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user=user)
    access_record(user=user, action=AccessLogEntry.Action.UPDATE, record_type="user", record_id=user.pk,
                  fields={"two_factor": [None, "set up"]})
    return device, codes


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    codes = _recovery_codes_replace(user=user)
    access_record(user=user, action=AccessLogEntry.Action.UPDATE, record_type="user", record_id=user.pk,
                  fields={"recovery_codes": [None, "replaced"]})
    return codes


def _recovery_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_turn_off(*, user: User) -> None:
    """Remove the app and recovery codes of a user who chose two-factor authentication."""
    if two_factor_required(user):
        raise ValidationError("Your role must use two-factor authentication, so it cannot be turned off.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    access_record(user=user, action=AccessLogEntry.Action.UPDATE, record_type="user", record_id=user.pk,
                  fields={"two_factor": ["set up", None]})


def code_check(*, user: User, code: str) -> Device:
    """The device that accepts the code: the app's current code, or an unused recovery code (then used up).

    Each wrong code makes the next try wait longer (django-otp's throttling, kept on the device, so signing in
    with the password again does not clear it); the caller also counts it toward the account lockout.
    """
    device, problem = _code_try(user=user, token=normalise_code(code))
    if device is None:
        raise ValidationError({"code": [problem]})
    return device


@transaction.atomic
def _code_try(*, user: User, token: str) -> tuple[Device | None, str]:
    """Committed whether or not the code is right: a failure's throttling must stay recorded."""
    devices: list[Device]
    if len(token) == 6 and token.isascii() and token.isdigit():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
    elif token and len(token) <= 16 and token.isascii() and token.isalnum():
        devices = list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
    else:
        return None, WRONG_CODE
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return None, TOO_MANY_TRIES
        if device.verify_token(token):
            return device, ""
    return None, WRONG_CODE


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
