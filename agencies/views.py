from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from agencies import selectors, services, session_time
from agencies.forms import SignInForm
from agencies.home import home_sections, notification_rows
from agencies.models import Agency, Role

INBOX_PAGE_SIZE = 25
# An id from request data: ASCII digits only, few enough to fit a bigint ("²".isdigit() is true, int("²") fails).
ID_MAX_DIGITS = 18


def as_id(value: object) -> int | None:
    """A record id posted or in the query string, or None when the value is not one."""
    if not isinstance(value, str) or not 0 < len(value) <= ID_MAX_DIGITS or not value.isascii() or not value.isdigit():
        return None
    return int(value)


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """A MASH practitioner starts at the triage queue (SPEC 8); everyone else at home."""
        membership = getattr(self.request.user, "membership", None)
        if (
            membership is not None
            and membership.role == Role.MASH_PRACTITIONER
            and membership.agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE
        ):
            return reverse("triage-queue")
        return super().get_default_redirect_url()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "agencies/home.html", {"home": home_sections(user=request.user)})  # type: ignore[arg-type]


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.notifications_for(user=request.user), INBOX_PAGE_SIZE)  # type: ignore[arg-type]
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "agencies/inbox.html",
        {
            "page": page,
            "page_numbers": list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)),
            "rows": notification_rows(list(page.object_list), now=timezone.now()),
            "has_unread": any(n.read_at is None for n in page.object_list),
        },
    )


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the ticked notifications read, or all of them ("Mark all as read", or no ticks at all)."""
    action = request.POST.get("action")
    posted = [as_id(value) for value in request.POST.getlist("notification")]
    ids = [] if action == "all" else [pk for pk in posted if pk is not None]
    if action == "selected" and not ids:
        messages.error(request, "Select the notifications to mark as read.")
    else:
        marked = services.notifications_mark_read(user=request.user, ids=ids or None)  # type: ignore[arg-type]
        if marked:
            messages.success(request, f"{marked} notification{'' if marked == 1 else 's'} marked as read.")
    page = request.POST.get("page", "")
    url = reverse("inbox")
    return redirect(f"{url}?page={page}" if as_id(page) is not None and page != "1" else url)


@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> HttpResponse:
    """How long the session has left (GET, which does not count as using it: agencies.middleware), and
    "Stay signed in" (POST, which does), for the time-out warning on every page (static/src/timeout.js; the
    warning only ever opens with the script running)."""
    if request.method == "POST" and request.user.is_authenticated:
        session_time.touch(request)
    return JsonResponse({"signed_in": request.user.is_authenticated,
                         "seconds_left": session_time.seconds_left(request)})
