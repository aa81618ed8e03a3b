"""Small request helpers shared by the portal and the staff pages."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address recorded in audit rows. Behind a proxy, configure it to set REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR")


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
