"""The one-time enrolment code of a two-factor reset."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class EnrolmentCode(models.Model):
    """After a scheme administrator resets someone's two-factor sign-in, their new
    authenticator app is accepted only with this code, which the administrator hands
    over by phone or in person: a stolen password alone cannot enrol an app. Stored as
    a password hash; removed once used. A code that expired or was entered wrongly too
    often stays, refusing every enrolment until the next reset issues a new one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    code_hash = models.CharField(max_length=128)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    # Internal to sign-in, shown nowhere: no translated names.

    def __str__(self) -> str:
        return f"enrolment code of user {self.user_id}"
