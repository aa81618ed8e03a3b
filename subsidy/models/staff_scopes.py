"""Which schemes a staff account works on (DESIGN.md §10: staff may be limited to some
schemes; a reviewer of a city's top-up does not see the province's cases).

An account without a row works on every scheme, as before schemes were data; with rows,
on those schemes only: their claims, tasks, documents, letters, batches and reports, and
no other's. The rule is read in one place, subsidy.permissions.schemes_served_by."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from subsidy.models.schemes import Scheme


class StaffScope(models.Model):
    """One scheme a staff account works on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_scopes", verbose_name=_("account")
    )
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheme"))

    class Meta:
        verbose_name = _("scheme worked on")
        verbose_name_plural = _("schemes worked on")
        constraints = [models.UniqueConstraint(fields=["user", "scheme"], name="one_scope_per_account_and_scheme")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.scheme_id}"
