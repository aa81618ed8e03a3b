"""The one-time enrolment code a staff member needs to enrol an authenticator app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class EnrolmentCode(models.Model):
    """Issued by a scheme administrator for a new colleague or after a reset (or from the
    command line for the first administrator, `issued_by` empty): the person's
    authenticator app is accepted only with this code, which is handed over by phone or
    in person, so a stolen or guessed password alone cannot enrol an app. Stored as
    a password hash; removed once used. A code that expired or was entered wrongly too
    often stays, refusing every enrolment until the next reset issues a new one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    code_hash = models.CharField(max_length=128)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    # Internal to sign-in, shown nowhere: no translated names.

    def __str__(self) -> str:
        return f"enrolment code of user {self.user_id}"
