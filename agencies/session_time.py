"""How long a signed-in session has left before it ends for want of use (SESSION_IDLE_SECONDS).

The idle clock is the session's ``last_seen`` time, moved on by agencies.middleware.IdleTimeoutMiddleware. The
pages read what is left to warn the user before it runs out (the GOV.UK timeout-warning pattern,
static/src/timeout.js); the session-status address answers it without moving the clock on.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest

LAST_SEEN_KEY = "last_seen"


def now() -> int:
    return int(time.time())


def seconds_left(request: HttpRequest) -> int:
    """Seconds until the session ends unless used; 0 when signed out."""
    if not request.user.is_authenticated:
        return 0
    last_seen = request.session.get(LAST_SEEN_KEY, now())
    return max(0, last_seen + settings.SESSION_IDLE_SECONDS - now())


def touch_every() -> int:
    """How often the clock is moved on: at most once a minute (a session save costs a query), and often enough
    that a short idle limit is still kept exactly."""
    return max(1, min(60, settings.SESSION_IDLE_SECONDS // 10))


def touch(request: HttpRequest) -> None:
    request.session[LAST_SEEN_KEY] = now()
