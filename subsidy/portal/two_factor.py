"""Staff two-factor sign-in (django-otp, TOTP): enrol an authenticator app, then give a
code after every password sign-in. subsidy.security.StaffTwoFactorMiddleware sends
unverified staff here while settings.SUBSIDY_STAFF_REQUIRE_2FA is on."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from forms.accounts import OneTimeCodeForm, TwoFactorSetupForm
from forms.errors import saved
from subsidy.permissions import user_is_staff_member
from subsidy.services import auth as auth_services
from subsidy.web import client_ip

DEVICE_NAME = "authenticator"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("staff:inbox")


def _is_staff(request: HttpRequest) -> bool:
    return bool(request.user.is_staff or user_is_staff_member(request.user))


def _grouped(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Show a new secret as a QR code and as text; a correct code from the app confirms it."""
    if not _is_staff(request):
        return redirect("home")
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': _next_url(request)})}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
    code_required = auth_services.enrolment_code_required(request.user)
    form = TwoFactorSetupForm(request.POST or None, device=device, enrolment_code_required=code_required)
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data.get("enrolment_code", "")
        if not code_required or saved(form, lambda: auth_services.enrolment_code_check(user=request.user, code=typed)):
            auth_services.otp_device_confirm(device=device, by=request.user, ip=client_ip(request))
            _verified(request, device)
            messages.success(
                request, _("Your authenticator app is set up. You will be asked for a code at every sign-in.")
            )
            return redirect(_next_url(request))
    key = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr.svg_data_uri(scale=4, border=2),
            "manual_key": _grouped(key),
            "enrolment_code_required": code_required,
            "next": _next_url(request),
        },
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After a password sign-in: the code from the enrolled app."""
    if not _is_staff(request):
        return redirect("home")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk").first()
    if device is None:
        return redirect("two_factor_setup")
    form = OneTimeCodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        _verified(request, device)
        return redirect(_next_url(request))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


def _verified(request: HttpRequest, device: TOTPDevice) -> None:
    # A new session key once the second factor is given, as at any change of privilege.
    request.session.cycle_key()
    django_otp.login(request, device)
