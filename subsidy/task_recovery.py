"""Background tasks a killed worker abandoned.

django-tasks-db marks a task RUNNING when a worker takes it and finished when the worker
is done; a worker killed in between (out of memory, a host restart, SIGKILL) leaves the
task RUNNING for ever and no other worker takes it. Every task of this project is short
(seconds) and safe to run again (letters issue once, lapses re-check under lock, an email
may at worst arrive twice), so a task RUNNING for longer than TASK_ABANDONED_MINUTES is
put back in the queue, as it was enqueued (same id, arguments and priority)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


def tasks_requeue_abandoned(*, now: dt.datetime | None = None) -> int:
    """Put tasks left RUNNING by a dead worker back to READY; returns how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = (now or timezone.now()) - dt.timedelta(minutes=settings.TASK_ABANDONED_MINUTES)
    abandoned = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    paths = list(abandoned.values_list("task_path", flat=True))
    count = abandoned.update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("Requeued %d task(s) a stopped worker had left running: %s", count, sorted(set(paths)))
    return count
