from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from subsidy.models.applications import Application
from subsidy.models.choices import DocumentType


def document_path(instance: Document, filename: str) -> str:
    # Never reuse the uploader's file name on disk: it is shown, not trusted.
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    """Evidence uploaded for a claim, stored privately (see settings.PRIVATE_STORAGE_ROOT)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=30, choices=DocumentType.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["application", "doc_type", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
