from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from subsidy.models.applications import Application


class ConflictDeclaration(models.Model):
    """Before acting on a case, staff declare whether they have a conflict of interest
    with the applicant. A declared conflict removes them from the case."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflict_declarations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    has_conflict = models.BooleanField(_("I have a conflict of interest with this applicant"))
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest declaration")
        verbose_name_plural = _("conflict of interest declarations")
        constraints = [models.UniqueConstraint(fields=["application", "user"], name="one_declaration_per_person")]

    def __str__(self) -> str:
        return f"{self.user} / {self.application}: {'conflict' if self.has_conflict else 'none'}"


class InformationRequest(models.Model):
    """A reviewer's request for more information, answered by a resubmission or lapsed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="information_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("what is needed"))
    deadline = models.DateField(_("answer by"))
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    lapsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(answered_at__isnull=True, lapsed_at__isnull=True),
                name="one_open_information_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.deadline}"


class ChecklistEntry(models.Model):
    """The reviewer's finding on one eligibility rule: the automatic result confirmed,
    or overridden with a note. One current entry per rule; changes are audited."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checklist")
    rule_code = models.CharField(_("rule"), max_length=50)
    automatic_result = models.BooleanField(_("automatic result"))
    passed = models.BooleanField(_("reviewer's finding"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("checklist entry")
        verbose_name_plural = _("checklist entries")
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rule_code"], name="one_checklist_entry_per_rule"),
            # An override must say why.
            models.CheckConstraint(
                condition=models.Q(passed=models.F("automatic_result")) | ~models.Q(note=""),
                name="checklist_override_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.rule_code}: {self.passed}"

    @property
    def overridden(self) -> bool:
        return self.passed != self.automatic_result
