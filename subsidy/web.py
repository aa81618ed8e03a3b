"""Small request helpers shared by the portal and the staff pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for audit rows and the sign-in lockout.

    Behind the TLS proxy REMOTE_ADDR is the proxy. When it is one of
    SUBSIDY_TRUSTED_PROXIES, the address is read from X-Forwarded-For, right to left,
    skipping the trusted proxies: the first one left was added by a proxy we trust.
    Entries further left were written by the client and are never believed."""
    remote = request.META.get("REMOTE_ADDR")
    trusted = set(settings.SUBSIDY_TRUSTED_PROXIES)
    if not trusted or remote not in trusted:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return remote


# An inline document may only render as itself: no scripts, forms, plugins or
# navigation of the page around it, nothing loaded from anywhere.
INLINE_DOCUMENT_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def private_file_response(handle: Any, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """A private file (evidence, letter, bank file): a download by default, never
    cached by shared caches, never content-sniffed. `inline` is for the staff case
    page's viewer only, and only for a type verified by content (subsidy.uploads)."""
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        response["Content-Security-Policy"] = INLINE_DOCUMENT_CSP
    else:
        # Opened directly, a download still renders nothing active.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_safe
@cache_control(public=True, max_age=24 * 60 * 60)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico, which browsers and bookmarks ask for whatever a page links to: the
    icon in the static files (under its hashed name in production)."""
    return HttpResponseRedirect(static("favicon.ico"))
