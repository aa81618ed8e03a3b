from __future__ import annotations

import hashlib
import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from subsidy.models import Application, Document
from subsidy.services.applications import lock_editable

# Files are accepted by what they are, not by what they are called.
SIGNATURES: dict[bytes, str] = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniff_content_type(head: bytes) -> str | None:
    for magic, content_type in SIGNATURES.items():
        if head.startswith(magic):
            return content_type
    return None


def document_check(upload: UploadedFile) -> str:
    """The upload's real content type, or a field-level error a person can act on."""
    if upload.size is None or upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("This file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size or 0), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError({"file": _("Only PDF, PNG and JPEG files are accepted, and this file is none of them.")})
    return content_type


@transaction.atomic
def document_upload(*, application: Application, by: Any, doc_type: str, upload: UploadedFile) -> Document:
    app = lock_editable(application, by)
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
        uploaded_by=by,
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
def document_delete(*, document: Document, by: Any) -> None:
    lock_editable(document.application, by)
    stored = document.file.name
    document.delete()
    # Remove the file only once the row is gone for good.
    transaction.on_commit(lambda: document.file.storage.delete(stored))
