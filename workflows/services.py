"""Commands on flow tasks. Taking and handing back a task is not a state change of
the claim, but who held a case and when is part of its history: both are audited."""

from __future__ import annotations

from typing import Any

from subsidy.audit import audit_record
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
