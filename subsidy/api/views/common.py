"""What the API's views share: the schema's common parameters and responses, file
downloads, audited opening of files by staff, ETags, and nested field errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.serializers import as_serializer_error

from subsidy.api.etags import etag_of
from subsidy.models import Application
from subsidy.permissions import user_is_staff_member
from subsidy.services import applicants as applicant_services
from subsidy.web import client_ip, private_file_response

ETAG_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version being changed (from the last GET).",
)
ERRORS = {
    400: OpenApiResponse(description="Field-level validation errors, or a rule of the scheme refuses the request."),
    403: OpenApiResponse(description="The caller's role may not do this; `detail` says why."),
    404: OpenApiResponse(description="No such record among those the caller may see."),
    409: OpenApiResponse(description="Not possible in the record's current state; `detail` says why."),
}
FILE_RESPONSE = {(200, "application/octet-stream"): OpenApiTypes.BINARY}


def attachment(handle: Any, filename: str, content_type: str) -> FileResponse:
    return private_file_response(handle, filename=filename, content_type=content_type)


def staff_file_opened(request: Request, application: Application, *, document: Any = None, letter: Any = None) -> None:
    """Staff opening a file that shows a full number: role-checked and audited, as on the
    staff pages (subsidy.services.applicants.applicant_file_open). The applicant's side
    sees its own files."""
    if user_is_staff_member(request.user):
        applicant_services.applicant_file_open(
            application=application, by=request.user, document=document, letter=letter, ip=client_ip(request)
        )


class ETagMixin:
    """GET sends the ETag; PATCH needs the same tag in If-Match (412 if stale, 428 if missing)."""

    def etag(self, instance: Any) -> str:
        """A digest of the representation, the same in every language and for every caller."""
        with translation.override("en"):
            data = dict(self.representation(instance, for_etag=True))
        data.pop("available_transitions", None)
        return etag_of(data)

    def representation(self, instance: Any, for_etag: bool = False) -> Any:
        raise NotImplementedError


@contextmanager
def nested_errors(key: str) -> Iterator[None]:
    """Field errors of a part of the request are reported under that part's name."""
    try:
        yield
    except DjangoValidationError as error:
        raise ValidationError({key: as_serializer_error(error)}) from error


def raise_not_permitted(message: Any) -> None:
    from subsidy.exceptions import NotPermitted

    raise NotPermitted(message)
