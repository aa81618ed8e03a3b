from __future__ import annotations

import hashlib
import os
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from subsidy.models import Application, Document
from subsidy.services.applications import lock_editable
from subsidy.uploads import check_upload


def document_check(upload: UploadedFile) -> str:
    """The upload's real content type, or a field-level error a person can act on."""
    return check_upload(upload)


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
