"""Labels for viewflow's task states in the project's own words and catalogue
(viewflow's own Chinese catalogue lacks them)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import STATUS

register = template.Library()

TASK_STATUS_LABELS = {
    STATUS.NEW: _("In the queue"),
    STATUS.ASSIGNED: _("Taken"),
    STATUS.STARTED: _("In progress"),
    STATUS.DONE: _("Done"),
    STATUS.CANCELED: _("Cancelled"),
    STATUS.ERROR: _("Failed"),
}


@register.filter
def task_status(value: str) -> str:
    return str(TASK_STATUS_LABELS.get(value, value))
