from __future__ import annotations

import hashlib
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from subsidy.models import Application, Document
from subsidy.people import Actor, signed_in
from subsidy.services.applications import lock_editable
from subsidy.uploads import check_upload


def document_check(upload: UploadedFile) -> str:
    """The upload's real content type, or a field-level error a person can act on."""
    return check_upload(upload)


class UploadLimitReached(ValidationError):
    """Too many uploads by one person this hour (the API answers 429)."""

    retry_after = 0


def document_upload_count(*, by: Actor) -> None:
    """Count one upload by `by` against settings.UPLOADS_PER_HOUR (per clock hour, in the
    cache all web processes share), or refuse it with a field error (UploadLimitReached)."""
    window = 3600
    now = int(time.time())
    key = f"uploads:{by.pk}:{now // window}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    if count > settings.UPLOADS_PER_HOUR:
        error = UploadLimitReached(
            {
                "file": ValidationError(
                    ngettext_lazy(
                        "You have uploaded %(limit)d file in the last hour, the most allowed. Try again later.",
                        "You have uploaded %(limit)d files in the last hour, the most allowed. Try again later.",
                        "limit",
                    )
                    % {"limit": settings.UPLOADS_PER_HOUR},
                    code="throttled",
                )
            }
        )
        error.retry_after = window - now % window
        raise error


@transaction.atomic
def document_upload(
    *, application: Application, by: Actor, doc_type: str, upload: UploadedFile, count: bool = True
) -> Document:
    """Store one piece of evidence. Every upload by a person counts against their hourly
    allowance (`count=False` only for the demo data's loader), and a claim holds at most
    settings.MAX_DOCUMENTS_PER_CLAIM documents."""
    if count:
        document_upload_count(by=by)
    app = lock_editable(application, by)
    limit = settings.MAX_DOCUMENTS_PER_CLAIM
    if app.documents.count() >= limit:
        raise ValidationError(
            {
                "file": ValidationError(
                    _("A claim holds at most %(limit)d documents. Remove one before uploading another.")
                    % {"limit": limit},
                    code="too_many_documents",
                )
            }
        )
    content_type = document_check(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = Document(
        application=app,
        doc_type=doc_type,
        original_name=os.path.basename(upload.name or "document")[:255],
        content_type=content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=signed_in(by),
    )
    document.full_clean(exclude=["file"])
    document.file.save("upload", upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def document_delete(*, document: Document, by: Actor) -> None:
    lock_editable(document.application, by)
    stored = document.file.name
    document.delete()
    # Remove the file only once the row is gone for good.
    transaction.on_commit(lambda: document.file.storage.delete(stored))
