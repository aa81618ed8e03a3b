"""The flow follows the claim's state machine.

The FSM on `Application` is the single source of truth (DESIGN.md §3); ApplicationFlow
only says who works on a claim next. The domain core never imports `workflows`, so
the flow listens instead: `follow_transition` receives django_fsm's `post_transition`
for every Application transition (connected in WorkflowsConfig.ready) and, inside the
service's own transaction, brings the flow in line with the new status:

1. The transition that finishes a human task completes it, in the name of the person
   who made the transition: `recommend` completes `review`; `approve`, `reject` and
   `return_to_review` complete `decide`. The flow's gateways then read the new status
   and open the next task (back to review goes to the case's reviewer) or end the run.
2. `start_review` hands the open review task to the reviewer who started the review.
3. Then the invariant is restored: a claim whose status has a stage task (flows.STAGE_TASKS)
   has exactly one open run with exactly that task open; any other claim has no open run.
   A run that does not match is cancelled, and a new one started at the claim's stage
   if one is needed (for a claim already awaiting a decision, the new run's review is
   completed in the name of the case's reviewer, who made the recommendation). This
   covers `submit` (a new run, the review task in the reviewers' queue), `reopen` after
   an objection (a new run, the review task straight back in the reviewer's inbox),
   `lapse` and `withdraw` (the run cancelled), and any claim moved outside the task
   pages (the shell, the admin, the API, tests): the flow can always be rebuilt from
   the FSM.

Nothing here sets a status. Staff task pages call the domain services only; their
transitions reach the flow through this module like any other. Everything runs inside
the service's transaction, so a failure in the flow rolls the transition back too.
Locks are taken in one order everywhere: the service locks the claim's row, then the
flow locks its process row (select_for_update); the task views lock in the same order.
"""

from __future__ import annotations

from typing import Any

from viewflow.utils import is_owner
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from subsidy.models import Application
from subsidy.people import Actor
from workflows.flows import STAGE_TASKS, ApplicationFlow
from workflows.models import ApplicationProcess

OPEN_TASK_STATUSES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]

# The transition that finishes each human task.
COMPLETED_BY = {
    "recommend": ApplicationFlow.review,
    "approve": ApplicationFlow.decide,
    "reject": ApplicationFlow.decide,
    "return_to_review": ApplicationFlow.decide,
}


def follow_transition(
    sender: type[Application],
    instance: Application,
    name: str,
    method_kwargs: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """post_transition receiver for Application."""
    if kwargs.get("exception") is not None:
        return
    application_follow(instance, name=name, by=(method_kwargs or {}).get("by"))


def application_follow(application: Application, *, name: str, by: Actor | None = None) -> None:
    """Move the claim's flow after its transition `name`, made by `by`. `application`
    is the in-memory claim, already in its new status (the service saves it next)."""
    node = COMPLETED_BY.get(name)
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    for process in open_processes(application):
        if node is not None and actor is not None:
            _complete(process, node, actor)
        elif name == "start_review" and actor is not None:
            with ApplicationFlow.lock(process.pk):
                _hand_over(process, ApplicationFlow.review, actor)
    flow_rebuild(application)


def flow_rebuild(application: Application) -> ApplicationProcess | None:
    """Restore the invariant between the claim's status and its runs; return the open run."""
    expected = STAGE_TASKS.get(application.status)
    keep = None
    for process in open_processes(application):
        names = [task.flow_task.name for task in open_human_tasks(process)]
        if keep is None and expected is not None and names == [expected.name]:
            keep = process
        else:
            ApplicationFlow.instance.cancel(process)
    if expected is not None and keep is None:
        keep = ApplicationFlow.start.run(application=application)
        if expected is not ApplicationFlow.review and application.reviewer is not None:
            # Past review already: the case's reviewer made the recommendation.
            _complete(keep, ApplicationFlow.review, application.reviewer)
    return keep


def open_processes(application: Application) -> list[ApplicationProcess]:
    processes = list(
        ApplicationProcess.objects.filter(application_id=application.pk, status=PROCESS.NEW).order_by("pk")
    )
    for process in processes:
        # The flow's gateways and assignments read this in-memory claim: its new status
        # is not saved yet when post_transition fires.
        process.application = application
    return processes


def open_human_tasks(process: ApplicationProcess) -> list[Any]:
    tasks = list(
        Task.objects.filter(process_id=process.pk, flow_task_type="HUMAN", status__in=OPEN_TASK_STATUSES).order_by("pk")
    )
    for task in tasks:
        task.process = process
    return tasks


def _open_task(process: ApplicationProcess, node: Any) -> Any | None:
    return next((t for t in open_human_tasks(process) if t.flow_task.name == node.name), None)


def _hand_over(process: ApplicationProcess, node: Any, user: Any) -> Any | None:
    """The open task of `node`, assigned to `user` (who the FSM says is doing it)."""
    task = _open_task(process, node)
    if task is None:
        return None
    activation = task.flow_task.activation_class(task)
    if task.status == STATUS.NEW:
        activation.assign(user)
    elif not is_owner(task.owner, user):
        activation.reassign(user)
    return activation


def _complete(process: ApplicationProcess, node: Any, user: Any) -> None:
    with ApplicationFlow.lock(process.pk):
        activation = _hand_over(process, node, user)
        if activation is None:
            return  # nothing open to complete; flow_rebuild sets the run right
        if activation.task.status == STATUS.ASSIGNED:
            activation.start(None)
        activation.execute()
