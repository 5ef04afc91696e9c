"""Asking for the password (and code) again before a sensitive step: breaking glass, exporting."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from agencies.two_factor import recently_reauthenticated


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
