"""Commands on flow tasks. Taking and handing back a task is not a state change of
the claim, but who held a case and when is part of its history: both are audited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from subsidy.audit import audit_record
from subsidy.exceptions import DomainError, InvalidState, NotPermitted
from subsidy.models import Application, Role
from subsidy.people import Actor
from subsidy.permissions import (
    in_schemes_served_by,
    user_administers_scheme,
    user_has_role,
    user_serves_application,
)
from subsidy.services.reviews import application_reassign_reviewer
from workflows.flows import ApplicationFlow
from workflows.models import ApplicationProcess
from workflows.selectors import CASE, task_inbox


def flow_task(task_pk: int, *, served_by: Any = None) -> Any:
    """A human task of ApplicationFlow (Task.DoesNotExist for anything else), of a claim
    of a scheme `served_by` works on if given."""
    tasks = Task.objects.filter(process__flow_class=ApplicationFlow, flow_task_type="HUMAN")
    if served_by is not None:
        tasks = tasks.filter(in_schemes_served_by(served_by, f"{CASE}__funding_round__scheme"))
    return tasks.get(pk=task_pk)


@contextmanager
def task_locked(task_pk: int) -> Iterator[Any]:
    """The task, re-read in a transaction under the locks the services take too: its
    claim's row first, then the flow's process row."""
    task = flow_task(task_pk)
    with transaction.atomic():
        application_pk = ApplicationProcess.objects.values_list("application_id", flat=True).get(pk=task.process_id)
        Application.objects.select_for_update(of=("self",)).values_list("pk", flat=True).get(pk=application_pk)
        with ApplicationFlow.lock(task.process_id):
            yield flow_task(task_pk)


def _audit(task: Any, by: Actor, action: str, ip: str | None, note: str = "") -> None:
    application = ApplicationProcess.objects.select_related("application").get(pk=task.process_id).application
    # The task is kept by its node's name and titled when shown, in the reader's language.
    task_name = task.flow_task.name
    audit_record(subject=application, actor=by, action=action, comment=note, ip=ip, changes={"task": task_name})


def task_take(*, task: Any, by: Actor, ip: str | None = None) -> None:
    """Assign `task` to `by` (the caller holds the task's locks and checked can_assign)."""
    task.flow_task.activation_class(task).assign(by)
    _audit(task, by, "task_assigned", ip)


def task_hand_back(*, task: Any, by: Actor, ip: str | None = None) -> None:
    """Put `task` back in the queue (the caller checked can_unassign)."""
    task.flow_task.activation_class(task).unassign()
    _audit(task, by, "task_unassigned", ip)


def task_reassign(*, task: Any, to: Any, by: Actor, reason: str, ip: str | None = None) -> None:
    """A scheme administrator gives an open task to someone else (the caller holds the
    task's locks). A review task takes the case's reviewer with it; whoever receives a
    task must be allowed to take it (role, no declared conflict, four eyes). A superuser
    may reassign (subsidy.permissions.user_administers_scheme)."""
    if not user_administers_scheme(by):
        raise NotPermitted(_("Only scheme administrators may reassign a case."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case changes hands.")})
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
        raise InvalidState(_("This task is finished."))
    application = ApplicationProcess.objects.select_related("application").get(pk=task.process_id).application
    if not user_serves_application(by, application):
        raise NotPermitted(_("You do not work on this claim's scheme."))
    if task.flow_task is ApplicationFlow.review and application.reviewer_id not in (None, to.pk):
        application_reassign_reviewer(application=application, to=to, by=by, reason=reason, ip=ip)
        task.refresh_from_db()  # its cached claim still names the previous reviewer
    if not task.flow_task.may_take(to, task):
        raise ValidationError({"to": _("This person may not take this task.")})
    previous = task.owner_id
    activation = task.flow_task.activation_class(task)
    if task.owner_id is not None:
        activation.unassign()
        task.refresh_from_db()
        activation = task.flow_task.activation_class(task)
    activation.assign(to)
    audit_record(
        subject=application,
        actor=by,
        action="task_reassigned",
        comment=reason.strip(),
        ip=ip,
        changes={"task": task.flow_task.name, "owner_id": [previous, to.pk]},
    )


@dataclass
class HandOver:
    """What staff_cases_hand_over did, by claim reference."""

    moved: list[str] = field(default_factory=list)  # reviews now with the new reviewer
    released: list[str] = field(default_factory=list)  # decisions back in the approvers' queue
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why it stayed)


def staff_cases_hand_over(*, user: Any, to: Any, by: Actor, reason: str, ip: str | None = None) -> HandOver:
    """A colleague leaves or is away for long: a scheme administrator gives every review
    they hold to another reviewer (the case's reviewer moves with it, as task_reassign
    does) and puts every decision they hold back in the approvers' queue. Each task moves
    in its own transaction under the usual locks, so one that may not go to `to` (a
    declared conflict, four eyes) stays where it is and is reported, and the rest move."""
    if not user_administers_scheme(by):
        raise NotPermitted(_("Only scheme administrators may reassign a case."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case changes hands.")})
    if to.pk == user.pk or not to.is_active or not user_has_role(to, Role.REVIEWER):
        raise ValidationError({"to": _("Choose another active reviewer.")})
    result = HandOver()
    # Only the cases of the schemes the administrator works on move.
    held = task_inbox(user).filter(in_schemes_served_by(by, f"{CASE}__funding_round__scheme"))
    for task_pk in held.order_by("pk").values_list("pk", flat=True):
        with task_locked(task_pk) as task:
            if task.owner_id != user.pk or task.status != STATUS.ASSIGNED:
                continue  # finished or taken over meanwhile
            reference = ApplicationProcess.objects.values_list("application__reference", flat=True).get(
                pk=task.process_id
            )
            if task.flow_task is ApplicationFlow.decide:
                task.flow_task.activation_class(task).unassign()
                _audit(task, by, "task_unassigned", ip, note=reason.strip())
                result.released.append(reference)
                continue
            try:
                with transaction.atomic():  # a refusal undoes this task's changes only
                    task_reassign(task=task, to=to, by=by, reason=reason, ip=ip)
            except (ValidationError, DomainError) as error:
                why = error.message if isinstance(error, DomainError) else " ".join(error.messages)
                result.refused.append((reference, str(why)))
            else:
                result.moved.append(reference)
    return result
