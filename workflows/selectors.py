"""Read side of the staff workplace: inbox and queue of ApplicationFlow tasks.

viewflow's own `Task.objects.inbox()/queue()` grant tasks by Django permission
names; here roles are groups and who may take a task depends on the case, so the
queue below filters in SQL exactly as flows.may_take_review / may_take_decision
decide for one task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from subsidy.models import Application, ConflictDeclaration, Role
from workflows.flows import ApplicationFlow
from workflows.models import ApplicationProcess

CASE = "process__applicationprocess__application"


# What a row of the inbox or queue shows; loading only these keeps a page cheap.
TASK_ROW_FIELDS = (
    "flow_task",
    "status",
    "owner_id",
    "process_id",
    "process__flow_class",
    f"{CASE}__reference",
    f"{CASE}__status",
    f"{CASE}__submitted_at",
    f"{CASE}__reviewer_id",
    f"{CASE}__applicant__name",
    f"{CASE}__applicant__city",
    f"{CASE}__funding_round__name",
    f"{CASE}__funding_round__review_sla_days",
)


def _flow_tasks() -> QuerySet[Task]:
    return (
        Task.objects.filter(process__flow_class=ApplicationFlow, flow_task_type="HUMAN")
        .select_related(f"{CASE}__applicant", f"{CASE}__funding_round")
        .only(*TASK_ROW_FIELDS)
        .order_by(f"{CASE}__submitted_at", "pk")
    )


def user_roles(user: Any) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def task_inbox(user: Any) -> QuerySet[Task]:
    """Tasks assigned to `user`, oldest claim first."""
    return _flow_tasks().filter(owner=user, status=STATUS.ASSIGNED)


def task_queue(user: Any, roles: set[str]) -> QuerySet[Task]:
    """Unassigned tasks `user` may take, oldest claim first."""
    conflict = ConflictDeclaration.objects.filter(application=OuterRef(CASE), user=user, has_conflict=True)
    takeable = Q(pk__in=[])
    if Role.REVIEWER.value in roles:
        takeable |= Q(flow_task=ApplicationFlow.review) & (
            Q(**{f"{CASE}__reviewer__isnull": True}) | Q(**{f"{CASE}__reviewer": user})
        )
    if Role.APPROVER.value in roles:
        # Four eyes: the case's reviewer never sees its decision in their queue.
        takeable |= Q(flow_task=ApplicationFlow.decide) & ~Q(**{f"{CASE}__reviewer": user})
    return _flow_tasks().filter(takeable, ~Exists(conflict), status=STATUS.NEW, owner__isnull=True)


@dataclass(frozen=True)
class TaskRow:
    task: Any
    application: Application
    overdue: bool

    @property
    def title(self) -> str:
        return str(self.task.flow_task.task_title)


def task_rows(tasks: Any, now: dt.datetime) -> list[TaskRow]:
    """Rows for a page of tasks from task_inbox/task_queue: no further queries."""
    rows = []
    for task in tasks:
        application = task.process.applicationprocess.application
        rows.append(TaskRow(task=task, application=application, overdue=application.is_overdue(now)))
    return rows


def case_tasks(application: Application) -> QuerySet[Task]:
    """Every human task of every run of the claim, for its history."""
    return (
        Task.objects.filter(
            process__in=ApplicationProcess.objects.filter(application=application).values("pk"),
            flow_task_type="HUMAN",
        )
        .select_related("owner")
        .order_by("created", "pk")
    )


def open_task(application: Application) -> Any | None:
    """The claim's open human task, if its flow has one."""
    return (
        Task.objects.filter(
            process__in=ApplicationProcess.objects.filter(application=application).values("pk"),
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        )
        .select_related("owner")
        .order_by("-pk")
        .first()
    )
