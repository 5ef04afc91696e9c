"""Response headers SecurityMiddleware does not set (SPEC 7.2).

- ``Permissions-Policy``: the service uses no camera, microphone, location, payment or other
  powerful browser feature, so every page denies them all, to itself and to anything it might embed.
- ``Cache-Control: no-store`` on every page and API response: case records must not stay in the
  browser's cache of a shared office or family computer, where the back button after signing out, or
  the next user of the machine, could bring them up again. (An API client signed in by token is not
  known to be signed in until the view runs, so the rule is for every response, not per user.)
  Static files are served before this middleware (WhiteNoise) and keep their long cache lifetimes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen", "geolocation",
        "gyroscope", "magnetometer", "microphone", "midi", "payment", "picture-in-picture", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Cache-Control" not in response.headers:  # a view that chose its own (an attachment's) keeps it
            add_never_cache_headers(response)
        return response
