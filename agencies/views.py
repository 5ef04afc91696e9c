from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agencies import selectors, services
from agencies.forms import SignInForm
from agencies.home import home_sections


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "agencies/home.html", {"sections": home_sections(user=request.user)})  # type: ignore[arg-type]


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(user=request.user), 25).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    return render(request, "agencies/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("notification") if i.isdigit()]
    services.notifications_mark_read(user=request.user, ids=ids or None)  # type: ignore[arg-type]
    return redirect("inbox")
