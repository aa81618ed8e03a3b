"""Stored answers to `Idempotency-Key` requests (subsidy.models.idempotency; the API
side is subsidy.api.idempotency): how long they are kept, and forgetting older ones."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from subsidy.models import IdempotencyKey

# How long an answer can be replayed; a daily job forgets older keys.
KEPT_FOR = dt.timedelta(hours=24)


def idempotency_keys_prune(*, now: dt.datetime | None = None) -> int:
    """Forget keys older than KEPT_FOR (a retry comes within minutes, not days)."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=(now or timezone.now()) - KEPT_FOR).delete()
    return deleted
