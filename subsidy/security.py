"""Request-level protections: the Content-Security-Policy and Permissions-Policy, the size
limit on request bodies, no caching of what signed-in people see, session limits, staff
two-factor enforcement and the sign-in lockout response (django-axes). Settings in
subsidy/settings.py."""

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
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve, reverse
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


class PermissionsPolicyMiddleware:
    """Every response, static files and health probes included, refuses the browser
    features this site never uses (settings.PERMISSIONS_POLICY): camera, microphone,
    location, payment, USB and the like, for the site and anything it might embed."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response


# Pages whose form takes a bank's return file (up to 50 MB: forms.finance) may send more.
LARGE_BODY_URL_NAMES = {"staff:batch_import", "api:batch_bank_returns"}


def request_body_limit(request: HttpRequest, length: int) -> int:
    limit: int = settings.MAX_REQUEST_BYTES
    if length > limit:
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return limit
        if name in LARGE_BODY_URL_NAMES:
            return int(settings.MAX_BANK_RETURN_REQUEST_BYTES)
    return limit


class RequestSizeLimitMiddleware:
    """A request whose declared body (Content-Length) is larger than settings.MAX_REQUEST_BYTES
    is answered 413 before any byte of the body is read: nothing parses, buffers or stores
    it. (Django reads no more than Content-Length, and a body without one is not read at
    all; the proxy in front refuses oversize bodies first, see the README.)"""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            limit = request_body_limit(request, length)
            if length > limit:
                return too_large_response(request, limit)
        return self.get_response(request)


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("This request is too large: the limit is %(limit)s. Upload a smaller file.") % {
        "limit": filesizeformat(limit)
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "RequestTooLarge"}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


class PrivateCacheMiddleware:
    """Whatever a signed-in person (session or API token) is sent, page, API answer or
    download, may hold personal data: `Cache-Control: private, no-store`, so that neither
    the browser's cache nor any proxy keeps it. Static files are answered before this
    (whitenoise) and stay cacheable, as do public pages for visitors."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The API authenticates inside the view: DRF sets the user on this request then.
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            response["Cache-Control"] = "private, no-store"
            if "Expires" in response:
                del response["Expires"]
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
