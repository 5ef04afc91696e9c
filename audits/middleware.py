from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audits.context import actor_set


class ActorMiddleware:
    """Tell the database who is making this request's changes (one query a request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor_set(request.user if request.user.is_authenticated else None, label="anonymous")
        return self.get_response(request)
