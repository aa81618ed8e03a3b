"""Commands on flow tasks. Taking and handing back a task is not a state change of
the claim, but who held a case and when is part of its history: both are audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from subsidy.audit import audit_record
from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.models import Role
from subsidy.permissions import user_has_role
from subsidy.services.reviews import application_reassign_reviewer
from workflows.flows import ApplicationFlow
from workflows.models import ApplicationProcess


def _audit(task: Any, by: Any, action: str, ip: str | None) -> None:
    application = ApplicationProcess.objects.select_related("application").get(pk=task.process_id).application
    audit_record(subject=application, actor=by, action=action, comment=str(task.flow_task.task_title), ip=ip)


def task_take(*, task: Any, by: Any, ip: str | None = None) -> None:
    """Assign `task` to `by` (the caller holds the task's locks and checked can_assign)."""
    task.flow_task.activation_class(task).assign(by)
    _audit(task, by, "task_assigned", ip)


def task_hand_back(*, task: Any, by: Any, ip: str | None = None) -> None:
    """Put `task` back in the queue (the caller checked can_unassign)."""
    task.flow_task.activation_class(task).unassign()
    _audit(task, by, "task_unassigned", ip)


def task_reassign(*, task: Any, to: Any, by: Any, reason: str, ip: str | None = None) -> None:
    """A scheme administrator gives an open task to someone else (the caller holds the
    task's locks). A review task takes the case's reviewer with it; whoever receives a
    task must be allowed to take it (role, no declared conflict, four eyes)."""
    if not user_has_role(by, Role.SCHEME_ADMIN):
        raise NotPermitted(_("Only scheme administrators may reassign a case."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case changes hands.")})
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
        raise InvalidState(_("This task is finished."))
    application = ApplicationProcess.objects.select_related("application").get(pk=task.process_id).application
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
        comment=f"{task.flow_task.task_title}: {reason.strip()}",
        ip=ip,
        changes={"owner_id": [previous, to.pk]},
    )
