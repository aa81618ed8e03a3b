"""The process record of ApplicationFlow: viewflow's Process, extended (multi-table
inheritance) with a real foreign key to the claim it orchestrates.

A real key rather than viewflow's generic `artifact` link: staff queues join
task → process → claim → applicant/round in one query, filter and sort on the
claim's columns, and the database guarantees the claim exists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from subsidy.models import Application, ApplicationStatus, FundingRound


class ApplicationProcess(Process):
    """One run of ApplicationFlow for one claim. A claim has at most one open run at a
    time (kept so by workflows.sync); a reopened claim gets a new run."""

    application: models.ForeignKey[Application, Application] = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="+",  # claims never look up their runs; queries start from tasks
        verbose_name=_("application"),
    )

    class Meta:
        verbose_name = _("application process")
        verbose_name_plural = _("application processes")

    def __str__(self) -> str:
        return str(super().__str__())


TAKE_COLUMNS = ["node", "reviewer", "application"]


class QueueEntry(models.Model):
    """A task waiting in the staff queue (an open human task of ApplicationFlow that
    nobody holds), with copies of the claim columns the queue filters and sorts on.

    A read model, kept in step inside the transaction of every change it mirrors
    (workflows.queue_entries): the queue then filters, sorts and counts one indexed
    table instead of joining every open task to its claim and applicant. It can always
    be rebuilt from the tasks and claims (`manage.py queue_rebuild`).
    """

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    node = models.CharField(max_length=50)  # the flow node's name: "review" or "decide"
    # Copied from the claim (and its applicant's name and city):
    reference = models.CharField(max_length=20, null=True)  # noqa: DJ001 (as the claim's, unique or none)
    applicant_name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    city = models.CharField(max_length=20)
    funding_round = models.ForeignKey(FundingRound, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    submitted_at = models.DateTimeField(null=True)

    class Meta:
        # One index per filter of the staff filters, each in the queue's order, so a
        # page and its capped count read one index range. The columns after the order
        # are the ones every queue checks (who may take it, declared conflicts): the
        # count reads the index alone.
        indexes = [
            models.Index(fields=[*shape, "submitted_at", "task", *TAKE_COLUMNS], name=f"queue_by_{name}")
            for name, shape in (
                ("submitted", []),
                ("status", ["status"]),
                ("city", ["city"]),
                ("status_city", ["status", "city"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.node} {self.task_id}"
