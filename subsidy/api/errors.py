"""One place where refusals become HTTP: NotPermitted → 403, InvalidState and
conflicts with other records → 409, a reused Idempotency-Key → 422, Django's
ValidationError → field-level 400 (too many uploads this hour: field-level 429), any
other DomainError → 400; always with `detail` in the caller's language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from subsidy.api.idempotency import IdempotencyKeyReused
from subsidy.exceptions import DomainError, InvalidState, NotEligible, NotPermitted, PatentAlreadyClaimed
from subsidy.services.batches import AlreadyInBatch, ExportRefused, ReturnFileUnreadable
from subsidy.services.documents import UploadLimitReached
from subsidy.services.reviews import AnnualCapExceeded, BudgetExceeded, CeilingExceeded

# Refusals because of the state of this or another record: trying again later may work.
CONFLICTS: tuple[type[DomainError], ...] = (
    InvalidState,
    PatentAlreadyClaimed,
    BudgetExceeded,
    AnnualCapExceeded,
    CeilingExceeded,
    AlreadyInBatch,
)


def domain_error_status(error: DomainError) -> int:
    if isinstance(error, NotPermitted):
        return status.HTTP_403_FORBIDDEN
    if isinstance(error, IdempotencyKeyReused):
        return status.HTTP_422_UNPROCESSABLE_ENTITY
    if isinstance(error, CONFLICTS):
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


def domain_error_body(error: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": str(error.message), "code": type(error).__name__}
    if isinstance(error, NotEligible):
        body["failures"] = [{"rule": f.code, "reason": str(f.reason)} for f in error.failures]
    if isinstance(error, ExportRefused | ReturnFileUnreadable):
        body["problems"] = [str(p) for p in error.problems]
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, UploadLimitReached):
        # Too many uploads this hour: the field error, as 429 with when to try again.
        body = as_serializer_error(exc)
        return Response(body, status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=as_serializer_error(exc))
    if isinstance(exc, DomainError):
        return Response(domain_error_body(exc), status=domain_error_status(exc))
    return drf_exception_handler(exc, context)
