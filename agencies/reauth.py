"""Asking for the password (and code) again before a sensitive step: breaking glass, exporting."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from agencies import two_factor
from agencies.models import User
from agencies.two_factor import recently_reauthenticated

PASSWORD_NEEDED = "Enter your password to confirm it is you"  # noqa: S105 (a message, not a password)
PASSWORD_WRONG = "The password is not right"  # noqa: S105 (a message, not a password)
CODE_NEEDED = "Enter the code shown in your authenticator app, or one of your recovery codes"


def reauthentication_url(next_url: str) -> str:
    return f"{reverse('reauthenticate')}?{urlencode({'next': next_url})}"


def reauthentication_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view runs only if the user gave their password (and code) in the last 10 minutes; otherwise they are
    asked for them and then brought back (to the same address; a form they had posted is shown again)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not recently_reauthenticated(request):
            back = request.get_full_path() if request.method in ("GET", "HEAD") else request.path
            return redirect(reauthentication_url(back))
        return view(request, *args, **kwargs)

    return wrapper


def reauthentication_errors(request: HttpRequest, *, user: User, password: str, code: str) -> dict[str, list[str]]:
    """The API's step before a sensitive write: the password (and code, for a user with an authenticator app) in
    the request itself, as an API client has no page to be sent to. Field errors, or {} when they are right; a
    wrong password or code counts toward the account's lockout, as at sign-in."""
    if not password:
        return {"password": [PASSWORD_NEEDED]}
    if not user.check_password(password):
        _failure_counted(request, user)
        return {"password": [PASSWORD_WRONG]}
    return code_errors(request, user=user, code=code) if two_factor.has_two_factor(user) else {}


def code_errors(request: HttpRequest, *, user: User, code: str) -> dict[str, list[str]]:
    """For a user with an authenticator app, the code an API request carries: field errors for a missing or
    wrong one, or {} when it is right (a recovery code is then used up). A wrong one counts toward the lockout."""
    if not code.strip():
        return {"code": [CODE_NEEDED]}
    try:
        two_factor.code_check(user=user, code=code)
    except ValidationError as error:
        _failure_counted(request, user)
        return dict(error.message_dict)
    return {}


def _failure_counted(request: HttpRequest, user: User) -> None:
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
