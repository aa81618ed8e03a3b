"""Disbursement batches (DESIGN.md §3): finance turns approved claims into payments.

draft ──submit──> submitted ──release──> released ──mark_exported──> exported ──reconcile──> reconciled
draft|submitted ──cancel──> cancelled
released|exported ──withdraw (nothing settled, file not sent)──> cancelled

A finance officer builds and submits a batch; a *different* finance approver
releases it (transition permission and a database check). A line binds one claim;
a claim has at most one live (pending or paid) line, enforced by the database.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from subsidy.models.applications import Application
from subsidy.models.choices import LIVE_LINE_STATUSES, BatchStatus, ExportFormat, LineStatus, Role
from subsidy.people import Actor, signed_in
from subsidy.permissions import applicants_of, schemes_served_by, user_has_role


def may_build(instance: models.Model, user: Any) -> bool:
    return (
        isinstance(instance, Batch)
        and user_has_role(user, Role.FINANCE_OFFICER)
        and within_schemes_served(instance, user)
    )


def independent_of_payees(batch: Batch, user: Any) -> bool:
    """Nobody releases or reconciles a batch that pays an applicant they can act for."""
    own = applicants_of(user)
    return not own or not batch.lines.filter(application__applicant_id__in=own).exists()


def within_schemes_served(batch: Batch, user: Any) -> bool:
    """Nobody limited to some schemes acts on a batch that pays a claim of another."""
    served = schemes_served_by(user)
    return served is None or not batch.lines.exclude(application__funding_round__scheme_id__in=served).exists()


def may_release(instance: models.Model, user: Any) -> bool:
    """Maker-checker: a finance approver who did not submit the batch."""
    return (
        isinstance(instance, Batch)
        and user_has_role(user, Role.FINANCE_APPROVER)
        and user.pk != instance.submitted_by_id
        and within_schemes_served(instance, user)
        and independent_of_payees(instance, user)
    )


def may_cancel(instance: models.Model, user: Any) -> bool:
    return (
        isinstance(instance, Batch)
        and (user_has_role(user, Role.FINANCE_OFFICER) or user_has_role(user, Role.FINANCE_APPROVER))
        and within_schemes_served(instance, user)
    )


def may_handle_bank_files(instance: models.Model, user: Any) -> bool:
    return (
        isinstance(instance, Batch)
        and (user_has_role(user, Role.FINANCE_OFFICER) or user_has_role(user, Role.FINANCE_APPROVER))
        and within_schemes_served(instance, user)
        and independent_of_payees(instance, user)
    )


def may_withdraw(instance: models.Model, user: Any) -> bool:
    """Finance staff who may handle the batch's bank files (officer or approver)."""
    return may_handle_bank_files(instance, user)


def nothing_settled(instance: models.Model) -> bool:
    """No line paid or failed and no return file imported: as far as this system knows,
    the bank has not acted on the batch."""
    return (
        isinstance(instance, Batch)
        and not instance.lines.filter(status__in=[LineStatus.PAID, LineStatus.FAILED]).exists()
        and not instance.bank_returns.exists()
    )


def has_lines(instance: models.Model) -> bool:
    return isinstance(instance, Batch) and instance.line_count > 0


def every_line_settled(instance: models.Model) -> bool:
    return isinstance(instance, Batch) and not instance.lines.filter(status=LineStatus.PENDING).exists()


def mask_account(number: str) -> str:
    """Account numbers are personal data: lists show the last four digits only."""
    return f"•••• {number[-4:]}" if number else ""


class Batch(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    status = FSMField(
        _("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.DRAFT, protected=True
    )
    description = models.CharField(_("selection"), max_length=300, blank=True)
    line_count = models.PositiveIntegerField(_("number of payments"), default=0)
    total_amount = models.DecimalField(_("total (CNY)"), max_digits=16, decimal_places=2, default=Decimal("0.00"))

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("built by")
    )
    created_at = models.DateTimeField(_("built"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    reconciled_at = models.DateTimeField(_("reconciled"), null=True, blank=True)

    class Meta:
        verbose_name = _("disbursement batch")
        verbose_name_plural = _("disbursement batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Maker-checker, enforced by the database too.
            models.CheckConstraint(
                condition=models.Q(released_by__isnull=True) | ~models.Q(released_by=models.F("submitted_by")),
                name="batch_released_by_other_than_submitter",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[BatchStatus.RELEASED, BatchStatus.EXPORTED, BatchStatus.RECONCILED])
                | models.Q(released_by__isnull=False, submitted_by__isnull=False, released_at__isnull=False),
                name="batch_released_has_releaser",
            ),
            models.CheckConstraint(condition=models.Q(total_amount__gte=0), name="batch_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_released(self) -> bool:
        return self.status in (BatchStatus.RELEASED, BatchStatus.EXPORTED, BatchStatus.RECONCILED)

    # Transitions: called only by subsidy.services.batches, which lock the row,
    # check the permission and save. The audit row is written by subsidy.audit.

    @transition(
        field=status,
        source=BatchStatus.DRAFT,
        target=BatchStatus.SUBMITTED,
        permission=may_build,
        conditions=[has_lines],
    )
    def submit(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.submitted_by = signed_in(by)
        self.submitted_at = timezone.now()

    @transition(field=status, source=BatchStatus.SUBMITTED, target=BatchStatus.RELEASED, permission=may_release)
    def release(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.released_by = signed_in(by)
        self.released_at = timezone.now()

    @transition(
        field=status, source=BatchStatus.RELEASED, target=BatchStatus.EXPORTED, permission=may_handle_bank_files
    )
    def mark_exported(
        self, *, by: Actor, export_format: str, sha256: str, ip: str | None = None, comment: str = ""
    ) -> None:
        """The first export of a released batch (later exports are recorded, not transitions)."""

    @transition(
        field=status,
        source=BatchStatus.EXPORTED,
        target=BatchStatus.RECONCILED,
        permission=may_handle_bank_files,
        conditions=[every_line_settled],
    )
    def reconcile(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.reconciled_at = timezone.now()

    @transition(
        field=status,
        source=[BatchStatus.DRAFT, BatchStatus.SUBMITTED],
        target=BatchStatus.CANCELLED,
        permission=may_cancel,
    )
    def cancel(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.cancelled_at = timezone.now()
        self.cancel_reason = comment

    @transition(
        field=status,
        source=[BatchStatus.RELEASED, BatchStatus.EXPORTED],
        target=BatchStatus.CANCELLED,
        permission=may_withdraw,
        conditions=[nothing_settled],
    )
    def withdraw(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        """The way out of a released batch whose bank file cannot be produced (a payee
        name the pain.001 schema refuses) or must not be used. Money safety decides
        the sources:

        - `released`: no file has been produced yet, so the bank cannot have it;
        - `exported`: a file was downloaded, so only while nothing is settled (no line
          paid or failed, no return file imported) and only when the person confirms
          that the file was not sent to the bank and will not be (the service refuses
          without that confirmation). Once the bank has answered for any line, money
          may have moved: the batch must then be reconciled, never withdrawn;
        - never `reconciled`.

        A reason is required (the service checks it). subsidy.services.batches.
        batch_withdraw puts every pending line's claim back to `approved`, ready for a
        new batch, and marks those lines cancelled, in the same transaction."""
        self.cancelled_at = timezone.now()
        self.cancel_reason = comment


class BatchLineQuerySet(models.QuerySet["BatchLine"]):
    def live(self) -> BatchLineQuerySet:
        """Lines that hold their claim: pending or paid."""
        return self.filter(status__in=LIVE_LINE_STATUSES)


class BatchLine(models.Model):
    """One payment. The payee fields are a snapshot taken when the batch is released:
    later profile edits do not change what was sent to the bank."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lines", verbose_name=_("batch"))
    sequence = models.PositiveIntegerField(_("sequence"))
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="batch_lines", verbose_name=_("application")
    )
    status = models.CharField(_("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    application_reference = models.CharField(_("application reference"), max_length=20)
    payee_name = models.CharField(_("payee account name"), max_length=200, blank=True)
    bank_name = models.CharField(_("bank name"), max_length=200, blank=True)
    account_number = models.CharField(_("account number"), max_length=30, blank=True)
    cnaps_code = models.CharField(_("CNAPS code"), max_length=12, blank=True)
    letter_reference = models.CharField(_("approval letter reference"), max_length=40, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=35, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    objects = BatchLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("batch line")
        verbose_name_plural = _("batch lines")
        ordering = ["batch", "sequence"]
        constraints = [
            # No double payment: one live line per claim, whatever races.
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status__in=LIVE_LINE_STATUSES),
                name="one_live_line_per_application",
            ),
            models.UniqueConstraint(fields=["batch", "sequence"], name="batch_line_sequence_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="batch_line_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(status=LineStatus.PAID) | models.Q(paid_on__isnull=False),
                name="batch_line_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.sequence} {self.application_reference}"

    @property
    def masked_account(self) -> str:
        return mask_account(self.account_number)


class BatchExport(models.Model):
    """Each export of a released batch, with the SHA-256 of the file handed out."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="exports", verbose_name=_("batch"))
    export_format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField(_("exported"), auto_now_add=True)

    class Meta:
        verbose_name = _("batch export")
        verbose_name_plural = _("batch exports")
        ordering = ["-exported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.export_format} {self.sha256[:12]}"


class BankReturn(models.Model):
    """One imported bank return file: what it applied and what it reported. The same
    file (by SHA-256) is recognised and never applied twice."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="bank_returns", verbose_name=_("batch"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    file_format = models.CharField(_("format"), max_length=10)
    paid_count = models.PositiveIntegerField(_("paid"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    reported = models.JSONField(_("reported, not applied"), default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank return file")
        verbose_name_plural = _("bank return files")
        ordering = ["-imported_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["batch", "sha256"], name="bank_return_once_per_file")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.sha256[:12]}"
