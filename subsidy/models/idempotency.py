"""Idempotency keys of the API: a client that retries a POST with the same
`Idempotency-Key` gets the first response again instead of a second effect."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """One successful request per (caller, key): what was asked (a digest of method,
    path and body) and what was answered. Written in the same transaction as the
    request's effect, so a request that failed or was cut off leaves no key behind."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    response_status = models.PositiveSmallIntegerField()
    # JSON text, not jsonb: the replay keeps the keys in the order first sent.
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        # Internal bookkeeping of the API, shown nowhere: no translated names.
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path})"
