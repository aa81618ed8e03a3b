"""The staff queue's read model, workflows.models.QueueEntry, kept in step with what it
mirrors inside the same transaction.

A task waits in the queue while it is an open human task of ApplicationFlow that
nobody holds. Its entry carries the claim columns the queue filters and sorts on
(CLAIM_COLUMNS). Three receivers, connected in WorkflowsConfig.ready, follow every
save() that can change an entry:

- a task of the flow is saved: a waiting task gets its entry (with its claim's
  columns read from the database); any other task loses its entry;
- a claim is saved: its entries take its columns again;
- an applicant is saved: the entries of their claims take the name and city again.

Writes that bypass save() (QuerySet.update, bulk_create) call queue_entries_refresh for
the claims they touch; `manage.py queue_rebuild` rebuilds the whole table, and
queue_entries_stale() says where the table and the tasks disagree (the test suite checks
it after every test that uses the database).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from subsidy.models import Applicant, Application
from workflows.flows import ApplicationFlow
from workflows.models import QueueEntry

# Entry column -> the claim's field it copies.
CLAIM_COLUMNS = {
    "reference": "reference",
    "applicant_name": "applicant__name",
    "status": "status",
    "city": "applicant__city",
    "funding_round_id": "funding_round_id",
    "reviewer_id": "reviewer_id",
    "submitted_at": "submitted_at",
}
# Saving a claim with update_fields that name none of these leaves its entries as they are.
_CLAIM_FIELDS = {"reference", "status", "applicant", "funding_round", "reviewer", "submitted_at"}
_CLAIM_FIELDS |= {f"{name}_id" for name in _CLAIM_FIELDS}
_CASE = "process__applicationprocess__application"


def waiting_tasks() -> QuerySet[Task]:
    """Open human tasks of the flow that nobody holds: what the queue lists."""
    return Task.objects.filter(
        process__flow_class=ApplicationFlow, flow_task_type="HUMAN", status=STATUS.NEW, owner__isnull=True
    )


def _entries(tasks: QuerySet[Task]) -> list[QueueEntry]:
    """Entries for `tasks` (waiting ones), with their claims' columns: one query."""
    rows = tasks.values_list("pk", "flow_task", f"{_CASE}__id", *(f"{_CASE}__{f}" for f in CLAIM_COLUMNS.values()))
    return [
        QueueEntry(task_id=pk, node=node.name, application_id=claim, **dict(zip(CLAIM_COLUMNS, columns, strict=True)))
        for pk, node, claim, *columns in rows
    ]


def queue_entries_refresh(*, application_ids: Iterable[int] | None = None) -> None:
    """Rewrite the entries of these claims (of every claim if None) from their tasks."""
    tasks, entries = waiting_tasks(), QueueEntry.objects.all()
    if application_ids is not None:
        ids = list(application_ids)
        tasks, entries = tasks.filter(**{f"{_CASE}__in": ids}), entries.filter(application_id__in=ids)
    entries.delete()
    QueueEntry.objects.bulk_create(_entries(tasks), batch_size=5000)


def queue_entries_stale() -> list[str]:
    """Where the table and the tasks disagree (empty when in step), for checks."""
    expected = {(e.task_id, e.node, e.application_id, *_columns(e)) for e in _entries(waiting_tasks())}
    stored = {(e.task_id, e.node, e.application_id, *_columns(e)) for e in QueueEntry.objects.all()}
    return [f"missing {row}" for row in sorted(expected - stored, key=str)] + [
        f"stale {row}" for row in sorted(stored - expected, key=str)
    ]


def _columns(entry: QueueEntry) -> tuple[Any, ...]:
    return tuple(getattr(entry, column) for column in CLAIM_COLUMNS)


def _copy_claim_columns(entries: QuerySet[QueueEntry]) -> None:
    claim = Application.objects.filter(pk=OuterRef("application_id"))
    entries.update(**{column: Subquery(claim.values(field)[:1]) for column, field in CLAIM_COLUMNS.items()})


# --------------------------------------------------------------------------
# Receivers (post_save)
# --------------------------------------------------------------------------


def task_saved(sender: type[Task], instance: Task, **kwargs: Any) -> None:
    node = instance.flow_task
    if instance.flow_task_type != "HUMAN" or getattr(node, "flow_class", None) is not ApplicationFlow:
        return
    if instance.status == STATUS.NEW and instance.owner_id is None:
        QueueEntry.objects.bulk_create(
            _entries(waiting_tasks().filter(pk=instance.pk)),
            update_conflicts=True,
            unique_fields=["task"],
            update_fields=["node", "application", *CLAIM_COLUMNS],
        )
    else:
        QueueEntry.objects.filter(task_id=instance.pk).delete()


def application_saved(
    sender: type[Application], instance: Application, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if created or (update_fields is not None and not _CLAIM_FIELDS & set(update_fields)):
        return
    _copy_claim_columns(QueueEntry.objects.filter(application_id=instance.pk))


def applicant_saved(
    sender: type[Applicant], instance: Applicant, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if created or (update_fields is not None and not {"name", "city"} & set(update_fields)):
        return
    _copy_claim_columns(QueueEntry.objects.filter(application__applicant_id=instance.pk))
