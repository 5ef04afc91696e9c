from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from agencies import session_time, two_factor
from agencies.session_time import LAST_SEEN_KEY

# Asking how long the session has left is not using it: the page's time-out warning asks without moving the
# clock on (a POST there, "Stay signed in", does).
SESSION_STATUS_PATH = "/account/session/"


class IdleTimeoutMiddleware:
    """Sign a user out after SESSION_IDLE_SECONDS without a request (the pages warn two minutes before)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = session_time.now()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen >= settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, "You were signed out because you had not used the service for a while. "
                                       "Sign in again to carry on where you were.")
            elif LAST_SEEN_KEY not in request.session or (
                now - last_seen >= session_time.touch_every()
                and not (request.method == "GET" and request.path == SESSION_STATUS_PATH)
            ):
                session_time.touch(request)
        return self.get_response(request)


# Paths a signed-in user may reach before giving their code: the sign-in steps (two-factor ones included) and
# signing out.
BEFORE_CODE_PREFIXES = ("/sign-in/", "/sign-out/")
API_PREFIX = "/api/"
NEEDS_CODE_MESSAGE = (
    "Finish signing in: enter the code from your authenticator app (or set one up) before using the API."
)


class TwoFactorMiddleware:
    """Ends a session whose user's role, agency or partnership changed since signing in, and keeps a session that
    must still give a two-factor code to the sign-in pages (the API answers 403).

    Reads only the session and the user already loaded with their membership: no queries of its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            seen = request.session.get(two_factor.MEMBERSHIP_KEY)
            now = two_factor.membership_fingerprint(user)
            if seen is None:  # a session from before this check
                request.session[two_factor.MEMBERSHIP_KEY] = now
            elif seen != now:
                logout(request)
                messages.info(request, "You were signed out because your role changed. Sign in again.")
                return self.get_response(request)
            if two_factor.session_needs_code(request) and not request.path.startswith(BEFORE_CODE_PREFIXES):
                if request.path.startswith(API_PREFIX):
                    return JsonResponse({"detail": NEEDS_CODE_MESSAGE}, status=403)
                target = reverse("two-factor-verify")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
