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

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from subsidy.models import Application, ConflictDeclaration, Role
from subsidy.models.applications import is_overdue
from subsidy.models.rounds import round_name_shown
from subsidy.permissions import in_schemes_served_by, serving_scheme
from workflows.flows import ApplicationFlow
from workflows.models import ApplicationProcess, QueueEntry

CASE = "process__applicationprocess__application"


# What a row of the inbox or queue shows of its claim, read as plain values (a page of
# model instances (claim, applicant, round) cost more than the rest of the page).
ROW_CLAIM_FIELDS = (
    "id",
    "reference",
    "applicant__name",
    "applicant__city",
    "funding_round__name",
    "funding_round__name_en",
    "status",
    "submitted_at",
    "funding_round__review_sla_days",
    "funding_round__scheme__name",
    "funding_round__scheme__name_en",
)


def _flow_tasks() -> QuerySet[Task]:
    return Task.objects.filter(process__flow_class=ApplicationFlow, flow_task_type="HUMAN").order_by(
        f"{CASE}__submitted_at", "pk"
    )


def user_roles(user: Any) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def task_inbox(user: Any) -> QuerySet[Task]:
    """Tasks assigned to `user`, oldest claim first."""
    return _flow_tasks().filter(owner=user, status=STATUS.ASSIGNED)


def staff_inbox(user: Any) -> QuerySet[Task]:
    """task_inbox as its holder sees it: the tasks of the schemes they work on. A task
    held before the account was limited to other schemes stays held, for a hand-over."""
    return task_inbox(user).filter(in_schemes_served_by(user, f"{CASE}__funding_round__scheme"))


def _takeable(user: Any, roles: set[str]) -> list[tuple[Any, Callable[[str], Q]]]:
    """Per node `user` may take tasks of, the condition on the case's reviewer (a column
    reached through a prefix), as flows.may_take_review / may_take_decision decide for
    one task. Declared conflicts are queue_entries' own condition."""
    rules: list[tuple[Any, Callable[[str], Q]]] = []
    if Role.REVIEWER.value in roles:
        rules.append(
            (ApplicationFlow.review, lambda p: Q(**{f"{p}reviewer__isnull": True}) | Q(**{f"{p}reviewer": user}))
        )
    if Role.APPROVER.value in roles:
        # Four eyes: the case's reviewer never sees its decision in their queue.
        rules.append((ApplicationFlow.decide, lambda p: ~Q(**{f"{p}reviewer": user})))
    return rules


def queue_entries(user: Any, roles: set[str]) -> QuerySet[QueueEntry]:
    """Waiting tasks `user` may take (workflows.queue_entries keeps the table), oldest
    claim first. The staff filters apply to the entry's own copies of the claim's
    columns, so a page and its count read one index range (QueueEntry.Meta.indexes)."""
    takeable = Q(pk__in=[])
    for node, on_claim in _takeable(user, roles):
        takeable |= Q(node=node.name) & on_claim("")
    conflict = ConflictDeclaration.objects.filter(application=OuterRef("application_id"), user=user, has_conflict=True)
    served = in_schemes_served_by(user)
    return QueueEntry.objects.filter(takeable, served, ~Exists(conflict)).order_by("submitted_at", "task_id")


@dataclass(frozen=True)
class TaskCounts:
    """What waits for one person in the flow: in their inbox and in their queue, per node."""

    my_reviews: int = 0
    my_decisions: int = 0
    reviews_waiting: int = 0
    decisions_waiting: int = 0


def task_counts(user: Any, roles: set[str]) -> TaskCounts:
    """The staff home's counts of tasks: two grouped queries, whatever the numbers."""
    held = staff_inbox(user).order_by().values("flow_task").annotate(n=Count("pk")).values_list("flow_task", "n")
    mine = {getattr(node, "name", node): n for node, n in held}
    queued = queue_entries(user, roles).order_by().values("node").annotate(n=Count("pk")).values_list("node", "n")
    waiting = dict(queued)
    review, decide = ApplicationFlow.review.name, ApplicationFlow.decide.name
    return TaskCounts(
        my_reviews=mine.get(review, 0),
        my_decisions=mine.get(decide, 0),
        reviews_waiting=waiting.get(review, 0),
        decisions_waiting=waiting.get(decide, 0),
    )


@dataclass(frozen=True)
class TaskRow:
    """A row of the inbox or queue: the task and what it shows of its claim."""

    task_pk: int
    node: Any  # the flow's node: ApplicationFlow.review or .decide
    application_pk: int
    reference: str
    applicant_name: str
    city: str
    scheme_name: str
    round_name: str
    status: str
    submitted_at: dt.datetime | None
    overdue: bool

    @property
    def title(self) -> str:
        return str(self.node.task_title)


def _rows(values: Any, now: dt.datetime) -> list[TaskRow]:
    """TaskRows from (task pk, node, *ROW_CLAIM_FIELDS) tuples."""
    rows = []
    for task_pk, node, pk, reference, name, city, round_zh, round_en, status, submitted_at, sla_days, *scheme in values:
        overdue = is_overdue(status, submitted_at, sla_days, now)
        round_name = round_name_shown(round_zh, round_en)
        scheme_name = round_name_shown(*scheme)  # a scheme's name is shown as a round's
        rows.append(
            TaskRow(task_pk, node, pk, reference, name, city, scheme_name, round_name, status, submitted_at, overdue)
        )
    return rows


def task_rows(tasks: Any, now: dt.datetime) -> list[TaskRow]:
    """Rows for a page of task_inbox: one query."""
    return _rows(tasks.values_list("pk", "flow_task", *(f"{CASE}__{f}" for f in ROW_CLAIM_FIELDS)), now)


QUEUE_NODES = {node.name: node for node in (ApplicationFlow.review, ApplicationFlow.decide)}


# ROW_CLAIM_FIELDS as a queue entry carries them (the round is joined: a handful of rows).
QUEUE_ROW_FIELDS = (
    "application_id",
    "reference",
    "applicant_name",
    "city",
    "funding_round__name",
    "funding_round__name_en",
    "status",
    "submitted_at",
    "funding_round__review_sla_days",
    "funding_round__scheme__name",
    "funding_round__scheme__name_en",
)


def queue_rows(entries: Any, now: dt.datetime) -> list[TaskRow]:
    """Rows for a page of queue_entries: one query, on the entries, rounds and schemes."""
    values = entries.values_list("task_id", "node", *QUEUE_ROW_FIELDS)
    return _rows(((task_pk, QUEUE_NODES[node], *claim) for task_pk, node, *claim in values), now)


def staff_accounts_with_tasks() -> QuerySet[Any]:
    """subsidy.selectors.staff_accounts, each with `tasks_held`: the flow's tasks in
    their inbox (what a hand-over would move), counted in the same query."""
    from django.db.models import Count, IntegerField, Subquery
    from django.db.models.functions import Coalesce

    from subsidy.selectors import staff_accounts

    held = task_inbox(OuterRef("pk")).order_by().values("owner").annotate(count=Count("pk")).values("count")
    return staff_accounts().annotate(tasks_held=Coalesce(Subquery(held, output_field=IntegerField()), 0))


def hand_over_candidates(user: Any) -> QuerySet[Any]:
    """Who may receive `user`'s reviews (services.staff_cases_hand_over): the other
    active reviewers."""
    from django.contrib.auth import get_user_model

    reviewers = get_user_model().objects.filter(groups__name=Role.REVIEWER.value, is_active=True)
    return reviewers.exclude(pk=user.pk).order_by("email")


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
    """Who an administrator may give an open task to: the node's role and the case's
    scheme, no declared conflict on the case, never the case's reviewer for its
    decision; not its holder."""
    from django.contrib.auth import get_user_model

    process = ApplicationProcess.objects.select_related("application__funding_round").get(pk=task.process_id)
    application = process.application
    role = Role.REVIEWER if task.flow_task is ApplicationFlow.review else Role.APPROVER
    users = (
        get_user_model()
        .objects.filter(groups__name=role.value, is_active=True)
        .filter(serving_scheme(application.funding_round.scheme_id))
        .exclude(pk__in=ConflictDeclaration.objects.filter(application=application, has_conflict=True).values("user"))
        .order_by("email")
    )
    if role == Role.APPROVER and application.reviewer_id is not None:
        users = users.exclude(pk=application.reviewer_id)
    if task.owner_id is not None:
        users = users.exclude(pk=task.owner_id)
    return users
