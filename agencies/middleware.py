import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LAST_SEEN_KEY = "last_seen"


class IdleTimeoutMiddleware:
    """Sign a user out after SESSION_IDLE_SECONDS without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, "You were signed out because you had not used the service for a while.")
            elif now - last_seen >= 60 or LAST_SEEN_KEY not in request.session:
                # Written at most once a minute: a session save on every request costs a query.
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
