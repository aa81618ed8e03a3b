"""`Idempotency-Key`: a client that did not hear the answer to a POST (timeout, lost
connection, a double click) sends it again with the same key and gets the first
answer again, with `Idempotent-Replayed: true`, and no second effect.

The key row is inserted before the request runs, in the same transaction as its
effect: a concurrent request with the same key waits on the unique index until the
first commits, then replays its answer; if the first fails (an error response or a
dropped connection), its key is rolled back with everything else and the retry runs
afresh. Only successful answers are stored. The same key with a different method,
path or body is refused with 422: it is a client bug, and guessing would be unsafe.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from subsidy.exceptions import DomainError
from subsidy.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_LENGTH = 255
# Response headers worth replaying (the rest are recomputed on the way out).
KEPT_HEADERS = ("ETag", "Location")

IDEMPOTENCY_HEADER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique value chosen by the client (e.g. a UUID). Sending the same request again with the same "
        "key returns the first response (with `Idempotent-Replayed: true`) instead of acting twice."
    ),
)
KEY_REUSED = {
    422: OpenApiResponse(description="This Idempotency-Key was already used for a different request."),
}


class IdempotencyKeyReused(DomainError):
    """The key was used for another request (HTTP 422)."""


def request_digest(request: Request) -> str:
    """SHA-256 of what the request asks: method, path and body (in a canonical form)."""
    data = request.data
    body: Any = {key: data.getlist(key) for key in sorted(data)} if hasattr(data, "getlist") else data
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": body},
        sort_keys=True,
        separators=(",", ":"),
        cls=JSONEncoder,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _json_text(data: Any) -> str:
    return json.dumps(data, cls=JSONEncoder, ensure_ascii=False)


def _replay(stored: IdempotencyKey, digest: str) -> Response:
    if stored.request_hash != digest:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was already used for a different request. Use a new key for a new request.")
        )
    return Response(
        json.loads(stored.response_body) if stored.response_body else None,
        status=stored.response_status,
        headers={**stored.response_headers, REPLAYED_HEADER: "true"},
    )


def idempotent(request: Request, run: Callable[[], Response]) -> Response:
    """Run the request once per (caller, key); without the header, just run it."""
    key = request.headers.get(HEADER)
    if key is None or not request.user.is_authenticated:
        return run()
    if not key.strip() or len(key) > MAX_LENGTH:
        raise ValidationError({HEADER: [_("Send between 1 and 255 characters.")]})
    digest = request_digest(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=request.user,
                    key=key,
                    request_hash=digest,
                    method=request.method or "",
                    path=request.path[:500],
                    response_status=0,
                )
        except IntegrityError:
            # Stored by an earlier request, or by a concurrent one that has just committed.
            return _replay(IdempotencyKey.objects.get(user=request.user, key=key), digest)
        response = run()
        if not status.is_success(response.status_code):
            row.delete()
            return response
        row.response_status = response.status_code
        row.response_body = _json_text(response.data)
        row.response_headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        row.save(update_fields=["response_status", "response_body", "response_headers"])
        return response
