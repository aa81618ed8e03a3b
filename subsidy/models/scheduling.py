from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """One row per job and period: the unique constraint makes sure a periodic job is
    enqueued once per period, however many schedulers run or however often they wake."""

    job = models.CharField(_("job"), max_length=50)
    period = models.CharField(_("period"), max_length=20)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-enqueued_at"]
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="one_run_per_job_and_period")]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"
