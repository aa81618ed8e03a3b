"""Periodic jobs, enqueued on the task queue at most once per period.

`manage.py run_scheduler` (started by `make run` beside the task worker) wakes up
every few seconds and calls `enqueue_due`; the jobs themselves run in the worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from subsidy import tasks
from subsidy.models import ScheduledRun


@dataclass(frozen=True)
class Job:
    name: str
    # The period a moment belongs to; one run per distinct value.
    period_of: Callable[[dt.datetime], str]
    task: Any
    # Earliest local hour in the period to run (daily jobs wait for office hours).
    not_before_hour: int = 0


def hourly(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H")


def quarter_hourly(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%dT%H:") + f"{local.minute // 15 * 15:02d}"


def daily(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


JOBS: list[Job] = [
    Job("lapse_overdue_applications", hourly, tasks.lapse_overdue_applications),
    Job("review_sla_digest", daily, tasks.send_review_sla_digest, not_before_hour=8),
    Job("requeue_stalled_letters", quarter_hourly, tasks.requeue_stalled_letters),
    Job("requeue_abandoned_tasks", quarter_hourly, tasks.requeue_abandoned_tasks),
    Job("prune_idempotency_keys", daily, tasks.prune_idempotency_keys),
]


def enqueue_due(now: dt.datetime | None = None, jobs: list[Job] | None = None) -> list[str]:
    """Enqueue every job whose current period has no run yet; return their names."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs or JOBS:
        if timezone.localtime(now).hour < job.not_before_hour:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, period=job.period_of(now))
                transaction.on_commit(job.task.enqueue)
        except IntegrityError:
            continue  # already enqueued for this period (by us or another scheduler)
        enqueued.append(job.name)
    return enqueued
