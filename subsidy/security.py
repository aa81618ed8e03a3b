"""Request-level protections: the Content-Security-Policy, session limits, staff two-factor
enforcement and the sign-in lockout response (django-axes). Settings in subsidy/settings.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from subsidy.permissions import user_is_staff_member

Middleware = Callable[[HttpRequest], HttpResponse]

# Session keys of ours: when the person signed in and when they were last seen (Unix seconds).
SIGNED_IN_AT = "subsidy_signed_in_at"
LAST_SEEN = "subsidy_last_seen"
# The last-seen time is written at most this often, so a busy session is not saved on
# every request.
LAST_SEEN_RESOLUTION = 60


def csp_header_value(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Sends settings.SECURE_CSP on every response that does not set a policy of its own
    (a document shown inside the case page sets a stricter one)."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response
        self.header = csp_header_value(settings.SECURE_CSP)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.header
        return response


@receiver(user_logged_in)
def _record_sign_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


class SessionLimitsMiddleware:
    """Signs a person out after settings.SESSION_IDLE_TIMEOUT seconds without a request or
    settings.SESSION_COOKIE_AGE seconds after signing in, whichever comes first. (Saving
    the session to note activity would otherwise push its expiry on forever.)"""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if "_auth_user_id" in session:
            now = int(time.time())
            signed_in_at = int(session.get(SIGNED_IN_AT, now))
            last_seen = int(session.get(LAST_SEEN, now))
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            if idle or now - signed_in_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                if idle:
                    messages.info(
                        request, _("You were signed out after a period without activity. Please sign in again.")
                    )
                else:
                    messages.info(request, _("Your session has ended. Please sign in again."))
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Your session has ended. Please sign in again.")}, status=401)
                return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
            if SIGNED_IN_AT not in session:
                session[SIGNED_IN_AT] = now
            if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)


def staff_must_verify(user: Any) -> bool:
    """Whether this signed-in person must prove a second factor before going on."""
    if not settings.SUBSIDY_STAFF_REQUIRE_2FA or not user.is_authenticated or user.is_verified():
        return False
    return bool(user.is_staff or user_is_staff_member(user))


def two_factor_url(user: Any) -> str:
    """Where an unverified staff member goes: set up a device if they have none yet."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return reverse("two_factor_verify")
    return reverse("two_factor_setup")


class StaffTwoFactorMiddleware:
    """With settings.SUBSIDY_STAFF_REQUIRE_2FA, a staff member signed in with a password
    reaches nothing but the two-factor pages, signing out and static files until they
    give a code from their authenticator app (django-otp then records the device in the
    session under django_otp.DEVICE_ID_SESSION_KEY, "otp_device_id")."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SUBSIDY_STAFF_REQUIRE_2FA and "_auth_user_id" in request.session and not self._exempt(request):
            user = request.user
            if staff_must_verify(user):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Staff must confirm their sign-in with a code from their authenticator app.")},
                        status=403,
                    )
                return redirect(f"{two_factor_url(user)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        path = request.path
        exempt = (
            reverse("two_factor_setup"),
            reverse("two_factor_verify"),
            reverse("logout"),
            reverse("set_language"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )
        return path.startswith(exempt)


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The email address as stored (lower-case): attempts count per account, whatever
    case the person typed."""
    username = (credentials or {}).get("username")
    if username is None:
        data = getattr(request, "POST", {}) or {}
        username = data.get("username")
    if username is None:
        return None
    return str(username).strip().lower()


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """What a locked-out sign-in sees: a page in the person's language, or JSON for the API."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed sign-ins for this account from your address. Try again in %(minutes)d minutes. "
        "If you have forgotten your password, you can reset it meanwhile."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(
        request,
        "registration/locked_out.html",
        {"message": message, "minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
