"""The staff queue's read model, workflows.models.QueueEntry, kept in step with what it
mirrors inside the same transaction.

A task waits in the queue while it is an open human task of ApplicationFlow that
nobody holds. Its entry carries the claim columns the queue filters, sorts and shows
(CLAIM_COLUMNS). Three receivers, connected in WorkflowsConfig.ready, follow every
save() that can change an entry, each copying only from the row its own transaction
has just written (and holds locked), so two transactions never copy each other's
half-seen state:

- a task of the flow is saved: a waiting task gets its entry (with its claim's and
  applicant's columns read from the database); any other task loses its entry;
- a claim is saved: its entries take the claim's own columns again;
- an applicant is saved: the entries of their claims take the name and city saved.

Writes that bypass save() (QuerySet.update, bulk_create) call queue_entries_refresh for
the claims they touch. The daily job workflows.tasks.reconcile_queue and `manage.py
queue_rebuild` set right whatever differs from the tasks and claims, and the test suite
checks after every test that uses the database that nothing does.
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
# The columns a claim's own save() copies (the others come from its applicant).
_OWN_COLUMNS = {column: field for column, field in CLAIM_COLUMNS.items() if "__" not in field}
# Saving a claim with update_fields that name none of these leaves its entries as they are.
_CLAIM_FIELDS = {field.removesuffix("_id") for field in _OWN_COLUMNS.values()}
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


def _stale() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """(rows the tasks call for but the table lacks, rows the table has but should not)."""
    expected = {(e.task_id, e.node, e.application_id, *_columns(e)) for e in _entries(waiting_tasks())}
    stored = {(e.task_id, e.node, e.application_id, *_columns(e)) for e in QueueEntry.objects.all()}
    return expected - stored, stored - expected


def queue_entries_stale() -> list[str]:
    """Where the table and the tasks disagree (empty when in step), for checks."""
    missing, stale = _stale()
    return [f"missing {row}" for row in sorted(missing, key=str)] + [f"stale {row}" for row in sorted(stale, key=str)]


def queue_entries_reconcile() -> int:
    """Rewrite the entries of every claim whose entries differ from its tasks and
    columns; return how many claims that was (0 when all was in step)."""
    missing, stale = _stale()
    claims = {row[2] for row in missing | stale}
    if claims:
        queue_entries_refresh(application_ids=claims)
    return len(claims)


def _columns(entry: QueueEntry) -> tuple[Any, ...]:
    return tuple(getattr(entry, column) for column in CLAIM_COLUMNS)


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
    claim = Application.objects.filter(pk=OuterRef("application_id"))
    QueueEntry.objects.filter(application_id=instance.pk).update(
        **{column: Subquery(claim.values(field)[:1]) for column, field in _OWN_COLUMNS.items()}
    )


def applicant_saved(
    sender: type[Applicant], instance: Applicant, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if created or (update_fields is not None and not {"name", "city"} & set(update_fields)):
        return
    entries = QueueEntry.objects.filter(application__applicant_id=instance.pk)
    entries.update(applicant_name=instance.name, city=instance.city)
