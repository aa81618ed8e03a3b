from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.models.applications import Application
from subsidy.models.choices import LetterKind, LetterStatus

# Short codes in verification links: no 0/O, 1/I/L, so that a code read off paper is typed right.
TOKEN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105 - an alphabet, not a password


def new_verification_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(10))


class LetterQuerySet(models.QuerySet["Letter"]):
    def stuck(self, now: dt.datetime | None = None) -> LetterQuerySet:
        """Letters that failed to generate, or have waited longer than a worker needs."""
        late = (now or timezone.now()) - dt.timedelta(minutes=15)
        failed_or_late = models.Q(attempts__gt=0) | models.Q(requested_at__lt=late)
        return self.filter(failed_or_late, status=LetterStatus.PENDING)


class Letter(models.Model):
    """A decision letter. Requested in the decision's transaction with a snapshot of
    what it says (`content`); rendered by the worker, which stores the PDF and its
    SHA-256. Once issued, the file and its digest never change: a correction is a new
    version, and the old one is kept and marked superseded."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="letters", verbose_name=_("application")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LetterKind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    reference = models.CharField(_("letter reference"), max_length=30, unique=True)
    token = models.CharField(_("verification code"), max_length=16, unique=True, default=new_verification_token)
    status = models.CharField(_("status"), max_length=12, choices=LetterStatus.choices, default=LetterStatus.PENDING)
    content = models.JSONField(_("content snapshot"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="letters/", max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["application", "-version", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "version"], name="letter_version_unique"),
            # At most one letter being generated and one in force per claim.
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(status="pending"), name="letter_one_pending"
            ),
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(status="issued"), name="letter_one_issued"
            ),
            # Issued or superseded letters have their PDF and its digest (a letter
            # revoked before it was generated has neither).
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "revoked"])
                | (~models.Q(file="") & models.Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="letter_issued_has_file_and_digest",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_in_force(self) -> bool:
        return self.status == LetterStatus.ISSUED

    @property
    def verify_path(self) -> str:
        from django.urls import reverse

        return reverse("letter_verify", args=[self.token])

    @property
    def file_name(self) -> str:
        return f"{self.reference}.pdf"
