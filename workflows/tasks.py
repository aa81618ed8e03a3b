"""Background work of the staff workflows (django-tasks), run by the task worker."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def reconcile_queue() -> int:
    """Daily: set right any queue entry that differs from its task and claim (a write
    past save(), e.g. SQL run by hand). Returns how many claims it set right."""
    from workflows.queue_entries import queue_entries_reconcile

    with transaction.atomic():
        claims = queue_entries_reconcile()
    if claims:
        logger.warning("The staff queue was out of step for %d claims; their entries were rebuilt.", claims)
    return claims
