"""Two-factor sign-in pages: the code, setting up an app, recovery codes, the user's own settings, and
confirming who you are before a sensitive step."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import two_factor
from agencies.forms_two_factor import CodeForm, ReauthenticateForm, SetupCodeForm
from agencies.models import User
from agencies.reauth import reauthentication_required, reauthentication_url
from agencies.views import SignInView

SETUP_DEVICE_KEY = "two_factor_setup_device"
NEW_CODES_KEY = "two_factor_new_codes"


class TwoFactorSignInView(SignInView):
    """The password step. A user without two-factor authentication is signed in here; anyone else goes on to
    the code (the middleware sends them)."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if not two_factor.session_needs_code(self.request):
            two_factor.mark_reauthenticated(self.request)
        return response


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _next(request: HttpRequest, default: str = "") -> str:
    """Where to go afterwards: a path on this site, or home."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return default or reverse("home")


def _field_errors(form: Form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _wrong_code(request: HttpRequest, user: User) -> HttpResponse | None:
    """Count a wrong code toward the account lockout; when it locks, sign out and say so."""
    credentials = {"username": user.get_username()}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked(request, credentials)
    return None


def _locked(request: HttpRequest, credentials: dict[str, str]) -> HttpResponse:
    logout(request)
    return get_lockout_response(request, None, credentials)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """"Enter the 6-digit code": the second step of signing in."""
    user = _user(request)
    if two_factor.session_verified(request):
        return redirect(_next(request))
    if not two_factor.has_two_factor(user):
        if two_factor.two_factor_required(user):
            return redirect(f"{reverse('two-factor-setup')}?{request.GET.urlencode()}")
        request.session[two_factor.NEEDS_CODE_KEY] = False
        return redirect(_next(request))
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked(request, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.code_check(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            _field_errors(form, error)
            locked = _wrong_code(request, user)
            if locked is not None:
                return locked
        else:
            two_factor.session_verify(request, device)
            if device.persistent_id.startswith("otp_static"):
                left = two_factor.recovery_codes_left(user)
                messages.warning(request, f"You used a recovery code. You have {left} left: get new ones from "
                                          "your two-factor authentication settings.")
            return redirect(_next(request))
    return render(request, "agencies/two_factor/verify.html", {"form": form, "next": _next(request, "")})


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: show the key as text and a QR code, then confirm with a code from it."""
    user = _user(request)
    if two_factor.has_two_factor(user):
        if not two_factor.session_verified(request):
            return redirect(f"{reverse('two-factor-verify')}?{request.GET.urlencode()}")
        if not two_factor.recently_reauthenticated(request):
            return redirect(reauthentication_url(request.get_full_path()))
    device = None
    device_id = request.session.get(SETUP_DEVICE_KEY)
    if isinstance(device_id, int):
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = two_factor.app_device_start(user=user)
        request.session[SETUP_DEVICE_KEY] = device.pk
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.app_device_confirm(user=user, device_id=device.pk,
                                                          code=form.cleaned_data["code"])
        except ValidationError as error:
            _field_errors(form, error)
        else:
            del request.session[SETUP_DEVICE_KEY]
            two_factor.session_verify(request, device)
            request.session[NEW_CODES_KEY] = codes
            return redirect(f"{reverse('two-factor-recovery-codes')}?{request.GET.urlencode()}")
    return render(request, "agencies/two_factor/setup.html", {
        "form": form,
        "required": two_factor.two_factor_required(user),
        "secret": two_factor.secret_text(device),
        "qr_svg": two_factor.qr_svg(device),
        "next": _next(request, ""),
    })


@login_required
@require_http_methods(["GET"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect("two-factor")
    return render(request, "agencies/two_factor/recovery_codes.html",
                  {"codes": codes, "next": _next(request, reverse("two-factor"))})


@login_required
@require_http_methods(["GET"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """The user's own two-factor settings: set it up, replace recovery codes, or (when optional) turn it off."""
    user = _user(request)
    has = two_factor.has_two_factor(user)
    return render(request, "agencies/two_factor/settings.html", {
        "has_two_factor": has,
        "required": two_factor.two_factor_required(user),
        "codes_left": two_factor.recovery_codes_left(user) if has else 0,
    })


@login_required
@require_POST
@reauthentication_required
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not two_factor.has_two_factor(user):
        return redirect("two-factor")
    request.session[NEW_CODES_KEY] = two_factor.recovery_codes_replace(user=user)
    return redirect("two-factor-recovery-codes")


@login_required
@require_POST
@reauthentication_required
def turn_off(request: HttpRequest) -> HttpResponse:
    try:
        two_factor.two_factor_turn_off(user=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        request.session[two_factor.NEEDS_CODE_KEY] = False
        messages.success(request, "Two-factor authentication is turned off.")
    return redirect("two-factor")


@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Confirm it is you: the password, and the code when the user has an app, then back to where they were."""
    user = _user(request)
    with_code = two_factor.has_two_factor(user)
    form = ReauthenticateForm(request.POST or None, with_code=with_code)
    if request.method == "POST" and form.is_valid():
        checked = authenticate(request, username=user.get_username(), password=form.cleaned_data["password"])
        credentials = {"username": user.get_username()}
        if checked is None or checked.pk != user.pk:
            if AxesProxyHandler.is_locked(request, credentials):
                return _locked(request, credentials)
            form.add_error("password", "Enter your correct password")
        elif with_code:
            try:
                two_factor.code_check(user=user, code=form.cleaned_data["code"])
            except ValidationError as error:
                _field_errors(form, error)
                locked = _wrong_code(request, user)
                if locked is not None:
                    return locked
            else:
                two_factor.mark_reauthenticated(request)
                return redirect(_next(request))
        else:
            two_factor.mark_reauthenticated(request)
            return redirect(_next(request))
    return render(request, "agencies/two_factor/reauthenticate.html",
                  {"form": form, "next": _next(request, ""), "with_code": with_code})
