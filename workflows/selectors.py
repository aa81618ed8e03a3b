"""Read side of the staff workplace: inbox and queue of ApplicationFlow tasks.

viewflow's own `Task.objects.inbox()/queue()` grant tasks by Django permission
names; here roles are groups and who may take a task depends on the case, so the
queue below filters in SQL exactly as flows.may_take_review / may_take_decision
decide for one task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
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
# The same for a queue row, which starts from the claim.
QUEUE_ROW_FIELDS = tuple(field.removeprefix(f"{CASE}__") for field in TASK_ROW_FIELDS if field.startswith(CASE))


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


def _unassigned_tasks() -> QuerySet[Task]:
    """Human tasks waiting in the queue for someone to take them."""
    return Task.objects.filter(flow_task_type="HUMAN", status=STATUS.NEW, owner__isnull=True)


def _has_run_with(tasks: QuerySet[Task]) -> Exists:
    """The claim of the outer query has a run with one of `tasks`. Task and run are matched
    by key, without viewflow's process table between them: the queue checks this for every
    claim it passes, so one index lookup fewer each counts."""
    return Exists(ApplicationProcess.objects.filter(application=OuterRef("pk"), pk__in=tasks.values("process_id")))


def _takeable(user: Any, roles: set[str]) -> list[tuple[Any, Callable[[str], Q]]]:
    """Per node `user` may take tasks of, the condition on the claim (reached through a
    prefix), as flows.may_take_review / may_take_decision decide for one task."""
    rules: list[tuple[Any, Callable[[str], Q]]] = []
    if Role.REVIEWER.value in roles:
        rules.append(
            (ApplicationFlow.review, lambda p: Q(**{f"{p}reviewer__isnull": True}) | Q(**{f"{p}reviewer": user}))
        )
    if Role.APPROVER.value in roles:
        # Four eyes: the case's reviewer never sees its decision in their queue.
        rules.append((ApplicationFlow.decide, lambda p: ~Q(**{f"{p}reviewer": user})))
    return rules


def queue_claims(user: Any, roles: set[str]) -> QuerySet[Application]:
    """Claims with an unassigned task `user` may take, oldest claim first; each carries
    its task as `task_pk` and `task_node`.

    Driven from the claims: a page walks the claims' status index in submitted order and
    checks each for a takeable task, so it stops after a page of rows (starting from the
    tasks joined every open task to its claim before it could sort). A claim has at most
    one open run with one open task (workflows.sync), so a claim is one row and
    queue_tasks() counts the same rows.
    """
    rules = _takeable(user, roles)
    takeable = Q(pk__in=[])
    for node, on_claim in rules:
        takeable |= _has_run_with(_unassigned_tasks().filter(flow_task=node)) & on_claim("")
    conflict = ConflictDeclaration.objects.filter(application=OuterRef("pk"), user=user, has_conflict=True)
    task = (
        _unassigned_tasks()
        .filter(process__applicationprocess__application=OuterRef("pk"), flow_task__in=[node for node, _ in rules])
        .order_by("-pk")[:1]
    )
    return (
        Application.objects.filter(takeable, ~Exists(conflict))
        .select_related("applicant", "funding_round")
        .only(*QUEUE_ROW_FIELDS)
        .annotate(task_pk=Subquery(task.values("pk")), task_node=Subquery(task.values("flow_task")))
        .order_by("submitted_at", "pk")
    )


def queue_tasks(user: Any, roles: set[str]) -> QuerySet[Task]:
    """The tasks of queue_claims(), as tasks (their claims through CASE): what the queue
    counts. Counting up to a thousand rows, the planner joins from whichever side the
    filters narrow most; from the claims' side it chose a parallel scan of every claim
    (~20 ms against ~10 on a vacuumed database)."""
    takeable = Q(pk__in=[])
    for node, on_claim in _takeable(user, roles):
        takeable |= Q(flow_task=node) & on_claim(f"{CASE}__")
    conflict = ConflictDeclaration.objects.filter(application=OuterRef(CASE), user=user, has_conflict=True)
    return (
        _unassigned_tasks()
        .filter(takeable, ~Exists(conflict), process__flow_class=ApplicationFlow)
        .order_by(f"{CASE}__submitted_at", "pk")
    )


@dataclass(frozen=True)
class TaskRow:
    task_pk: int
    node: Any  # the flow's node: ApplicationFlow.review or .decide
    application: Application
    overdue: bool

    @property
    def title(self) -> str:
        return str(self.node.task_title)


def task_rows(tasks: Any, now: dt.datetime) -> list[TaskRow]:
    """Rows for a page of task_inbox: no further queries."""
    rows = []
    for task in tasks:
        application = task.process.applicationprocess.application
        rows.append(TaskRow(task.pk, task.flow_task, application, application.is_overdue(now)))
    return rows


def queue_rows(applications: Any, now: dt.datetime) -> list[TaskRow]:
    """Rows for a page of queue_claims: no further queries."""
    return [TaskRow(a.task_pk, a.task_node, a, a.is_overdue(now)) for a in applications]


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


OPEN = (STATUS.NEW, STATUS.ASSIGNED)


def open_task(application: Application) -> Any | None:
    """The claim's open human task, if its flow has one."""
    return (
        Task.objects.filter(
            process__in=ApplicationProcess.objects.filter(application=application).values("pk"),
            flow_task_type="HUMAN",
            status__in=OPEN,
        )
        .select_related("owner")
        .order_by("-pk")
        .first()
    )


def open_task_of(tasks: list[Any]) -> Any | None:
    """open_task() picked from the claim's case_tasks(), already loaded."""
    return max((task for task in tasks if task.status in OPEN), key=lambda task: task.pk, default=None)


def reassign_candidates(task: Task) -> QuerySet[Any]:
    """Who an administrator may give an open task to: the node's role, no declared
    conflict on the case, never the case's reviewer for its decision; not its holder."""
    from django.contrib.auth import get_user_model

    application = ApplicationProcess.objects.select_related("application").get(pk=task.process_id).application
    role = Role.REVIEWER if task.flow_task is ApplicationFlow.review else Role.APPROVER
    users = (
        get_user_model()
        .objects.filter(groups__name=role.value, is_active=True)
        .exclude(pk__in=ConflictDeclaration.objects.filter(application=application, has_conflict=True).values("user"))
        .order_by("email")
    )
    if role == Role.APPROVER and application.reviewer_id is not None:
        users = users.exclude(pk=application.reviewer_id)
    if task.owner_id is not None:
        users = users.exclude(pk=task.owner_id)
    return users
