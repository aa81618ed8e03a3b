"""Disbursement: finance turns approved claims into payments, and reconciles what the
bank did with them. Nothing is paid twice (one live line per claim, a database
constraint), nothing is lost (every line ends paid or failed, failed claims are
approved again), and every step is an audited transition.

`by=None` is the system acting from the command line (as the scheduler does for
lapsing): permissions are then the operator's shell access, and the audit row has
no actor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

from subsidy.audit import audit_record
from subsidy.exceptions import DomainError, InvalidState, NotPermitted
from subsidy.exports import bank_returns
from subsidy.exports.csv_file import write_csv
from subsidy.exports.pain001 import validate_pain001, write_pain001
from subsidy.exports.rows import ExportInvalid, batch_header, batch_rows, batch_text_rows
from subsidy.exports.xlsx_file import write_xlsx
from subsidy.models import (
    Application,
    ApplicationStatus,
    BankReturn,
    Batch,
    BatchExport,
    BatchLine,
    BatchStatus,
    ExportFormat,
    FundingRound,
    LineStatus,
    Role,
)
from subsidy.models.batches import may_handle_bank_files
from subsidy.permissions import user_has_role
from subsidy.selectors import batch_candidates, letter_reference_for
from subsidy.services.applications import notify_applicant


class AlreadyInBatch(DomainError):
    """Another batch took the claim first."""


class ExportRefused(DomainError):
    def __init__(self, message: Any, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class ReturnFileUnreadable(DomainError):
    def __init__(self, message: Any, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.PAIN001: "application/xml",
}
EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.XLSX: "xlsx", ExportFormat.PAIN001: "xml"}


def check_batch_transition(batch: Batch, method: Any, by: Any) -> None:
    if not can_proceed(method):
        raise InvalidState(
            _("This is not possible while the batch is %(status)s.") % {"status": batch.get_status_display()}
        )
    if by is not None and not has_transition_perm(method, by):
        raise NotPermitted(_("You may not do this for this batch."))


def lock_batch(batch: Batch) -> Batch:
    return Batch.objects.select_for_update(of=("self",)).get(pk=batch.pk)


def _snapshot(line: BatchLine, app: Application) -> None:
    """Payee, bank and amount as they are now; frozen once the batch is released."""
    applicant = app.applicant
    line.amount = app.approved_amount or Decimal("0.00")
    line.application_reference = app.reference or ""
    line.payee_name = applicant.bank_account_name
    line.bank_name = applicant.bank_name
    line.account_number = applicant.bank_account_number
    line.cnaps_code = applicant.cnaps_code
    line.letter_reference = letter_reference_for(app)


def _selection_text(
    funding_round: FundingRound | None, city: str, approved_from: dt.date | None, approved_to: dt.date | None
) -> str:
    parts = []
    if funding_round is not None:
        parts.append(f"round={funding_round.code}")
    if city:
        parts.append(f"city={city}")
    if approved_from is not None:
        parts.append(f"approved>={approved_from:%Y-%m-%d}")
    if approved_to is not None:
        parts.append(f"approved<={approved_to:%Y-%m-%d}")
    return " ".join(parts) or "all payable"


@transaction.atomic
def batch_create(
    *,
    by: Any,
    funding_round: FundingRound | None = None,
    city: str = "",
    approved_from: dt.date | None = None,
    approved_to: dt.date | None = None,
    reference: str = "",
    ip: str | None = None,
) -> Batch:
    """A draft batch of every payable claim matching the filters. The claims are locked
    (in id order, so that concurrent builders queue rather than deadlock) and re-read:
    a claim another batch took meanwhile is left out; should two builders still collide,
    the one-live-line constraint refuses the second."""
    if not user_has_role(by, Role.FINANCE_OFFICER):
        raise NotPermitted(_("Only finance officers build disbursement batches."))
    today = timezone.localdate()
    filters: dict[str, Any] = {
        "funding_round": funding_round,
        "city": city,
        "approved_from": approved_from,
        "approved_to": approved_to,
    }
    ids = list(batch_candidates(today=today, **filters).values_list("pk", flat=True))
    locked = list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    applications = list(
        batch_candidates(today=today, **filters).filter(pk__in=locked).select_related("applicant").order_by("reference")
    )
    if not applications:
        raise ValidationError(_("No approved claims ready for payment match this selection."))
    batch = Batch.objects.create(
        reference=reference or f"tmp-{os.urandom(8).hex()}",
        created_by=by,
        description=_selection_text(funding_round, city, approved_from, approved_to),
    )
    if not reference:
        batch.reference = f"PB-{today:%Y%m%d}-{batch.pk:05d}"
    lines = []
    for sequence, app in enumerate(applications, start=1):
        line = BatchLine(batch=batch, sequence=sequence, application=app)
        _snapshot(line, app)
        lines.append(line)
    try:
        with transaction.atomic():
            BatchLine.objects.bulk_create(lines, batch_size=2000)
    except IntegrityError as error:
        raise AlreadyInBatch(
            _("Another batch took some of these claims at the same time; build the batch again.")
        ) from error
    batch.line_count = len(lines)
    batch.total_amount = sum((line.amount for line in lines), Decimal("0.00"))
    batch.save(update_fields=["reference", "line_count", "total_amount"])
    audit_record(
        subject=batch,
        actor=by,
        action="batch_create",
        to_state=BatchStatus.DRAFT,
        ip=ip,
        changes={"selection": batch.description, "lines": batch.line_count, "total": str(batch.total_amount)},
    )
    return batch


@transaction.atomic
def batch_submit(*, batch: Batch, by: Any, ip: str | None = None) -> Batch:
    locked = lock_batch(batch)
    check_batch_transition(locked, locked.submit, by)
    locked.submit(by=by, ip=ip)
    locked.save()
    return locked


@transaction.atomic
def batch_release(*, batch: Batch, by: Any, ip: str | None = None) -> Batch:
    """A second finance person releases the batch: the payee details are frozen on the
    lines and every claim goes approved → in_payment, all or nothing."""
    locked = lock_batch(batch)
    check_batch_transition(locked, locked.release, by)
    lines = list(locked.lines.filter(status=LineStatus.PENDING).order_by("application_id"))
    applications = {
        app.pk: app
        for app in Application.objects.select_for_update(of=("self",))
        .select_related("applicant")
        .filter(pk__in=[line.application_id for line in lines])
        .order_by("pk")
    }
    problems = []
    for line in lines:
        app = applications[line.application_id]
        if app.status != ApplicationStatus.APPROVED or not can_proceed(app.schedule_payment):
            problems.append(app.reference or str(app.pk))
        elif not app.applicant.has_bank_account:
            problems.append(app.reference or str(app.pk))
    if problems:
        raise InvalidState(
            _("These claims can no longer be paid in this batch: %(references)s. Cancel it and build a new one.")
            % {"references": ", ".join(sorted(problems))}
        )
    for line in lines:
        app = applications[line.application_id]
        app.schedule_payment(by=by, batch=locked.reference, ip=ip)
        app.save()
        _snapshot(line, app)
    BatchLine.objects.bulk_update(
        lines,
        [
            "amount",
            "application_reference",
            "payee_name",
            "bank_name",
            "account_number",
            "cnaps_code",
            "letter_reference",
        ],
        batch_size=2000,
    )
    locked.line_count = len(lines)
    locked.total_amount = sum((line.amount for line in lines), Decimal("0.00"))
    locked.release(by=by, ip=ip)
    locked.save()
    return locked


@transaction.atomic
def batch_cancel(*, batch: Batch, by: Any, reason: str, ip: str | None = None) -> Batch:
    """Before release only: the claims are free for another batch."""
    locked = lock_batch(batch)
    check_batch_transition(locked, locked.cancel, by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the batch is cancelled.")})
    locked.lines.filter(status=LineStatus.PENDING).update(status=LineStatus.CANCELLED)
    locked.cancel(by=by, ip=ip, comment=reason)
    locked.save()
    return locked


# --------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------


@dataclass
class ExportedFile:
    """An export, written and checked: `file` is open at its start and already
    unlinked, so it disappears when closed."""

    record: BatchExport
    file: IO[bytes]
    filename: str
    content_type: str

    @property
    def sha256(self) -> str:
        return self.record.sha256


def _sha256(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


def write_export(batch: Batch, export_format: str, out: IO[bytes]) -> None:
    """Write one format to `out` (a binary file open for reading and writing) and check
    it; ExportInvalid if wrong."""
    header = batch_header(batch)
    if export_format == ExportFormat.CSV:
        write_csv(batch_text_rows(batch), out)
    elif export_format == ExportFormat.XLSX:
        write_xlsx(header, batch_rows(batch), out)
    elif export_format == ExportFormat.PAIN001:
        write_pain001(header, batch_rows(batch), out)
        out.flush()
        validate_pain001(out)
    else:
        raise ValidationError({"export_format": _("Unknown export format.")})
    out.flush()


@transaction.atomic
def batch_export(*, batch: Batch, export_format: str, by: Any, ip: str | None = None) -> ExportedFile:
    """Write a released batch's bank file, check it, record its SHA-256 and hand it out.
    The first export moves the batch to `exported`; the same batch always gives the
    same bytes, so every later export records the same hash."""
    locked = lock_batch(batch)
    # Who first: someone who may never export is told so, whatever the batch's state.
    if by is not None and not may_handle_bank_files(locked, by):
        raise NotPermitted(_("Only finance staff export batches."))
    if locked.status not in (BatchStatus.RELEASED, BatchStatus.EXPORTED, BatchStatus.RECONCILED):
        raise InvalidState(_("Only a released batch can be exported."))
    # A file without a name (O_TMPFILE on Linux): a process killed mid-export leaves
    # no bank file with account numbers behind in the temporary directory.
    handle = tempfile.TemporaryFile(prefix="batch-", suffix=".export")
    try:
        try:
            write_export(locked, export_format, handle)
        except ExportInvalid as error:
            raise ExportRefused(
                _("The export failed its checks and cannot be downloaded: %(problems)s")
                % {"problems": "; ".join(error.problems[:5])},
                error.problems,
            ) from error
        sha256, size = _sha256(handle)
    except BaseException:
        handle.close()
        raise
    record = BatchExport.objects.create(
        batch=locked, export_format=export_format, sha256=sha256, size=size, exported_by=by
    )
    if locked.status == BatchStatus.RELEASED:
        check_batch_transition(locked, locked.mark_exported, by)
        locked.mark_exported(by=by, export_format=export_format, sha256=sha256, ip=ip)
        locked.save()
    else:
        audit_record(
            subject=locked,
            actor=by,
            action="batch_export",
            from_state=locked.status,
            to_state=locked.status,
            ip=ip,
            changes={"format": export_format, "sha256": sha256},
        )
    return ExportedFile(
        record=record,
        file=handle,
        filename=f"{locked.reference}.{EXTENSIONS[ExportFormat(export_format)]}",
        content_type=CONTENT_TYPES[ExportFormat(export_format)],
    )


# --------------------------------------------------------------------------
# Reconciliation
# --------------------------------------------------------------------------

UNKNOWN_REFERENCE = "unknown_reference"
AMOUNT_MISMATCH = "amount_mismatch"
ALREADY_SETTLED = "already_settled"
DUPLICATE_IN_FILE = "duplicate_in_file"
NOT_FINAL = "not_final"


@dataclass
class ImportResult:
    bank_return: BankReturn
    repeated: bool = False
    reported: list[dict[str, str]] = field(default_factory=list)

    @property
    def paid(self) -> int:
        return 0 if self.repeated else self.bank_return.paid_count

    @property
    def failed(self) -> int:
        return 0 if self.repeated else self.bank_return.failed_count


@transaction.atomic
def batch_import_return(
    *, batch: Batch, data: bytes, filename: str = "", by: Any, ip: str | None = None
) -> ImportResult:
    """Apply the bank's return file: each settled line becomes paid (in_payment → paid)
    or failed (in_payment → approved, free for a new batch). Unknown references,
    amount mismatches, lines already settled and statuses that are not final are
    reported, not applied. The same file (by SHA-256) is recognised and changes
    nothing the second time. When no line is pending any more, the batch is reconciled."""
    locked = lock_batch(batch)
    if by is not None and not may_handle_bank_files(locked, by):
        raise NotPermitted(_("Only finance staff import bank return files."))
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = BankReturn.objects.filter(batch=locked, sha256=sha256).first()
    if earlier is not None:
        return ImportResult(bank_return=earlier, repeated=True, reported=list(earlier.reported))
    if locked.status not in (BatchStatus.EXPORTED, BatchStatus.RECONCILED):
        raise InvalidState(_("Import the bank's return file after the batch has been exported."))
    try:
        return_file = bank_returns.read_bank_return(data)
    except ExportInvalid as error:
        raise ReturnFileUnreadable(
            _("The return file cannot be read: %(problems)s") % {"problems": "; ".join(error.problems[:5])},
            error.problems,
        ) from error
    if return_file.original_message_id and return_file.original_message_id != locked.reference:
        raise ReturnFileUnreadable(
            _("This status report answers %(other)s, not batch %(reference)s.")
            % {"other": return_file.original_message_id, "reference": locked.reference},
            [],
        )
    file_format, items = return_file.file_format, return_file.items
    lines = {line.application_reference: line for line in locked.lines.exclude(status=LineStatus.CANCELLED)}
    reported: list[dict[str, str]] = []
    to_apply: list[tuple[BatchLine, bank_returns.ReturnItem]] = []
    seen: set[str] = set()
    for item in items:
        line = lines.get(item.reference)
        problem, detail = "", ""
        if item.reference in seen:
            problem = DUPLICATE_IN_FILE
        elif line is None:
            problem = UNKNOWN_REFERENCE
        elif line.status != LineStatus.PENDING:
            problem, detail = ALREADY_SETTLED, line.status
        elif item.outcome == bank_returns.NOT_FINAL:
            problem, detail = NOT_FINAL, item.status_code
        elif item.amount is not None and item.amount != line.amount:
            problem, detail = AMOUNT_MISMATCH, f"{item.amount} ≠ {line.amount}"
        seen.add(item.reference)
        if problem:
            reported.append({"reference": item.reference, "problem": problem, "detail": detail})
        else:
            assert line is not None  # noqa: S101 - narrowed above
            to_apply.append((line, item))
    applications = {
        app.pk: app
        for app in Application.objects.select_for_update(of=("self",))
        .filter(pk__in=[line.application_id for line, _item in to_apply])
        .order_by("pk")
    }
    now, today = timezone.now(), timezone.localdate()
    paid = failed = 0
    for line, item in to_apply:
        app = applications[line.application_id]
        line.settled_at = now
        line.bank_reference = item.bank_reference[:35]
        if item.outcome == bank_returns.PAID:
            method = app.confirm_paid
            check_app_transition(app, method, by)
            line.status, line.paid_on = LineStatus.PAID, item.paid_on or today
            app.confirm_paid(
                by=by, paid_on=line.paid_on, bank_reference=line.bank_reference, ip=ip, comment=locked.reference
            )
            paid += 1
            notify_applicant(app, "paid")
        else:
            check_app_transition(app, app.payment_failed, by)
            line.status, line.failure_reason = LineStatus.FAILED, (item.reason or item.status_code)[:300]
            app.payment_failed(by=by, reason=line.failure_reason, ip=ip, comment=line.failure_reason)
            failed += 1
            notify_applicant(app, "payment_returned")
        app.save()
    BatchLine.objects.bulk_update(
        [line for line, _item in to_apply],
        ["status", "paid_on", "bank_reference", "failure_reason", "settled_at"],
        batch_size=2000,
    )
    bank_return = BankReturn.objects.create(
        batch=locked,
        sha256=sha256,
        filename=filename[:200],
        file_format=file_format,
        paid_count=paid,
        failed_count=failed,
        reported=reported,
        imported_by=by,
    )
    audit_record(
        subject=locked,
        actor=by,
        action="batch_import_return",
        from_state=locked.status,
        to_state=locked.status,
        ip=ip,
        changes={
            "file": filename,
            "sha256": sha256,
            "format": file_format,
            "paid": paid,
            "failed": failed,
            "reported": len(reported),
        },
    )
    if locked.status == BatchStatus.EXPORTED and can_proceed(locked.reconcile):
        locked.reconcile(by=by, ip=ip)
        locked.save()
    return ImportResult(bank_return=bank_return, reported=reported)


def check_app_transition(app: Application, method: Any, by: Any) -> None:
    if not can_proceed(method):
        raise InvalidState(_("Claim %(reference)s is not in payment.") % {"reference": app.reference})
    if by is not None and not has_transition_perm(method, by):
        raise NotPermitted(_("You may not record payments."))


def batch_totals_reconcile(batch: Batch) -> bool:
    """Paid + failed + pending lines add up to what the batch was released for."""
    total = batch.lines.exclude(status=LineStatus.CANCELLED).aggregate(t=Sum("amount"))["t"] or Decimal("0.00")
    return bool(total == batch.total_amount)


def batch_by_reference(reference: str) -> Batch:
    try:
        return Batch.objects.get(reference=reference)
    except Batch.DoesNotExist as error:
        raise InvalidState(_("No batch has the reference %(reference)s.") % {"reference": reference}) from error
