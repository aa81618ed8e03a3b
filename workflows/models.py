"""The process record of ApplicationFlow: viewflow's Process, extended (multi-table
inheritance) with a real foreign key to the claim it orchestrates.

A real key rather than viewflow's generic `artifact` link: staff queues join
task → process → claim → applicant/round in one query, filter and sort on the
claim's columns, and the database guarantees the claim exists.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from subsidy.models import Application


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
